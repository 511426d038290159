import { describe, expect, it } from 'vitest';
import type { PriceMatrix } from '../../../src-main/market/prices';
import { MarketView } from '../../../src-main/market/view';
import { anticor, anticorStep } from '../../../src-main/strategies/classic/anticor';
import { cwmr, cwmrInit, cwmrUpdate } from '../../../src-main/strategies/classic/cwmr';
import { eg, egUpdate } from '../../../src-main/strategies/classic/eg';
import { ftl, ftrl } from '../../../src-main/strategies/classic/ftl';
import { olmar, olmarPrediction } from '../../../src-main/strategies/classic/olmar';
import { ons } from '../../../src-main/strategies/classic/ons';
import { pamr, pamrTau } from '../../../src-main/strategies/classic/pamr';
import { l1Median, rmr, rmrPrediction } from '../../../src-main/strategies/classic/rmr';
import { dirichletSamples, up } from '../../../src-main/strategies/classic/up';
import { matrixFromRelatives } from '../../helpers/data';
import { drive, makeCtx, weightsOf } from './drive';

describe('online protocol', () => {
  it('starts uniform, replays skipped days, repeats a day, refuses to go back', async () => {
    const m = matrixFromRelatives([
      [1.1, 0.9],
      [0.8, 1.2],
      [1.0, 1.0],
    ]);
    const inst = await eg.create(makeCtx(m));
    expect(Array.from(weightsOf(inst.decide(new MarketView(m, 0))))).toEqual([0.5, 0.5]);
    // skip day 1: the learner must still apply day 1's and day 2's relatives, in order
    const w2 = weightsOf(inst.decide(new MarketView(m, 2)));
    const stepped = egUpdate(egUpdate([0.5, 0.5], [1.1, 0.9], 0.05), [0.8, 1.2], 0.05);
    expect(w2[0]).toBeCloseTo(stepped[0]!, 14);
    expect(weightsOf(inst.decide(new MarketView(m, 2)))[0]).toBeCloseTo(stepped[0]!, 14);
    expect(() => inst.decide(new MarketView(m, 1))).toThrow(/forward/);
  });
});

describe('EG (Helmbold et al. 1998)', () => {
  it('two assets, two steps, eta = 0.05, by hand', async () => {
    // b0 = (1/2, 1/2); x1 = (1.1, 0.9): b0.x1 = 1, b1 ∝ (e^{0.055}, e^{0.045}) => b1_1 = 1/(1 + e^{-0.01}) = 0.50249998
    // x2 = (0.8, 1.2): b1.x2 = 0.8 b1_1 + 1.2 (1 - b1_1) = 0.99900001
    // b2_1 = b1_1 e^{0.04/0.999} / (b1_1 e^{0.04/0.999} + (1-b1_1) e^{0.06/0.999}) = 0.49749502
    const m = matrixFromRelatives([
      [1.1, 0.9],
      [0.8, 1.2],
    ]);
    const w = await drive(eg, m, { to: 2 });
    expect(Array.from(w[0]!)).toEqual([0.5, 0.5]);
    const b1 = 1 / (1 + Math.exp(-0.01));
    expect(w[1]![0]).toBeCloseTo(b1, 12);
    expect(w[1]![0]).toBeCloseTo(0.50249998, 8);
    const bx = 0.8 * b1 + 1.2 * (1 - b1);
    const e1 = b1 * Math.exp(0.04 / bx);
    const e2 = (1 - b1) * Math.exp(0.06 / bx);
    expect(w[2]![0]).toBeCloseTo(e1 / (e1 + e2), 12);
    expect(w[2]![0]).toBeCloseTo(0.49749502, 8);
  });
});

