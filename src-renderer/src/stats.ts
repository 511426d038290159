/**
 * Small series statistics for the charts (display only; the engine's metrics module is the reference for every
 * figure). Mean ± std over seeds is not here: it follows the one rule of src-shared/domain/stats.ts.
 */

/** Rolling annualised Sharpe (risk-free 0) over `window` days; null before the window fills. */
export function rollingSharpe(returns: number[], window = 63): (number | null)[] {
  const out: (number | null)[] = [];
  let s = 0;
  let s2 = 0;
  for (let t = 0; t < returns.length; t++) {
    s += returns[t]!;
    s2 += returns[t]! ** 2;
    if (t >= window) {
      s -= returns[t - window]!;
      s2 -= returns[t - window]! ** 2;
    }
    if (t < window - 1) out.push(null);
    else {
      const m = s / window;
      const v = (s2 - window * m * m) / (window - 1);
      out.push(v > 0 ? (m / Math.sqrt(v)) * Math.sqrt(252) : null);
    }
  }
  return out;
}

/** Monthly compounded returns from daily dates/returns: [{year, month (1-12), ret}]. */
export function monthlyReturns(dates: string[], returns: number[]): { year: number; month: number; ret: number }[] {
  const out: { year: number; month: number; ret: number }[] = [];
  let key = '';
  let g = 1;
  dates.forEach((d, i) => {
    const k = d.slice(0, 7);
    if (k !== key) {
      if (key) out.push({ year: +key.slice(0, 4), month: +key.slice(5, 7), ret: g - 1 });
      key = k;
      g = 1;
    }
    g *= 1 + returns[i]!;
  });
  if (key) out.push({ year: +key.slice(0, 4), month: +key.slice(5, 7), ret: g - 1 });
  return out;
}
