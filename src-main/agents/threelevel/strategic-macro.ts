/**
 * The learned Level 1's optional macro inputs (docs/three-level.md "Macro inputs"): imported series (a rate, a
 * spread, an index level, VIX...) stored as a universe of their own, read beside the market's regimes.
 *
 * Alignment. A series has its own calendar. `alignMacroSeries` puts it on the strategy's dates: on day d the series
 * stands at its last value dated on or before dates[d] (the value known at that close), and has no value before its
 * first date. Each aligned value reads series values dated up to dates[d] only, so whatever reads the aligned values
 * of days 0..t reads nothing dated after t.
 *
 * Features of a series at day t, over the trailing `window` days (the strategic config's `signalWindow`, a year),
 * both read from the aligned values of days t − window..t only:
 *   - change: ln(value at t / value at the window's first day that has one) — the log change over the trailing year,
 *     shortened where the series begins later (0 when it begins at t);
 *   - z: (value at t − the mean of the window's values) / their sample standard deviation (0 with fewer than two
 *     values or none spread).
 * A series with no value yet at t gives 0 for both. Entered into the state as 3 × change (the scale of the class
 * trends) and z, each clipped to ±`MACRO_CLIP`, so one series that moved far from a value near zero cannot swamp the
 * rest of the state. Values are positive: the price import refuses anything else, so a series that can be zero or
 * negative is shifted before import.
 */
import type { PriceMatrix } from '../../market/prices';
import { sampleStd } from '../../metrics';

/** The entries a macro series adds to every class's state, in order. */
export const MACRO_FEATURES = ['macroChange', 'macroZ'] as const;

/** The bound (±) of each scaled macro entry. */
export const MACRO_CLIP = 5;

/** A strategic config's macro inputs: the universe the series come from and the series' names, in input order. */
export interface StrategicMacro {
  universe: string;
  series: string[];
}

/** Macro series on a price matrix's dates (see the file overview). */
export interface MacroInputs {
  universe: string;
  names: string[];
  /** values[s][d]: series s's last value dated on or before the d-th date; NaN before its first */
  values: Float64Array[];
  /** the date of that value (null before its first) */
  valueDates: (string | null)[][];
}

/** What Level 1 read of one series on one day (the decision detail records these). */
export interface MacroReading {
  name: string;
  /** the date of the value read, null when the series has no value yet */
  date: string | null;
  value: number | null;
  /** the log change over the trailing window, unscaled */
  change: number;
  /** the z-score against the trailing window, clipped to ±MACRO_CLIP */
  z: number;
}

/**
 * `names` (each a ticker of `series`) aligned to `dates` (ascending ISO dates; see the file overview). A RangeError
 * naming the series when one is not in the matrix.
 */
export function alignMacroSeries(series: PriceMatrix, names: readonly string[], dates: readonly string[]): MacroInputs {
  const cols = names.map((name) => {
    const c = series.tickers.indexOf(name);
    if (c < 0) throw new RangeError(`universe ${series.universe} holds no series ${name}`);
    return c;
  });
  const values = cols.map(() => new Float64Array(dates.length).fill(Number.NaN));
  const valueDates = cols.map(() => new Array<string | null>(dates.length).fill(null));
  let j = -1; // the last row of the series dated on or before dates[d]
  for (let d = 0; d < dates.length; d++) {
    while (j + 1 < series.dates.length && series.dates[j + 1]! <= dates[d]!) j++;
    if (j < 0) continue;
    cols.forEach((c, s) => {
      values[s]![d] = series.close[j]![c]!;
      valueDates[s]![d] = series.dates[j]!;
    });
  }
  return { universe: series.universe, names: [...names], values, valueDates };
}

const clip = (v: number) => Math.max(-MACRO_CLIP, Math.min(MACRO_CLIP, v));

/** What Level 1 reads of each series at day t over the trailing `window` days (see the file overview). */
export function macroReadings(macro: MacroInputs, t: number, window: number): MacroReading[] {
  return macro.names.map((name, s) => {
    const a = macro.values[s]!;
    if (!(t >= 0 && t < a.length)) throw new RangeError(`the macro series end on day ${a.length - 1}, not ${t}`);
    const now = a[t]!;
    if (!Number.isFinite(now)) return { name, date: null, value: null, change: 0, z: 0 };
    const from = Math.max(0, t - window);
    let first = from;
    while (!Number.isFinite(a[first]!)) first++;
    const change = Math.log(now / a[first]!);
    let count = 0;
    let sum = 0;
    for (let d = Math.max(first, t - window + 1); d <= t; d++) {
      sum += a[d]!;
      count++;
    }
    let z = 0;
    if (count >= 2) {
      const mean = sum / count;
      const sd = sampleStd(a.subarray(t - count + 1, t + 1));
      if (sd > 1e-12 * Math.abs(mean)) z = clip((now - mean) / sd);
    }
    return { name, date: macro.valueDates[s]![t]!, value: now, change, z };
  });
}

/** The state entries of `macroReadings` (MACRO_FEATURES per series, in series order). */
export function macroEntries(readings: readonly MacroReading[]): number[] {
  return readings.flatMap((r) => [clip(3 * r.change), r.z]);
}

/** A RangeError unless `macro` holds exactly the series `cfg` names, in its order (none without `cfg.macro`). */
export function checkMacroMatches(cfg: { macro?: StrategicMacro }, macro: MacroInputs | undefined): void {
  const want = cfg.macro?.series ?? [];
  const got = macro?.names ?? [];
  if (want.length !== got.length || want.some((n, i) => n !== got[i]))
    throw new RangeError(
      `the strategic config reads the macro series [${want.join(', ')}], the inputs hold [${got.join(', ')}]`,
    );
}