describe('PAMR (Li et al. 2012)', () => {
  it('tau for PAMR, PAMR-1 and PAMR-2 by hand', () => {
    // b = (1/2, 1/2), x = (1.2, 1.0): b.x = 1.1, loss = 1.1 - 0.5 = 0.6, xbar = 1.1, |x - xbar|^2 = 0.02
    expect(pamrTau([0.5, 0.5], [1.2, 1.0], 0.5, 'pamr', 500)).toBeCloseTo(30, 12);
    expect(pamrTau([0.5, 0.5], [1.2, 1.0], 0.5, 'pamr1', 10)).toBe(10);
    expect(pamrTau([0.5, 0.5], [1.2, 1.0], 0.5, 'pamr2', 500)).toBeCloseTo(0.6 / (0.02 + 1 / 1000), 12);
    // passive when b.x <= epsilon
    expect(pamrTau([0.5, 0.5], [1.2, 1.0], 1.2, 'pamr', 500)).toBe(0);
  });

  it('update with an interior result: epsilon = 1.09 => tau = 0.5, b = (0.45, 0.55)', async () => {
    // loss = 1.1 - 1.09 = 0.01, tau = 0.01/0.02 = 0.5, b = (0.5, 0.5) - 0.5 (0.1, -0.1)
    const m = matrixFromRelatives([[1.2, 1.0]]);
    const w = await drive(pamr, m, { to: 1, params: { epsilon: 1.09 } });
    expect(w[1]![0]).toBeCloseTo(0.45, 12);
    expect(w[1]![1]).toBeCloseTo(0.55, 12);
  });

  it('default epsilon 0.5 moves hard against the winner: (0.5,0.5) - 30 (0.1,-0.1) projects to (0, 1)', async () => {
    const m = matrixFromRelatives([[1.2, 1.0]]);
    const w = await drive(pamr, m, { to: 1 });
    expect(Array.from(w[1]!)).toEqual([0, 1]);
  });
});

describe('CWMR (Li et al. 2013)', () => {
  // n = 2: mu = (1/2, 1/2), Sigma = I/4; x = (1.2, 1.0): M = 1.1, V = 0.61, W = 0.55, xbar = W / 0.5 = 1.1
  it('CWMR-Var: lambda makes the mean-reversion constraint tight (M - lambda(V - xbar W) + phi V/(1 + 2 lambda phi V) = eps)', () => {
    const s = cwmrInit(2);
    const phi = 0.5;
    const eps = 1.09;
    const lambda = cwmrUpdate(s, [1.2, 1.0], phi, eps, 'var');
    const M = 1.1;
    const V = 0.61;
    const spread = V - 1.1 * 0.55; // 0.005
    expect(M - lambda * spread + (phi * V) / (1 + 2 * lambda * phi * V)).toBeCloseTo(eps, 10);
    expect(lambda).toBeCloseTo(10.3445399, 6);
    // mu = 1/2 - lambda (1/4) (x - xbar) = (1/2 - lambda/40, 1/2 + lambda/40): inside the simplex
    expect(s.mu[0]).toBeCloseTo(0.5 - lambda / 40, 10);
    // Sigma^-1 = 4 + 2 lambda phi x^2, then Sigma / (n tr Sigma)
    const raw = [1 / (4 + 2 * lambda * phi * 1.44), 1 / (4 + 2 * lambda * phi * 1)];
    const tr = raw[0]! + raw[1]!;
    expect(s.sigma[0]).toBeCloseTo(raw[0]! / (2 * tr), 12);
    expect(s.sigma[1]).toBeCloseTo(raw[1]! / (2 * tr), 12);
  });

  it('CWMR-Stdev: lambda makes M - lambda(V - xbar W) + phi sqrt(U) = eps with sqrt(U) = (-lambda phi V + sqrt(lambda^2 phi^2 V^2 + 4V))/2', () => {
    const s = cwmrInit(2);
    const phi = 0.5;
    const eps = 1.09;
    const lambda = cwmrUpdate(s, [1.2, 1.0], phi, eps, 'stdev');
    const V = 0.61;
    const sqrtU = (-lambda * phi * V + Math.sqrt(lambda * lambda * phi * phi * V * V + 4 * V)) / 2;
    expect(1.1 - lambda * 0.005 + phi * sqrtU).toBeCloseTo(eps, 10);
    expect(lambda).toBeGreaterThan(0);
  });

  it('no update when the constraint already holds (eps - M >= phi V)', () => {
    const s = cwmrInit(2);
    expect(cwmrUpdate(s, [1.2, 1.0], 0.5, 3, 'var')).toBe(0);
    expect(Array.from(s.mu)).toEqual([0.5, 0.5]);
  });

  it('the strategy runs the same update', async () => {
    const m = matrixFromRelatives([[1.2, 1.0]]);
    const w = await drive(cwmr, m, { to: 1, params: { phi: 0.5, epsilon: 1.09 } });
    expect(w[1]![0]).toBeCloseTo(0.5 - 10.3445399 / 40, 6);
  });
});

