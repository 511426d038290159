/**
 * Sector scenarios (the HADAPS paper, seed 001, "Dataset and evaluation"): a ticker subset of a universe chosen
 * for one walk-forward window from that window's TRAINING days only, so the test days can never decide which
 * stocks a strategy trades (docs/backtest-conventions.md "Sector scenarios").
 *
 * The paper's stock scenarios are two: the two sectors of highest volatility over the training period, five
 * stocks each (`volatile-sectors`), and the two of lowest volatility (`calm-sectors`); cash is the third asset
 * class in both. Cash needs nothing here: every strategy in this engine may leave part of the book in cash.
 *
 * The rule, step by step (the names and the stored shape live in src-shared/domain/runConfig.ts):
 * 1. each member's volatility = the annualised sample standard deviation of its daily simple returns whose both
 *    closes lie inside [trainStart, trainEnd] (metrics/index.ts annualVolatility);
 * 2. a sector's volatility = the MEAN of its members' volatilities. Not the volatility of the sector's
 *    equal-weight index: that falls with the number of members (diversification), and sector sizes differ (the
 *    bundled DJIA universe has 1 to 6 per sector), so an index measure would favour small sectors as volatile;
 * 3. sectors are ranked by that volatility (highest first for volatile-sectors, lowest first for calm-sectors;
 *    a tie goes to the sector name) and the first two are taken;
 * 4. within a sector, the paper's five were the sector's large companies (market capitalisation), which the price
 *    data here do not hold. The rule used instead is the scenario's own criterion: the five most volatile members
 *    for volatile-sectors, the five calmest for calm-sectors (a tie goes to the ticker). It reads the same
 *    training days and nothing else. A sector with five members or fewer gives all of them; on the bundled DJIA
 *    universe that is every sector but Industrials (6 members), so there a scenario holds fewer than ten stocks.
 *
 * The chosen tickers keep the universe's column order; {@link restrictPrices} cuts a PriceMatrix down to them
 * before any strategy sees it, so every strategy of a window trades exactly the same assets.
 */
import type { RunScenario, RunScenarioName } from '../../src-shared/domain/runConfig';
import { SCENARIO_SECTORS, SCENARIO_STOCKS_PER_SECTOR } from '../../src-shared/domain/scenarios';
import { annualVolatility } from '../metrics';
import type { PriceMatrix } from './prices';

/** What a scenario chose for one window: the stored shape plus the tickers in the universe's column order. */
export interface ScenarioChoice extends RunScenario {
  /** every chosen ticker, in the universe's column order */
  tickers: string[];
}

/** The training days of a window, as walkforward.ts gives them (inclusive indices into the matrix's dates). */
export interface TrainingDays {
  trainStart: number;
  trainEnd: number;
  /** for messages: the window's label */
  label?: string;
}

/**
 * The annualised volatility of every column's daily returns over the training days (both closes of each return
 * inside [trainStart, trainEnd]). Needs at least two returns, i.e. three training days.
 */
export function trainingVolatilities(m: PriceMatrix, days: TrainingDays): Float64Array {
  const { trainStart, trainEnd } = days;
  const nReturns = trainEnd - trainStart;
  if (trainStart < 0 || trainEnd >= m.dates.length || nReturns < 2)
    throw new RangeError(
      `a sector scenario ranks sectors by their volatility over the training days, and window ${days.label ?? `${trainStart}..${trainEnd}`} has ${Math.max(0, trainEnd - trainStart + 1)} (at least 3 needed)`,
    );
  const out = new Float64Array(m.tickers.length);
  const r = new Float64Array(nReturns);
  for (let i = 0; i < m.tickers.length; i++) {
    for (let t = trainStart + 1; t <= trainEnd; t++) r[t - trainStart - 1] = m.close[t]![i]! / m.close[t - 1]![i]! - 1;
    out[i] = annualVolatility(r);
  }
  return out;
}

/**
 * Every member's sector, in column order. Throws a RangeError naming the universe when it has no sectors, when
 * some members lack one (listing them: a member left out silently would change the scenario), or when it has
 * fewer than two sectors.
 */
