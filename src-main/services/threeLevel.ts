/**
 * The runs.threeLevel channel (contract/runs.ts ThreeLevelTimeline): a three-level run's levels over its test days,
 * built by src-shared/charts/threeLevel.ts from what the run stored — its decisions and their details, its daily
 * cost and turnover, its cost-drag metrics — and the universe's closes of the run's stocks over the test window
 * (the tracking gap drifts the period's target with them, as the execution level did).
 */
import type { ThreeLevelTimeline } from '../../src-shared/contract';
import { threeLevelDetail, threeLevelTimelineOf } from '../../src-shared/charts/threeLevel';
import type { DB } from '../store/db';
import { loadPriceMatrix } from '../store/prices';
import { getRun, getRunDays, getRunDetails, getRunMetrics, getRunWeightSeries, getRunWeightsAt } from '../store/runs';
import { threeLevelConfigsFromParams } from '../strategies/threelevel/params';
import { notFound, ServiceError } from './errors';

/** A finite stored metric, else null. */
const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

/**
 * The timeline of run `id`, or null when it is not a three-level run (its last decision records no three-level
 * detail).
 * @throws ServiceError NOT_FOUND for an unknown run; INTERNAL when the universe no longer holds the run's closes
 */
export function threeLevelTimeline(db: DB, id: string): ThreeLevelTimeline | null {
  const run = getRun(db, id);
  if (!run) throw notFound(`run ${id}`);
  if (!threeLevelDetail(getRunWeightsAt(db, id)?.detail)) return null;
  const tickers = run.config.tickers;
  const details = new Map(getRunDetails(db, id).map((d) => [d.date, d.detail]));
  const weights = getRunWeightSeries(db, id, 'final');
  const days = getRunDays(db, id);
  const prices = loadPriceMatrix(db, run.universe, { from: run.windowFrom, to: run.windowTo });
  const row = new Map(prices.dates.map((d, k) => [d, k]));
  const col = tickers.map((t) => prices.tickers.indexOf(t));
  const missing = tickers.filter((_, j) => col[j]! < 0);
  if (missing.length)
    throw new ServiceError('INTERNAL', `the universe ${run.universe} no longer holds ${missing.join(', ')}`);
  const byDate = new Map(weights.map((w) => [w.date, w.weights]));
  const m = getRunMetrics(db, id);
  const commission = finite(m.costCommission);
  const spread = finite(m.costSpread);
  const impact = finite(m.costImpact);
  const maxTilt = threeLevelConfigsFromParams(run.strategy, run.config.params).tactical.maxTilt;
  return threeLevelTimelineOf(
    tickers,
    days.dates.map((date, k) => {
      const r = row.get(date);
      if (r === undefined) throw new ServiceError('INTERNAL', `the universe ${run.universe} has no closes on ${date}`);
      const closes = prices.close[r]!;
      return {
        date,
        detail: details.get(date),
        weights: byDate.get(date) ?? [],
        closes: col.map((c) => closes[c]!),
        cost: days.cost[k]!,
        turnover: days.turnover[k]!,
      };
    }),
    {
      maxTilt,
      costSplit: commission !== null && spread !== null && impact !== null ? { commission, spread, impact } : null,
    },
  );
}