describe('OLMAR (Li & Hoi 2012)', () => {
  // relatives (1.2, 0.9), (1.25, 1.0) => closes (1,1), (1.2, 0.9), (1.5, 0.9)
  const m = matrixFromRelatives([
    [1.2, 0.9],
    [1.25, 1.0],
  ]);

  it('moving-average prediction x~ = MA_w(p) / p_t', () => {
    // t = 2, w = 3: MA = ((1 + 1.2 + 1.5)/3, (1 + 0.9 + 0.9)/3) => x~ = (3.7/4.5, 2.8/2.7) = (37/45, 28/27)
    const x = olmarPrediction(new MarketView(m, 2), 3);
    expect(x[0]).toBeCloseTo(37 / 45, 14);
    expect(x[1]).toBeCloseTo(28 / 27, 14);
    // t = 2, w = 2: MA = ((1.2 + 1.5)/2, (0.9 + 0.9)/2) => x~ = (1.35/1.5, 0.9/0.9) = (0.9, 1)
    const z = olmarPrediction(new MarketView(m, 2), 2);
    expect(z[0]).toBeCloseTo(0.9, 14);
    expect(z[1]).toBeCloseTo(1, 14);
    // t = 1 with w = 3 sees only two closes: ((1 + 1.2)/2 / 1.2, (1 + 0.9)/2 / 0.9) = (11/12, 19/18)
    const y = olmarPrediction(new MarketView(m, 1), 3);
    expect(y[0]).toBeCloseTo(11 / 12, 14);
  });

  it('two projected updates by hand (w = 3, epsilon = 1)', async () => {
    // day 1: x~ = (11/12, 19/18), b.x~ = xbar = 71/72, x~ - xbar = (-5/72, 5/72), |.|^2 = 50/5184
    //        lambda = (1 - 71/72) / (50/5184) = 1.44 => b1 = (0.5 - 0.1, 0.5 + 0.1) = (0.4, 0.6)
    // day 2: x~ = (37/45, 28/27), b1.x~ = 0.951111, xbar = 0.929630, x~ - xbar = (-0.107407, 0.107407)
    //        lambda = (1 - 0.951111) / 0.023073 = 2.118906 => b2 = (0.4 - 0.227586, 0.6 + 0.227586) = (5/29, 24/29)
    const w = await drive(olmar, m, { to: 2, params: { window: 3, epsilon: 1 } });
    expect(w[1]![0]).toBeCloseTo(0.4, 12);
    expect(w[2]![0]).toBeCloseTo(5 / 29, 10);
  });

  it('default epsilon 10 is aggressive: the first update goes all in on the predicted winner', async () => {
    const w = await drive(olmar, m, { to: 1, params: { window: 3 } });
    expect(Array.from(w[1]!)).toEqual([0, 1]);
  });
});

