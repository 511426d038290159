/**
 * A three-level run's macro inputs (docs/three-level.md "Macro inputs"): the series the parameters `macroUniverse`
 * and `macroSeries` ask for, found among the universes of the run's database (StrategyContext.series), with the
 * errors a person can act on; and what of them a learned Level 1's training key must name.
 *
 * A macro universe is an ordinary imported universe (one ticker a series, the close its value); nothing marks it as
 * not tradable, and any universe may serve, the strategy's own included. Its series are read on the dates the price
 * loader gives it (store/prices.ts: the dates on which every member has a value), so series of different calendars
 * belong in one import with `--fill ffill`, or in universes of their own.
 */
import { createHash } from 'node:crypto';
import type { StrategicMacro } from '../../agents/threelevel/strategic-macro';
import type { PriceMatrix } from '../../market/prices';
import type { StrategyContext } from '../types';

/** The series a run asks for: a universe and some of its tickers (none = all of them, in the universe's order). */
export interface MacroRequest {
  universe: string;
  series: string[];
}

/** The series found: the strategic config's `macro` and the universe's stored closes. */
export interface RunMacro {
  config: StrategicMacro;
  matrix: PriceMatrix;
}

/**
 * The series `req` asks for, from the run's database. Errors (RangeError, prefixed with the strategy id): the run has
 * no database to read from; the universe is not in it (naming the universes it holds); it holds no dated values; a
 * named series is not one of its tickers (naming those it holds).
 */
export function resolveRunMacro(ctx: StrategyContext, id: string, req: MacroRequest): RunMacro {
  const u = req.universe;
  if (!ctx.series)
    throw new RangeError(
      `${id}: macroUniverse "${u}" asks for imported series, but this run has no database to read them from (run it as a backtest over the database that holds them)`,
    );
  const matrix = ctx.series.read(u);
  if (!matrix) {
    const known = ctx.series.universes();
    throw new RangeError(
      `${id}: macroUniverse "${u}" is not a universe of this database (its universes: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  if (!matrix.dates.length)
    throw new RangeError(
      `${id}: macroUniverse "${u}" holds no date on which all its series have a value (import them with --fill ffill, or as universes of their own)`,
    );
  const names = req.series.length ? req.series : matrix.tickers;
  const missing = names.filter((x) => !matrix.tickers.includes(x));
  if (missing.length)
    throw new RangeError(
      `${id}: macroSeries names ${missing.join(', ')}, which universe "${u}" does not hold (its series: ${matrix.tickers.join(', ')})`,
    );
  return { config: { universe: u, series: [...names] }, matrix };
}

/**
 * What a training key names of the macro inputs: the universe, the series and a sha256 over every date of the
 * series' matrix up to `lastDate` (the training window's last date) with the named series' values on it — what the
 * training could read, so a change to any of them trains anew.
 */
export function macroKeyPart(
  macro: RunMacro,
  lastDate: string,
): { universe: string; series: string[]; values: string } {
  const { matrix, config } = macro;
  const cols = config.series.map((x) => matrix.tickers.indexOf(x));
  const h = createHash('sha256');
  h.update(JSON.stringify(config.series));
  for (let d = 0; d < matrix.dates.length && matrix.dates[d]! <= lastDate; d++) {
    h.update(matrix.dates[d]!);
    const row = Float64Array.from(cols, (c) => matrix.close[d]![c]!);
    h.update(new Uint8Array(row.buffer));
  }
  return { universe: config.universe, series: config.series, values: h.digest('hex') };
}
