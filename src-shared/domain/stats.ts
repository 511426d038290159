/**
 * Mean ± standard deviation over seeds (or any set of runs): the one rule every table, report and view uses.
 *
 * - NaN is "no value" (a metric that is undefined for a run, e.g. a ratio of 0/0; storage keeps it as NULL):
 *   it is left out of the mean and the spread and counted in `missing`, so a table can say that a figure covers
 *   fewer runs than the group holds. It never turns the whole group's figure into NaN.
 * - ±Infinity is a value (e.g. a Sortino ratio with no losing day): it is kept, so the mean is infinite (NaN
 *   when +Infinity and -Infinity meet, as they have no mean); the spread of values without a finite mean is
 *   undefined (std null).
 * - The spread is the sample standard deviation (denominator n - 1). With fewer than two values it is undefined:
 *   std is null, and tables then show the mean alone (no "± 0": one value has no spread, which is not the same
 *   as identical values, whose std is 0).
 * - No value at all: mean NaN, std null, n 0.
 */

/** Mean and spread of a set of values (see the file overview for the rule). */
export interface MeanStd {
  /** mean of the values that are not NaN; NaN when there is none */
  mean: number;
  /** sample standard deviation (n - 1); null with fewer than two values or an infinite mean */
  std: number | null;
  /** values averaged */
  n: number;
  /** NaN values left out */
  missing: number;
}

/** Mean and sample standard deviation of `values` under the rule of the file overview. */
export function meanStd(values: readonly number[]): MeanStd {
  const v = values.filter((x) => !Number.isNaN(x));
  const n = v.length;
  const missing = values.length - n;
  if (n === 0) return { mean: Number.NaN, std: null, n, missing };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2 || !Number.isFinite(mean)) return { mean, std: null, n, missing };
  const ss = v.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n, missing };
}