describe('RMR (Huang et al. 2013)', () => {
  it('L1-median of collinear points is the middle point (the modified-Weiszfeld case y = data point)', () => {
    const y = l1Median([
      [0, 0],
      [1, 0],
      [5, 0],
    ]);
    expect(y[0]).toBeCloseTo(1, 9);
    expect(y[1]).toBeCloseTo(0, 9);
  });

  it('L1-median of an equilateral triangle is its centre (Fermat point)', () => {
    const y = l1Median([
      [0, 0],
      [2, 0],
      [1, Math.sqrt(3)],
    ]);
    expect(y[0]).toBeCloseTo(1, 7);
    expect(y[1]).toBeCloseTo(1 / Math.sqrt(3), 7);
  });

  it('L1-median at a data point: (0,0) with (1,0), (0,2), (-3,-3) has |R| = |(1,0)+(0,1)+(-1,-1)/sqrt2| < 1', () => {
    // Vardi & Zhang: a data point whose other unit vectors sum to norm <= 1 is the median; the plain Weiszfeld
    // step would leave it for the weighted mean of the others
    const y = l1Median([
      [0, 0],
      [1, 0],
      [0, 2],
      [-3, -3],
    ]);
    expect(Math.abs(y[0]!)).toBeLessThan(1e-12);
    expect(Math.abs(y[1]!)).toBeLessThan(1e-12);
  });

  it('L1-median ignores an outlier that moves the mean', () => {
    // five points on a line, one far away: the median stays at the middle one
    const y = l1Median([[1], [2], [3], [4], [1000]]);
    expect(y[0]).toBeCloseTo(3, 7);
  });

  // Closes of two assets on days 0..3. Rescaled to 1 on day 0 (the authors' prices q = p / p_0) they are
  // (1, 1), (12, 1), (16, 4), (20, 4). With w = 3 the window at day 3 is A = (12, 1), B = (16, 4), C = (20, 4).
  // At B the unit vectors towards A and C are (-0.8, -0.6) and (1, 0); their sum (0.2, -0.6) has norm 0.63 <= 1,
  // so B is the L1-median (the angle at B is 143 degrees >= 120), and x^ = B / C = (0.8, 1).
  const authors: PriceMatrix = {
    universe: 'synthetic',
    dates: ['2020-01-01', '2020-01-02', '2020-01-03', '2020-01-04'],
    tickers: ['A0', 'A1'],
    close: [
      [1, 10],
      [12, 10],
      [16, 40],
      [20, 40],
    ].map((r) => Float64Array.from(r)),
  };
  const sumDist = (pts: number[][], y: ArrayLike<number>) =>
    pts.reduce((s, p) => s + Math.hypot(p[0]! - y[0]!, p[1]! - y[1]!), 0);

  it("default (the authors'): L1-median of the prices rescaled to 1 on the first day, over today's", () => {
    const x = rmrPrediction(new MarketView(authors, 3), 3);
    expect(x[0]).toBeCloseTo(0.8, 12);
    expect(x[1]).toBeCloseTo(1, 12);
    // B beats every point near it, an independent check that it is the median of A, B, C
    const q = [
      [12, 1],
      [16, 4],
      [20, 4],
    ];
    for (let k = 0; k < 16; k++) {
      const a = (k * Math.PI) / 8;
      expect(sumDist(q, [16 + 1e-3 * Math.cos(a), 4 + 1e-3 * Math.sin(a)])).toBeGreaterThan(sumDist(q, [16, 4]));
    }
    // while the window is short (t < w) the authors predict the last price relative
    expect(Array.from(rmrPrediction(new MarketView(authors, 1), 3))).toEqual([12, 1]);
    expect(Array.from(rmrPrediction(new MarketView(authors, 2), 3))).toEqual([16 / 12, 4]);
  });

  it("normalise 'today' is a different estimator here: the Fermat point of the prices over today's", () => {
    // over today's close (20, 40) the points are (0.6, 0.25), (0.8, 1), (1, 1): no angle reaches 120 degrees (the
    // largest is 105), so the median is inside the triangle, where the unit vectors towards the three points cancel
    const y = rmrPrediction(new MarketView(authors, 3), 3, 'today');
    const pts = [
      [0.6, 0.25],
      [0.8, 1],
      [1, 1],
    ];
    let gx = 0;
    let gy = 0;
    for (const p of pts) {
      const d = Math.hypot(p[0]! - y[0]!, p[1]! - y[1]!);
      gx += (p[0]! - y[0]!) / d;
      gy += (p[1]! - y[1]!) / d;
    }
    expect(Math.hypot(gx, gy)).toBeLessThan(1e-4);
    expect(Math.abs(y[0]! - 0.8) + Math.abs(y[1]! - 1)).toBeGreaterThan(0.05);
    // and the default depends on the first day: with day 0 at (1, 1) the rescaled window is the raw one,
    // (12, 10), (16, 40), (20, 40), whose angle at B is only 98 degrees
    const fromOnes = { ...authors, close: [Float64Array.from([1, 1]), ...authors.close.slice(1)] };
    const z = rmrPrediction(new MarketView(fromOnes, 3), 3);
    expect(Math.abs(z[0]! - 0.8) + Math.abs(z[1]! - 1)).toBeGreaterThan(0.05);
  });

  it("default strategy: the authors' predictions through the OLMAR-style step, epsilon 0.95", async () => {
    // day 1: x^ = x_1 = (12, 1), b.x^ = 6.5 >= 0.95: no move; day 2: x^ = (4/3, 4), 2.67 >= 0.95: no move
    // day 3: x^ = (0.8, 1), b.x^ = 0.9, mean 0.9, ||x^ - mean||^2 = 0.02, lambda = (0.95 - 0.9) / 0.02 = 2.5
    //        => b = (0.5 - 2.5 * 0.1, 0.5 + 2.5 * 0.1) = (0.25, 0.75), already on the simplex
    const w = await drive(rmr, authors, { to: 3, params: { window: 3, epsilon: 0.95 } });
    expect(w.map((b) => Array.from(b))).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
      [0.5, 0.5],
      [expect.closeTo(0.25, 12), expect.closeTo(0.75, 12)],
    ]);
  });

  it('refuses an unknown normalisation, naming the choices', async () => {
    await expect(drive(rmr, authors, { params: { normalise: 'raw' } })).rejects.toThrow(
      /rmr: parameter "normalise" must be one of first-day, today/,
    );
  });

  it("normalise 'today': L1-median of the last w closes over today's close, and the OLMAR-style update", async () => {
    // closes (1,1), (1.2, 0.9), (1.5, 0.9): normalised by today's (1.5, 0.9): (2/3, 10/9), (0.8, 1), (1, 1)
    // with w = 2: the L1-median of two points is anywhere on the segment; the iteration starts at the coordinate
    // median, the midpoint ((0.8+1)/2, 1) = (0.9, 1), and stays (it is optimal)
    const m = matrixFromRelatives([
      [1.2, 0.9],
      [1.25, 1.0],
    ]);
    const x = rmrPrediction(new MarketView(m, 2), 2, 'today');
    expect(x[0]).toBeCloseTo(0.9, 9);
    expect(x[1]).toBeCloseTo(1, 9);
    const w = await drive(rmr, m, { to: 2, params: { window: 2, epsilon: 1, normalise: 'today' } });
    // day 1: points (1/1.2, 1/0.9), (1, 1) => midpoint (11/12, 19/18): the same x~ as OLMAR's day 1 => (0.4, 0.6)
    expect(w[1]![0]).toBeCloseTo(0.4, 9);
    // day 2: x~ = (0.9, 1), b1.x~ = 0.96, xbar = 0.95, lambda = (1 - 0.96)/0.005 = 8 => b = (0.4 - 0.4, 0.6 + 0.4)
    expect(w[2]![0]).toBeCloseTo(0, 9);
    expect(w[2]![1]).toBeCloseTo(1, 9);
  });
});

