/**
 * The rules of validated training (issue 15), pure and small so trainer.ts uses them and tests pin them:
 *   - `netSharpe`: the annualised Sharpe ratio of daily net simple returns (mean / sample std x sqrt(252), risk-free
 *     rate 0; 0 when the returns do not vary), the score of a validation run;
 *   - `CheckpointSelector`: after every episode, keep the checkpoint when its score beats the best so far (a NaN
 *     score never does), and say when `patience` episodes in a row have not (early stopping; 0 = never);
 *   - `learningRateScale`: the factor on both learning rates after `u` of a stage's `budget` updates — 1 for
 *     'constant', for 'cosine' floor + (1 - floor) (1 + cos(pi min(u, budget) / budget)) / 2, from 1 down to
 *     `floor` at the end of the budget.
 */
import type { SampConfig } from './config';

/** Trading days per year (annualisation of the validation Sharpe). */
export const VALIDATION_PERIODS_PER_YEAR = 252;

/** Annualised Sharpe ratio of daily simple returns (see file overview). */
export function netSharpe(returns: ArrayLike<number>): number {
  const n = returns.length;
  if (n < 2) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += returns[i]!;
  const mean = s / n;
  let q = 0;
  for (let i = 0; i < n; i++) q += (returns[i]! - mean) ** 2;
  const sd = Math.sqrt(q / (n - 1));
  return sd > 0 ? (mean / sd) * Math.sqrt(VALIDATION_PERIODS_PER_YEAR) : 0;
}

/** The best checkpoint so far: its 1-based episode, score and kept value. */
export interface Checkpoint<T> {
  episode: number;
  score: number;
  value: T;
}

/** Checkpoint selection with early stopping (see file overview). */
export class CheckpointSelector<T> {
  private kept: Checkpoint<T> | null = null;
  private since = 0;

  /** @param patience episodes in a row without a better score after which `stop` turns true (0 = never) */
  constructor(readonly patience: number) {
    if (!(Number.isInteger(patience) && patience >= 0))
      throw new RangeError(`patience must be a non-negative integer, got ${patience}`);
  }

  /** Record episode `episode`'s score; `take` is called (and its value kept) only when the score is the best. */
  observe(episode: number, score: number, take: () => T): boolean {
    const better = !Number.isNaN(score) && (this.kept === null || score > this.kept.score);
    if (better) {
      this.kept = { episode, score, value: take() };
      this.since = 0;
    } else this.since++;
    return better;
  }

  /** The best checkpoint so far (null before the first scored episode). */
  get best(): Checkpoint<T> | null {
    return this.kept;
  }

  /** True once `patience` episodes in a row did not improve (never with patience 0). */
  get stop(): boolean {
    return this.patience > 0 && this.since >= this.patience;
  }
}

/** The learning-rate factor after `u` of `budget` updates (see file overview). */
export function learningRateScale(cfg: Pick<SampConfig, 'lrSchedule' | 'lrFloor'>, u: number, budget: number): number {
  if (cfg.lrSchedule === 'constant' || !(budget > 0)) return 1;
  const p = Math.min(Math.max(u, 0), budget) / budget;
  return cfg.lrFloor + (1 - cfg.lrFloor) * 0.5 * (1 + Math.cos(Math.PI * p));
}
