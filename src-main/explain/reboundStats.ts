/**
 * Statistics of rebound flags over a run (SAMP-HDRL step 5: "every flag ... is stored and shown
 * to the user"; the paper, §4.6.3: rebound detection exists to filter false signals in bear-market recoveries).
 *
 * Overview
 * - A flag at day t (index into `series`) with trough L is FALSE when the series makes a new low strictly
 *   below L within the next `horizon` days (t+1..t+horizon). If the series ends before t + horizon and no
 *   new low has happened yet, the outcome is undetermined (`falseRebound: null`) and left out of the rate.
 * - The trough is taken from the flag when it carries one (ReboundFlag from rebound.ts), else it is the
 *   minimum of the series over the `troughLookback` days up to t (plain boolean flags).
 * - Also per flag: the forward return over the horizon and the worst move below the flag-day level within
 *   it (max adverse excursion). Summary: counts, false rate, means, hit rate of the forward return.
 * This is an evaluation over a finished run: it looks forward from each flag by design (it is not a signal).
 */

/** Settings of {@link reboundStats}. */
export interface ReboundStatsSettings {
  /** Days after a flag in which a new low below the trough makes it false (N). Default 20. */
  horizon: number;
  /** For boolean flags: trough = min of the series over this many days up to the flag day. Default 60. */
  troughLookback: number;
}

export const REBOUND_STATS_DEFAULTS: ReboundStatsSettings = { horizon: 20, troughLookback: 60 };

/** Outcome of one flag. */
export interface ReboundOutcome {
  dayIndex: number;
  trough: number;
  /** true = new low within the horizon, false = none, null = undetermined (series too short) */
  falseRebound: boolean | null;
  /** days from the flag to the first new low (null if none seen) */
  daysToNewLow: number | null;
  /** series[t + horizon] / series[t] - 1 (NaN when beyond the series) */
  forwardReturn: number;
  /** min over t+1..min(t+horizon, end) of series / series[t] - 1 (0 when no later day) */
  maxAdverse: number;
}

/** Summary over all flags of a run. */
export interface ReboundSummary {
  outcomes: ReboundOutcome[];
  count: number;
  falseCount: number;
  /** flags whose outcome is decided (count - undetermined) */
  determined: number;
  undetermined: number;
  /** falseCount / determined (NaN if none determined) */
  falseRate: number;
  /** mean forward return over flags with a full horizon (NaN if none) */
  meanForwardReturn: number;
  /** share of those with a positive forward return */
  hitRate: number;
  meanMaxAdverse: number;
  /** mean daysToNewLow over false flags (NaN if none) */
  meanDaysToNewLow: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/**
 * Count false rebounds and summarise flag outcomes (rules in the file overview).
 * @param series the level series the flags were raised on (e.g. a group index), oldest first
 * @param flags either one boolean per day, or flags with `dayIndex` (into `series`) and optionally `trough`
 */
export function reboundStats(
  series: ArrayLike<number>,
  flags: readonly boolean[] | readonly { dayIndex: number; trough?: number }[],
  settings: Partial<ReboundStatsSettings> = {},
): ReboundSummary {
  const s = { ...REBOUND_STATS_DEFAULTS, ...settings };
  const T = series.length;
  const list: { dayIndex: number; trough?: number }[] = [];
  if (flags.length && typeof flags[0] === 'boolean')
    (flags as readonly boolean[]).forEach((f, t) => f && list.push({ dayIndex: t }));
  else list.push(...(flags as readonly { dayIndex: number; trough?: number }[]));
  const outcomes: ReboundOutcome[] = list.map(({ dayIndex: t, trough: given }) => {
    if (!(t >= 0 && t < T)) throw new RangeError(`flag day ${t} outside the series`);
    let trough = given ?? Infinity;
    if (given === undefined)
      for (let d = Math.max(0, t - s.troughLookback + 1); d <= t; d++) trough = Math.min(trough, series[d]!);
    const end = Math.min(T - 1, t + s.horizon);
    let daysToNewLow: number | null = null;
    let worst = Infinity;
    for (let d = t + 1; d <= end; d++) {
      const v = series[d]!;
      worst = Math.min(worst, v);
      if (daysToNewLow === null && v < trough) daysToNewLow = d - t;
    }
    const full = t + s.horizon <= T - 1;
    return {
      dayIndex: t,
      trough,
      falseRebound: daysToNewLow !== null ? true : full ? false : null,
      daysToNewLow,
      forwardReturn: full ? series[t + s.horizon]! / series[t]! - 1 : Number.NaN,
      maxAdverse: worst === Infinity ? 0 : Math.min(0, worst / series[t]! - 1),
    };
  });
  const determined = outcomes.filter((o) => o.falseRebound !== null);
  const falses = outcomes.filter((o) => o.falseRebound === true);
  const fwd = outcomes.map((o) => o.forwardReturn).filter(Number.isFinite);
  return {
    outcomes,
    count: outcomes.length,
    falseCount: falses.length,
    determined: determined.length,
    undetermined: outcomes.length - determined.length,
    falseRate: determined.length ? falses.length / determined.length : Number.NaN,
    meanForwardReturn: mean(fwd),
    hitRate: fwd.length ? fwd.filter((r) => r > 0).length / fwd.length : Number.NaN,
    meanMaxAdverse: mean(outcomes.map((o) => o.maxAdverse)),
    meanDaysToNewLow: mean(falses.map((o) => o.daysToNewLow!)),
  };
}