describe('ONS (Agarwal et al. 2006)', () => {
  it('one step by hand: projection of delta A^-1 b in the A-norm (eta 0, beta 1, delta 1/8)', async () => {
    // p = (1/2, 1/2), x = (1.2, 1.0): grad = x / 1.1; A = I + grad grad'; b = 2 grad; q = (1/8) A^-1 b.
    // On the segment p(a) = (a, 1-a): minimise (p(a) - q)'A(p(a) - q) => a = ((q - e2)'A d) / (d'A d), d = (1, -1)
    const g = [1.2 / 1.1, 1 / 1.1];
    const A = [1 + g[0]! * g[0]!, g[0]! * g[1]!, g[0]! * g[1]!, 1 + g[1]! * g[1]!];
    const det = A[0]! * A[3]! - A[1]! * A[2]!;
    const b = [2 * g[0]!, 2 * g[1]!];
    const q = [(A[3]! * b[0]! - A[1]! * b[1]!) / det / 8, (-A[2]! * b[0]! + A[0]! * b[1]!) / det / 8];
    const r = [q[0]!, q[1]! - 1];
    const Ad = [A[0]! - A[1]!, A[2]! - A[3]!];
    const a = (r[0]! * Ad[0]! + r[1]! * Ad[1]!) / (Ad[0]! - Ad[1]!);
    expect(a).toBeCloseTo(0.4329268, 6);
    const m = matrixFromRelatives([[1.2, 1.0]]);
    const w = await drive(ons, m, { to: 1 });
    expect(w[1]![0]).toBeCloseTo(a, 10);
  });
});

