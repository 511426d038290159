/**
 * Cover's Universal Portfolio (Cover, "Universal portfolios", Mathematical Finance 1991), approximated by
 * Monte-Carlo (a classic baseline, docs/architecture.md "Strategies").
 *
 * Exact UP: b_{t+1} = integral b S_t(b) dmu(b) / integral S_t(b) dmu(b) over the simplex, with S_t(b) the wealth
 * of the CRP b and mu the uniform (Dirichlet(1)) measure. Approximation: draw `samples` CRPs b^(m) from
 * Dirichlet(alpha) once, with a seeded RNG (seedrandom, seed = ctx.seed), and return the wealth-weighted mean
 * sum_m b^(m) S_t(b^(m)) / sum_m S_t(b^(m)). The estimate is unbiased in the numerator and denominator but,
 * in high dimension (n = 30), a few thousand points cover the simplex very sparsely, so after a long history the
 * average is dominated by the few luckiest samples: treat it as UP's behaviour in spirit, not a tight
 * approximation (Blum & Kalai 1999 and Kalai & Vempala 2002 discuss sampling error and MCMC alternatives).
 * Cost: O(samples x n) per day.
 */
import seedrandom from 'seedrandom';
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { runOnline } from './online';
import { int, num, readParams } from './params';

/** Standard gamma variate Gamma(shape, 1) (Marsaglia & Tsang 2000; boost for shape < 1). `rnd` gives U(0,1). */
export function gammaSample(shape: number, rnd: () => number): number {
  if (shape < 1) {
    const u = Math.max(rnd(), 1e-300);
    return gammaSample(shape + 1, rnd) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      // standard normal by Box-Muller
      const u1 = Math.max(rnd(), 1e-300);
      const u2 = rnd();
      x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = Math.max(rnd(), 1e-300);
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * `count` points from Dirichlet(alpha, ..., alpha) on the n-simplex, row-major (count x n). alpha = 1 is the
 * uniform measure (sampled exactly as normalised Exp(1) variates), alpha = 1/2 the Jeffreys prior of
 * Cover & Ordentlich (1996). Deterministic for a given seed.
 */
export function dirichletSamples(count: number, n: number, alpha: number, seed: number | string): Float64Array {
  const rng = seedrandom(String(seed));
  const rnd = () => rng();
  const out = new Float64Array(count * n);
  for (let m = 0; m < count; m++) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const g = alpha === 1 ? -Math.log(1 - rnd()) : gammaSample(alpha, rnd);
      out[m * n + i] = g;
      s += g;
    }
    if (!(s > 0)) {
      for (let i = 0; i < n; i++) out[m * n + i] = 1 / n;
    } else for (let i = 0; i < n; i++) out[m * n + i] = out[m * n + i]! / s;
  }
  return out;
}

export interface UpState {
  samples: Float64Array;
  count: number;
  /** log wealth of each sampled CRP since the first decision */
  logWealth: Float64Array;
}

/**
 * One UP step: add log(b^(m) . x) to each sample's log wealth and give the wealth-weighted mean portfolio
 * (weights exp(logW - max logW), so no overflow).
 */
export function upUpdate(s: UpState, x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const { samples, count, logWealth } = s;
  let maxLog = -Infinity;
  for (let m = 0; m < count; m++) {
    const off = m * n;
    let r = 0;
    for (let i = 0; i < n; i++) r += samples[off + i]! * x[i]!;
    const lw = logWealth[m]! + Math.log(r);
    logWealth[m] = lw;
    if (lw > maxLog) maxLog = lw;
  }
  const w = new Float64Array(n);
  let z = 0;
  for (let m = 0; m < count; m++) {
    const a = Math.exp(logWealth[m]! - maxLog);
    if (a < 1e-300) continue;
    z += a;
    const off = m * n;
    for (let i = 0; i < n; i++) w[i]! += a * samples[off + i]!;
  }
  for (let i = 0; i < n; i++) w[i] = w[i]! / z;
  return w;
}

const UP_PARAMS: StrategyParamSpec[] = [
  {
    name: 'samples',
    description:
      'number of Monte-Carlo CRPs drawn from Dirichlet(alpha); cost O(samples x n) per day (2000 keeps a 2529-day x 30-asset run under a second)',
    default: 2000,
    min: 1,
    max: 1000000,
  },
  {
    name: 'alpha',
    description:
      'Dirichlet concentration of the prior over CRPs: 1 = uniform (Cover 1991), 0.5 = Cover & Ordentlich 1996',
    default: 1,
    min: 0.01,
    max: 100,
  },
];

export const up: StrategyDef = {
  id: 'up',
  label: 'Universal Portfolio (UP, Monte-Carlo)',
  description:
    'Cover\'s Universal Portfolio (Cover, "Universal portfolios", Mathematical Finance 1991): the wealth-weighted ' +
    'average of all constant rebalanced portfolios under a uniform prior over the simplex. The integral is ' +
    'approximated by Monte-Carlo: `samples` CRPs drawn once from Dirichlet(alpha) with a seeded RNG (seed = the ' +
    'run seed), their wealths tracked from the first decision; in 30 dimensions the sample is sparse, so this is ' +
    'an approximation whose error grows with the history length.',
  family: 'online',
  hindsight: false,
  params: UP_PARAMS,
  create(ctx: StrategyContext): StrategyInstance {
    const p = readParams(UP_PARAMS, ctx.params, 'up');
    const count = int(p, 'samples');
    const alpha = num(p, 'alpha');
    let state: UpState | undefined;
    return runOnline(
      {
        step(view, x) {
          state ??= {
            samples: dirichletSamples(count, view.nAssets, alpha, `up:${ctx.seed}`),
            count,
            logWealth: new Float64Array(count),
          };
          return upUpdate(state, x);
        },
      },
      'up',
    );
  },
};
