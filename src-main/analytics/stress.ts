/**
 * Stress windows: named episodes of market stress and what a run made or lost in each.
 *
 * A window's return is the compounded daily return of the run over its days inside the window,
 * prod(1 + r_d) - 1 over from <= d <= to (a return earned ON d, from the close before it). A run that covers only
 * part of a window is reported with `partial` set (its days are fewer than the window's trading days); a run
 * with no day in it is left out. The dates are the commonly cited peak-to-trough stretches of the large
 * US-equity index moves; the bundled DJIA data (1991-2000) hold the first four.
 */

export interface StressWindow {
  id: string;
  label: string;
  from: string;
  to: string;
}

/** The stress windows every tear sheet looks at, oldest first. */
export const STRESS_WINDOWS: readonly StressWindow[] = [
  { id: 'bonds-1994', label: 'Bond rout, Feb-Apr 1994', from: '1994-02-01', to: '1994-04-04' },
  { id: 'asia-1997', label: 'Asian crisis, Oct 1997', from: '1997-10-08', to: '1997-10-27' },
  { id: 'ltcm-1998', label: 'Russia / LTCM, Aug 1998', from: '1998-07-20', to: '1998-08-31' },
  { id: 'dotcom-2000', label: 'Dot-com peak, Mar-Apr 2000', from: '2000-03-10', to: '2000-04-14' },
  { id: 'techslide-2000', label: 'Tech slide, Sep-Dec 2000', from: '2000-09-01', to: '2000-12-20' },
  { id: 'sep11-2001', label: 'September 11, 2001', from: '2001-09-10', to: '2001-09-21' },
  { id: 'gfc-2008', label: 'Lehman / GFC, Sep-Nov 2008', from: '2008-09-12', to: '2008-11-20' },
  { id: 'covid-2020', label: 'Covid crash, Feb-Mar 2020', from: '2020-02-19', to: '2020-03-23' },
];

export interface StressResult {
  id: string;
  label: string;
  from: string;
  to: string;
  /** compounded return of the run over its days in the window */
  ret: number;
  /** the run's days in the window */
  days: number;
  /** the run covers fewer days of the window than the market traded */
  partial: boolean;
}

/**
 * The run's return in each stress window it has days in (see the file overview).
 * @param dates the run's dates, ascending; ret its daily returns
 * @param tradingDaysIn trading days of the market inside [from, to] (to tell a partial cover from a full one)
 */
export function stressReturns(
  dates: readonly string[],
  ret: ArrayLike<number>,
  tradingDaysIn: (from: string, to: string) => number,
  windows: readonly StressWindow[] = STRESS_WINDOWS,
): StressResult[] {
  const out: StressResult[] = [];
  for (const w of windows) {
    let g = 1;
    let days = 0;
    for (let i = 0; i < dates.length; i++) {
      const d = dates[i]!;
      if (d < w.from || d > w.to) continue;
      g *= 1 + ret[i]!;
      days++;
    }
    if (days === 0) continue;
    out.push({ ...w, ret: g - 1, days, partial: days < tradingDaysIn(w.from, w.to) });
  }
  return out;
}