describe('UP (Cover 1991, Monte-Carlo)', () => {
  it('approaches the exact 2-asset universal portfolio: after x = (2, 1), b = int b(1+b) / int (1+b) = 5/9', async () => {
    // S(b) = 2b + (1 - b) = 1 + b; int_0^1 b(1+b) db = 5/6; int_0^1 (1+b) db = 3/2 => 5/9
    const m = matrixFromRelatives([[2, 1]]);
    const w = await drive(up, m, { to: 1, params: { samples: 200000 } });
    expect(Array.from(w[0]!)).toEqual([0.5, 0.5]);
    expect(Math.abs(w[1]![0]! - 5 / 9)).toBeLessThan(0.004);
  });

  it('Dirichlet samples: seeded, on the simplex, with the Dirichlet mean and variance', () => {
    const a = dirichletSamples(20000, 2, 1, 'x');
    expect(Array.from(dirichletSamples(5, 2, 1, 'x'))).toEqual(Array.from(a.slice(0, 10)));
    for (const alpha of [1, 0.5]) {
      const s = dirichletSamples(20000, 2, alpha, 's');
      let mean = 0;
      let sq = 0;
      for (let k = 0; k < 20000; k++) {
        expect(s[2 * k]! + s[2 * k + 1]!).toBeCloseTo(1, 12);
        mean += s[2 * k]!;
        sq += s[2 * k]! ** 2;
      }
      mean /= 20000;
      const variance = sq / 20000 - mean * mean;
      // Beta(alpha, alpha): mean 1/2, variance 1 / (4 (2 alpha + 1)) = 1/12 (alpha 1), 1/8 (alpha 1/2)
      expect(mean).toBeCloseTo(0.5, 2);
      expect(variance).toBeCloseTo(1 / (4 * (2 * alpha + 1)), 2);
    }
  });
});

