import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import {
  ewmaVolatility,
  fitGarch,
  forecastBand,
  garchNegLogLik,
  garchVolatility,
  nelderMead,
  volatilityForecasts,
} from '../../src-main/explain/volatility';

function simulateGarch(T: number, omega: number, alpha: number, beta: number, seed: string): Float64Array {
  const rng = seedrandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const r = new Float64Array(T);
  let v = omega / (1 - alpha - beta);
  for (let t = 0; t < T; t++) {
    r[t] = Math.sqrt(v) * normal();
    v = omega + alpha * r[t]! ** 2 + beta * v;
  }
  return r;
}

describe('EWMA (RiskMetrics)', () => {
  it('matches the hand recursion', () => {
    // init window 2: t0 v = 1e-4; t1 v = (1e-4 + 4e-4)/2 = 2.5e-4; t2 v = 0.94 * 2.5e-4 + 0.06 * 9e-4 = 2.89e-4
    const s = ewmaVolatility([0.01, -0.02, 0.03], { ewmaInitWindow: 2 });
    expect(s[0]).toBeCloseTo(0.01, 14);
    expect(s[1]).toBeCloseTo(Math.sqrt(2.5e-4), 14);
    expect(s[2]).toBeCloseTo(0.017, 14);
  });
});

describe('GARCH(1,1)', () => {
  it('recursion and likelihood match a hand computation', () => {
    const fit = { omega: 1e-6, alpha: 0.1, beta: 0.8, variance0: 1e-4 };
    const s = garchVolatility([0.01, 0.02], fit);
    expect(s[0]! ** 2).toBeCloseTo(9.1e-5, 16); // 1e-6 + 0.1 * 1e-4 + 0.8 * 1e-4
    expect(s[1]! ** 2).toBeCloseTo(1.138e-4, 16); // 1e-6 + 0.1 * 4e-4 + 0.8 * 9.1e-5
    // one return r = 0.01 with variance 1e-4: 0.5 * (log 2pi + log 1e-4 + 1)
    expect(garchNegLogLik([0.01], 1e-6, 0.1, 0.8, 1e-4)).toBeCloseTo(
      0.5 * (Math.log(2 * Math.PI) + Math.log(1e-4) + 1),
      12,
    );
  });

  it('Nelder-Mead finds the Rosenbrock minimum', () => {
    const r = nelderMead((x) => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2, [-1.2, 1], [0.5, 0.5], 2000, 1e-14);
    expect(r.x[0]).toBeCloseTo(1, 3);
    expect(r.x[1]).toBeCloseTo(1, 3);
  });

  it('recovers simulated parameters and beats the true parameters in likelihood', () => {
    const r = simulateGarch(4000, 2e-6, 0.08, 0.9, 'garch');
    const fit = fitGarch(r);
    expect(fit.alpha).toBeGreaterThan(0.03);
    expect(fit.alpha).toBeLessThan(0.13);
    expect(fit.beta).toBeGreaterThan(0.84);
    expect(fit.beta).toBeLessThan(0.96);
    expect(fit.alpha + fit.beta).toBeLessThan(1);
    expect(fit.omega).toBeGreaterThan(0);
    const trueLL = -garchNegLogLik(r, 2e-6, 0.08, 0.9, fit.variance0);
    expect(fit.logLik).toBeGreaterThanOrEqual(trueLL - 1e-6);
  });
});

describe('uncertainty band', () => {
  it('uses the empirical quantiles of realised / forecast from resolved past pairs (hand-computed)', () => {
    // sigma = 0.01 everywhere, horizon 1: ratio[t'] = |r[t'+1]| / 0.01 = [1, 2, 3, 4]
    const r = [0, 0.01, 0.02, 0.03, 0.04];
    const sigma = new Float64Array(5).fill(0.01);
    const b = forecastBand(r, sigma, { bandHorizon: 1, minBandPairs: 2, bandLower: 0.1, bandUpper: 0.9 });
    expect(Number.isNaN(b.lower[1]!)).toBe(true); // one resolved pair only
    expect(b.lower[2]).toBeCloseTo(0.011, 14); // pairs [1, 2]: q10 = 1.1, q90 = 1.9
    expect(b.upper[2]).toBeCloseTo(0.019, 14);
    expect(b.lower[3]).toBeCloseTo(0.012, 14); // pairs [1, 2, 3]: q10 = 1.2, q90 = 2.8
    expect(b.upper[3]).toBeCloseTo(0.028, 14);
    expect(b.uncertainty[3]).toBeCloseTo(1.6, 12);
  });

  it('forecasts and bands at t do not change when later returns change (out of sample)', () => {
    const r = simulateGarch(1500, 2e-6, 0.08, 0.9, 'look');
    const a = volatilityForecasts(r, { fitStart: 0, fitEnd: 999 });
    const changed = Float64Array.from(r, (v, t) => (t > 1200 ? v * 3 + 0.01 : v));
    const b = volatilityForecasts(changed, { fitStart: 0, fitEnd: 999 });
    const k = 1201;
    for (const key of ['ewma', 'garch'] as const)
      for (const f of ['sigma', 'lower', 'upper'] as const)
        expect(Array.from(b[key][f].slice(0, k))).toEqual(Array.from(a[key][f].slice(0, k)));
    expect(b.garch.sigma[k + 5]).not.toBe(a.garch.sigma[k + 5]);
    expect(a.inSample[999]).toBe(true);
    expect(a.inSample[1000]).toBe(false);
    // the band covers roughly its nominal 80% of realised 5-day vol out of sample
    let inside = 0;
    let n = 0;
    for (let t = 1000; t + 5 < 1500; t++) {
      let m = 0;
      for (let d = t + 1; d <= t + 5; d++) m += r[d]! ** 2;
      const rv = Math.sqrt(m / 5);
      n++;
      if (rv >= a.garch.lower[t]! && rv <= a.garch.upper[t]!) inside++;
    }
    expect(inside / n).toBeGreaterThan(0.65);
    expect(inside / n).toBeLessThan(0.92);
  });
});