export function universeSectors(m: PriceMatrix): string[] {
  const assets = m.assets;
  const sectors = m.tickers.map((tk, i) => {
    const a = assets?.[i];
    return a && a.ticker === tk ? a.sector.trim() : '';
  });
  const missing = m.tickers.filter((_, i) => sectors[i] === '');
  const fix = `give each member a sector with \`hdrl import FILE... --universe ${m.universe} --meta META\``;
  if (missing.length === m.tickers.length)
    throw new RangeError(`universe "${m.universe}" has no sectors, and a sector scenario chooses sectors: ${fix}`);
  if (missing.length) {
    const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? ` and ${missing.length - 10} more` : '');
    throw new RangeError(
      `universe "${m.universe}": ${missing.length} of ${m.tickers.length} members have no sector (${shown}); a sector scenario needs every member's sector: ${fix}`,
    );
  }
  const distinct = new Set(sectors);
  if (distinct.size < SCENARIO_SECTORS)
    throw new RangeError(
      `universe "${m.universe}" has ${distinct.size} sector (${[...distinct].join(', ')}); a sector scenario takes ${SCENARIO_SECTORS}`,
    );
  return sectors;
}

/** What a scenario chooses in one window: see the file header for the rule. */
export function chooseScenario(m: PriceMatrix, name: RunScenarioName, days: TrainingDays): ScenarioChoice {
  const sectors = universeSectors(m);
  const vol = trainingVolatilities(m, days);
  // +1: highest first (volatile-sectors); -1: lowest first (calm-sectors)
  const dir = name === 'volatile-sectors' ? 1 : -1;
  const bySector = new Map<string, number[]>();
  sectors.forEach((s, i) => {
    const cols = bySector.get(s);
    if (cols) cols.push(i);
    else bySector.set(s, [i]);
  });
  const ranked = [...bySector.entries()]
    .map(([sector, cols]) => ({ sector, cols, volatility: cols.reduce((a, c) => a + vol[c]!, 0) / cols.length }))
    .sort((a, b) => dir * (b.volatility - a.volatility) || (a.sector < b.sector ? -1 : a.sector > b.sector ? 1 : 0));
  const taken = ranked.slice(0, SCENARIO_SECTORS).map(({ sector, cols, volatility }) => {
    const picked = [...cols]
      .sort((a, b) => dir * (vol[b]! - vol[a]!) || compareText(m.tickers[a]!, m.tickers[b]!))
      .slice(0, SCENARIO_STOCKS_PER_SECTOR);
    return { sector, volatility, members: cols.length, cols: picked };
  });
  const chosen = new Set(taken.flatMap((s) => s.cols));
  return {
    name,
    sectors: taken.map(({ sector, volatility, members, cols }) => ({
      sector,
      volatility,
      members,
      tickers: cols.map((c) => m.tickers[c]!),
    })),
    tickers: m.tickers.filter((_, i) => chosen.has(i)),
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The matrix cut down to `tickers` (every one a member; kept in the matrix's column order), with the same dates
 * and the members' names and sectors. A strategy given it cannot see the other members.
 */
export function restrictPrices(m: PriceMatrix, tickers: readonly string[]): PriceMatrix {
  const want = new Set(tickers);
  const unknown = tickers.filter((tk) => !m.tickers.includes(tk));
  if (unknown.length) throw new RangeError(`not members of universe "${m.universe}": ${unknown.join(', ')}`);
  const cols = m.tickers.flatMap((tk, i) => (want.has(tk) ? [i] : []));
  return {
    universe: m.universe,
    dates: m.dates,
    tickers: cols.map((c) => m.tickers[c]!),
    close: m.close.map((row) => Float64Array.from(cols, (c) => row[c]!)),
    ...(m.tradedValue ? { tradedValue: m.tradedValue.map((row) => Float64Array.from(cols, (c) => row[c]!)) } : {}),
    ...(m.assets ? { assets: cols.map((c) => m.assets![c]!) } : {}),
  };
}
