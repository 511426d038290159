/**
 * The rules of MAPS outside its networks (docs/drl-baselines.md "MAPS"), pure and small so the trainer and the
 * strategy share them and tests pin them by hand:
 *   - the reward of each action on asset i at day t, in percent of the next day's simple return
 *     R = 100 (close[t + 1] / close[t] - 1): Long +R, Hold 0, Short -R (action x next return; the asset's position
 *     does not change what the market does next, so all three rewards are known for every sample);
 *   - the Q-target of agent k for action a: y_k,a = r_a + gamma max_a' Q'_k(s')_a', with Q'_k agent k's target
 *     network at the next day's window s' (only when gamma > 0; with gamma = 0, y is the reward);
 *   - the combined decision of the agents for one asset: the class (agents/lhs/classes.ts predictedClass, a tie
 *     never going to Long) of the agents' averaged Q-values, and the agents' agreement, the share of agents whose
 *     own preferred action is that class. The book over the assets is the Long/Hold/Short baselines' long-only
 *     book (equal weight over the assets whose class is Long, all cash when none is).
 * Q-value layout everywhere: [row][agent][action], actions in the class order Long, Hold, Short.
 */
import { CLASS_COUNT, longOnlyBook, predictedClass } from '../lhs/classes';

/** Rewards are percent returns, the scale of the input windows (agents/lhs/samples.ts lhsFeatures). */
export const MAPS_REWARD_SCALE = 100;

/** R = 100 (close[t + 1] / close[t] - 1) for the closes of day t and of the next day. */
export function nextReturn(now: number, next: number): number {
  if (!(now > 0 && next > 0 && Number.isFinite(now) && Number.isFinite(next)))
    throw new RangeError(`MAPS reward needs positive prices, got ${now} and ${next}`);
  return MAPS_REWARD_SCALE * (next / now - 1);
}

/**
 * The Q-targets [rows, K, 3] of `rows` samples with next-day returns R [rows] (see the file overview). `nextQ` is
 * the target networks' Q [rows, K, 3] at the next windows, read only when gamma > 0.
 */
export function qTargets(
  R: ArrayLike<number>,
  rows: number,
  agents: number,
  gamma: number,
  nextQ: ArrayLike<number> | null,
): Float32Array {
  if (R.length !== rows) throw new RangeError(`${R.length} returns for ${rows} samples`);
  if (gamma > 0 && (!nextQ || nextQ.length !== rows * agents * CLASS_COUNT))
    throw new RangeError(`MAPS targets with gamma ${gamma} need the next Q-values of ${rows} x ${agents} agents`);
  const y = new Float32Array(rows * agents * CLASS_COUNT);
  for (let b = 0; b < rows; b++) {
    const r = R[b]!;
    for (let k = 0; k < agents; k++) {
      const o = (b * agents + k) * CLASS_COUNT;
      let boot = 0;
      if (gamma > 0) boot = gamma * Math.max(nextQ![o]!, nextQ![o + 1]!, nextQ![o + 2]!);
      y[o] = r + boot;
      y[o + 1] = boot;
      y[o + 2] = -r + boot;
    }
  }
  return y;
}

/** The agents' combined decision over `rows` assets (see the file overview). */
export interface MapsCombined {
  /** the class of each asset's averaged Q-values */
  classes: Uint8Array;
  /** per asset, the share of agents whose own preferred action is that class */
  agreement: Float64Array;
}

/** Combine the Q-values q [rows, K, 3] of K agents (see the file overview). */
export function combineAgents(q: ArrayLike<number>, rows: number, agents: number): MapsCombined {
  if (q.length !== rows * agents * CLASS_COUNT)
    throw new RangeError(`${q.length} Q-values for ${rows} assets x ${agents} agents x ${CLASS_COUNT} actions`);
  const classes = new Uint8Array(rows);
  const agreement = new Float64Array(rows);
  const mean = new Float64Array(CLASS_COUNT);
  for (let r = 0; r < rows; r++) {
    mean.fill(0);
    for (let k = 0; k < agents; k++)
      for (let a = 0; a < CLASS_COUNT; a++) mean[a]! += q[(r * agents + k) * CLASS_COUNT + a]! / agents;
    const c = predictedClass(mean);
    let agree = 0;
    for (let k = 0; k < agents; k++) if (predictedClass(q, (r * agents + k) * CLASS_COUNT) === c) agree++;
    classes[r] = c;
    agreement[r] = agree / agents;
  }
  return { classes, agreement };
}

/** The long-only book of one day's Q-values over the assets, with the combined decision it came from. */
export function mapsBook(
  q: ArrayLike<number>,
  assets: number,
  agents: number,
): MapsCombined & { weights: Float64Array; cash: number } {
  const c = combineAgents(q, assets, agents);
  return { ...c, ...longOnlyBook(c.classes) };
}