describe('Anticor (Borodin et al. 2004)', () => {
  it("window 2, three assets: claims A->B = 2 and A->C = 1 move A's drifted weight 2/3 to B, 1/3 to C", async () => {
    // log relatives (A, B, C): day1 (.01,.02,0), day2 (.03,0,0), day3 (.02,-.01,-.01), day4 (.04,.01,.01)
    // LX1 = days 1-2, LX2 = days 3-4: mu2 = (.03, 0, 0); A outperformed B and C in the latest window.
    // Deviations: A1 (-.01,.01), B1 (.01,-.01), C1 (0,0); A2 (-.01,.01), B2 (-.01,.01), C2 (-.01,.01)
    // Mcor(A,B) = corr(A1,B2) = 1, Mcor(A,C) = corr(A1,C2) = 1;
    // Mcor(A,A) = 1, Mcor(B,B) = corr(B1,B2) = -1, Mcor(C,C) = 0 (C1 constant).
    // claim A->B = 1 + max(0,-1) + max(0, 1) = 2; claim A->C = 1 + 0 + 0 = 1; no claims between B and C (mu2 equal)
    const lr = [
      [0.01, 0.02, 0],
      [0.03, 0, 0],
      [0.02, -0.01, -0.01],
      [0.04, 0.01, 0.01],
    ];
    const m = matrixFromRelatives(lr.map((r) => r.map(Math.exp)));
    // the learner holds (1/3,1/3,1/3) drifted for days 1..3 (t < 2w: no transfer), so at day 4 the drifted
    // weights are proportional to exp(total log return) = (e^.10, e^.02, e^0)
    const w = await drive(anticor, m, { to: 4, params: { window: 2 } });
    const z = Math.exp(0.1) + Math.exp(0.02) + 1;
    const bt = [Math.exp(0.1) / z, Math.exp(0.02) / z, 1 / z];
    // day 3: drift only, proportional to exp(total log return of days 1..3) = (e^.06, e^.01, e^-.01)
    const z3 = Math.exp(0.06) + Math.exp(0.01) + Math.exp(-0.01);
    expect(w[3]![0]).toBeCloseTo(Math.exp(0.06) / z3, 10);
    expect(w[4]![0]).toBeCloseTo(0, 10);
    expect(w[4]![1]).toBeCloseTo(bt[1]! + (2 / 3) * bt[0]!, 10);
    expect(w[4]![2]).toBeCloseTo(bt[2]! + (1 / 3) * bt[0]!, 10);
    // the step function gives the same from the drifted weights
    const direct = anticorStep(new MarketView(m, 4), bt, 2);
    expect(direct[1]).toBeCloseTo(w[4]![1]!, 12);
  });
});

describe('FTL and FTRL', () => {
  // cash vs a stock alternating x2 / x0.5
  const m = matrixFromRelatives([
    [1, 2],
    [1, 0.5],
    [1, 2],
    [1, 0.5],
  ]);

  it('FTL is the best CRP of the past: after (1,2) all stock, after (1,2),(1,0.5) half and half', async () => {
    const w = await drive(ftl, m, { to: 4, params: { solverIterations: 100, tolerance: 1e-14 } });
    expect(Array.from(w[0]!)).toEqual([0.5, 0.5]);
    expect(w[1]![1]).toBeCloseTo(1, 8);
    expect(w[2]![1]).toBeCloseTo(0.5, 6);
    // three days (2, 0.5, 2): maximise 2 log(1+c) + log(1 - c/2): 2/(1+c) = 1/(2-c) => c = 1 (boundary)
    expect(w[3]![1]).toBeCloseTo(1, 6);
    expect(w[4]![1]).toBeCloseTo(0.5, 6);
  });

  it('FTL with the default iteration cap reaches the same leaders', async () => {
    const w = await drive(ftl, m, { to: 4 });
    expect(w[2]![1]).toBeCloseTo(0.5, 4);
    expect(w[4]![1]).toBeCloseTo(0.5, 4);
  });

  it('FTRL after one day: c solves 2c^2 + c - 2 = 0 (lambda 1), i.e. c = (sqrt(17) - 1)/4', async () => {
    // argmax log(1 + c) - (1/2)(c^2 + (1-c)^2): 1/(1+c) = 2c - 1
    const w = await drive(ftrl, m, { to: 1, params: { lambda: 1, solverIterations: 100, tolerance: 1e-14 } });
    expect(w[1]![1]).toBeCloseTo((Math.sqrt(17) - 1) / 4, 7);
  });

  it('FTRL with lambda 0 is FTL', async () => {
    const a = await drive(ftrl, m, { to: 2, params: { lambda: 0, solverIterations: 100, tolerance: 1e-14 } });
    expect(a[1]![1]).toBeCloseTo(1, 8);
    expect(a[2]![1]).toBeCloseTo(0.5, 6);
  });
});
