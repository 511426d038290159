/**
 * Does a learning strategy beat equal weight? The one rule behind the CLI's verdict lines, the results document
 * (its "Against equal weight" list and the at-a-glance count), the desk's Backtests view and every report.
 *
 * - The reference is equal weight run on the same test window and market (settings.ts): crp (rebalanced to 1/N
 *   every day) when it ran, else ubah (1/N bought once, then left to drift).
 * - A strategy BEATS equal weight when its mean Sharpe ratio AND its mean cumulative return over its seeds are
 *   both strictly higher than equal weight's means. A tie is not a win; a higher Sharpe with a lower return (or
 *   the reverse) is not a win either: a PM who holds it earns less, or earns the same with more risk.
 * - Means follow stats.ts (NaN left out). When one of the four means has no value at all (no run of equal
 *   weight, or every run's figure undefined) the verdict is 'not-comparable', never a silent "does not beat".
 * - Seed by seed, a run beats equal weight when its own Sharpe and cumulative return are both higher than equal
 *   weight's means; `seedsBeating` counts those runs (a run with an undefined figure does not beat).
 */
import { meanStd, type MeanStd } from './stats';

/** Strategies that hold equal weights, in order of preference as the reference. */
export const EQUAL_WEIGHT_IDS = ['crp', 'ubah'] as const;
export type EqualWeightId = (typeof EQUAL_WEIGHT_IDS)[number];

/** The equal-weight reference among the strategies that ran: crp, else ubah, else undefined. */
export function equalWeightReference(ran: (id: EqualWeightId) => boolean): EqualWeightId | undefined {
  return EQUAL_WEIGHT_IDS.find((id) => ran(id));
}

/** The two figures of one run the verdict reads (fractions for the return; NaN when undefined). */
export interface VerdictFigures {
  sharpe: number;
  cumulativeReturn: number;
}

export type VerdictOutcome = 'beats' | 'does-not-beat' | 'not-comparable';

export interface EqualWeightVerdict {
  outcome: VerdictOutcome;
  /** the strategy's figures over its seeds */
  sharpe: MeanStd;
  cumulativeReturn: MeanStd;
  /** equal weight's figures over its runs */
  ewSharpe: MeanStd;
  ewCumulativeReturn: MeanStd;
  /** the strategy's runs that beat equal weight's means on both figures */
  seedsBeating: number;
  /** the strategy's runs */
  seeds: number;
}

/**
 * The verdict of a strategy's runs (one per seed, one test window) against equal weight's runs of the same window
 * and market (rule in the file overview).
 */
export function equalWeightVerdict(runs: readonly VerdictFigures[], ew: readonly VerdictFigures[]): EqualWeightVerdict {
  const sharpe = meanStd(runs.map((r) => r.sharpe));
  const cumulativeReturn = meanStd(runs.map((r) => r.cumulativeReturn));
  const ewSharpe = meanStd(ew.map((r) => r.sharpe));
  const ewCumulativeReturn = meanStd(ew.map((r) => r.cumulativeReturn));
  const base = { sharpe, cumulativeReturn, ewSharpe, ewCumulativeReturn, seeds: runs.length };
  if ([sharpe, cumulativeReturn, ewSharpe, ewCumulativeReturn].some((s) => Number.isNaN(s.mean)))
    return { ...base, outcome: 'not-comparable', seedsBeating: 0 };
  const beats = (s: number, c: number) => s > ewSharpe.mean && c > ewCumulativeReturn.mean;
  return {
    ...base,
    outcome: beats(sharpe.mean, cumulativeReturn.mean) ? 'beats' : 'does-not-beat',
    seedsBeating: runs.filter((r) => beats(r.sharpe, r.cumulativeReturn)).length,
  };
}

/** The verdict as a verb phrase: 'beats', 'does not beat', 'cannot be compared with' (followed by "equal weight"). */
export function verdictPhrase(outcome: VerdictOutcome): string {
  return outcome === 'beats' ? 'beats' : outcome === 'does-not-beat' ? 'does not beat' : 'cannot be compared with';
}
