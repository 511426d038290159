/**
 * Anticor (Borodin, El-Yaniv & Gogan, "Can we learn to beat the best stock", JAIR 21, 2004)
 * (a classic baseline, docs/architecture.md "Strategies").
 */
import type { MarketView } from '../../market/view';
import type { StrategyContext, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { runOnline } from './online';
import { int, readParams } from './params';
import { driftWeights } from './simplex';

/**
 * The Anticor transfer step at day t with window w. `bTilde` is the current portfolio after the day's price
 * moves. With LX1 = log relatives of days t-2w+1..t-w and LX2 = those of t-w+1..t (columns = assets), mu1, mu2
 * their column means and Mcor(i,j) the correlation of LX1_i with LX2_j (covariance and deviations over w-1;
 * 0 where a deviation is 0): for mu2_i > mu2_j and Mcor(i,j) > 0, claim(i->j) = Mcor(i,j) + max(0, -Mcor(i,i))
 * + max(0, -Mcor(j,j)); asset i transfers bTilde_i claim(i->j) / sum_k claim(i->k) to j. Gives the new portfolio
 * (new array). With t < 2w (not enough history) gives bTilde unchanged.
 */
export function anticorStep(view: MarketView, bTilde: ArrayLike<number>, w: number): Float64Array {
  const n = view.nAssets;
  const t = view.t;
  const out = Float64Array.from(bTilde);
  if (t < 2 * w || w < 2) return out;
  // closes t-2w .. t give log relatives of days t-2w+1 .. t
  const closes = view.closeWindow(2 * w + 1);
  const lx1: Float64Array[] = [];
  const lx2: Float64Array[] = [];
  for (let k = 1; k <= 2 * w; k++) {
    const a = closes[k]!;
    const b = closes[k - 1]!;
    const row = new Float64Array(n);
    for (let i = 0; i < n; i++) row[i] = Math.log(a[i]! / b[i]!);
    (k <= w ? lx1 : lx2).push(row);
  }
  const mu1 = new Float64Array(n);
  const mu2 = new Float64Array(n);
  for (let k = 0; k < w; k++)
    for (let i = 0; i < n; i++) {
      mu1[i]! += lx1[k]![i]!;
      mu2[i]! += lx2[k]![i]!;
    }
  for (let i = 0; i < n; i++) {
    mu1[i] = mu1[i]! / w;
    mu2[i] = mu2[i]! / w;
  }
  const d1 = lx1.map((r) => r.map((v, i) => v - mu1[i]!));
  const d2 = lx2.map((r) => r.map((v, i) => v - mu2[i]!));
  const sd1 = new Float64Array(n);
  const sd2 = new Float64Array(n);
  for (let k = 0; k < w; k++)
    for (let i = 0; i < n; i++) {
      sd1[i]! += d1[k]![i]! ** 2;
      sd2[i]! += d2[k]![i]! ** 2;
    }
  for (let i = 0; i < n; i++) {
    sd1[i] = Math.sqrt(sd1[i]! / (w - 1));
    sd2[i] = Math.sqrt(sd2[i]! / (w - 1));
  }
  const cor = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (sd1[i] === 0 || sd2[j] === 0) continue;
      let c = 0;
      for (let k = 0; k < w; k++) c += d1[k]![i]! * d2[k]![j]!;
      cor[i * n + j] = c / (w - 1) / (sd1[i]! * sd2[j]!);
    }
  const claim = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const c = cor[i * n + j]!;
      if (mu2[i]! > mu2[j]! && c > 0)
        claim[i * n + j] = c + Math.max(0, -cor[i * n + i]!) + Math.max(0, -cor[j * n + j]!);
    }
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let j = 0; j < n; j++) total += claim[i * n + j]!;
    if (total <= 0) continue;
    for (let j = 0; j < n; j++) {
      const tr = (bTilde[i]! * claim[i * n + j]!) / total;
      out[i]! -= tr;
      out[j]! += tr;
    }
  }
  return out;
}

const ANTICOR_PARAMS: StrategyParamSpec[] = [
  {
    name: 'window',
    description:
      'window w in days (two adjacent windows of w log relatives are compared; 30: the largest window Borodin et al. 2004 combine, and the default of the OLPS toolbox of Li, Sahoo & Hoi, JMLR 2016)',
    default: 30,
    min: 2,
    max: 500,
  },
];

export const anticor: StrategyDef = {
  id: 'anticor',
  label: 'Anticor',
  description:
    'Anticor_w (Borodin, El-Yaniv & Gogan, "Can we learn to beat the best stock", JAIR 2004): compare two ' +
    'adjacent windows of w daily log relatives; move wealth from asset i to asset j when i outperformed j in the ' +
    "latest window and i's earlier returns are positively correlated with j's later ones (claims = the cross-" +
    'correlation plus negative auto-correlations), betting that the pattern reverses. The weights moved are those ' +
    'of the current, price-drifted portfolio. Default w = 30; history before the test window is used when visible.',
  family: 'online',
  hindsight: false,
  params: ANTICOR_PARAMS,
  create(ctx: StrategyContext): StrategyInstance {
    const p = readParams(ANTICOR_PARAMS, ctx.params, 'anticor');
    const w = int(p, 'window');
    let b: Float64Array | undefined;
    return runOnline(
      {
        step(view, x) {
          const cur = b ?? new Float64Array(view.nAssets).fill(1 / view.nAssets);
          b = anticorStep(view, driftWeights(cur, x), w);
          return b;
        },
      },
      'anticor',
    );
  },
};
