/**
 * MPLS on the desk (contract/mpls.ts, docs/mpls.md "Desk"):
 *   - runs.mpls: a run's fusion weights, sector allocation and conservative days over its decision days, built by
 *     src-shared/charts/mpls.ts from the decisions the run stored;
 *   - mpls.graph: the run's graph module at one of its test days. The model that made that day's decision (the key
 *     its detail records) is read from the models folder next to the database, its graph module rebuilt without
 *     retraining over the universe's closes (with the volatility and sentiment inputs it was fitted with, as the
 *     strategy rebuilds it: strategies/mpls storedGraphModule), and agents/mpls/graphModule.ts graphSnapshot read at
 *     that day. The backtest reads the universe's whole history (cut to the run's tickers), so the day index, and with
 *     it the graph's refresh day, is the one the run decided on.
 *
 * The last rebuilt module is kept per database (one run at a time: moving the date picker reads the same model),
 * and released when another run's or model's graph is asked for.
 *
 * Every refusal is a typed error with the reason: an unknown run (NOT_FOUND), a date that is no day of the calendar,
 * a run of another family, a run whose graph module was off, a date outside its test days (INVALID_INPUT), a model
 * file that is gone (NOT_FOUND) or that cannot be used with the stored data any more (CONFLICT).
 */
import { MPLS_GRAPH_EDGES, type MplsGraph, type MplsTimeline } from '../../src-shared/contract/mpls';
import { mplsTimelineOf } from '../../src-shared/charts/mpls';
import { mplsDetail } from '../../src-shared/domain/decision';
import type { GraphModule } from '../agents/mpls/graphModule';
import { loadUniversePrices } from '../backtest/run';
import type { PriceMatrix } from '../market/prices';
import { restrictPrices } from '../market/scenarios';
import type { DB } from '../store/db';
import { fileMplsModelStore, modelsDir } from '../store/models';
import { sentimentInput } from '../store/news';
import { getRun, getRunDetails, getRunWeightsAt } from '../store/runs';
import { invalidInput, notFound, ServiceError } from './errors';
import type { Handlers } from './types';

/**
 * The timeline of run `id`, or null when it is not an MPLS run (its last decision records no MPLS detail).
 * @throws ServiceError NOT_FOUND for an unknown run
 */
export function mplsTimeline(db: DB, id: string): MplsTimeline | null {
  if (!getRun(db, id)) throw notFound(`run ${id}`);
  // a run whose last decision is not an MPLS one made none: its details are not read
  if (!mplsDetail(getRunWeightsAt(db, id)?.detail)) return null;
  return mplsTimelineOf(getRunDetails(db, id));
}

/** A rebuilt graph module with the closes it reads. */
interface Rebuilt {
  /** run id and model key */
  of: string;
  graph: GraphModule;
  prices: PriceMatrix;
  dispose(): void;
}
const kept = new WeakMap<DB, Rebuilt>();

/** Whether a YYYY-MM-DD string names a day of the calendar (the contract checks only its shape). */
function isCalendarDay(date: string): boolean {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === date;
}

/** What rebuilding and reading a graph module needs, loaded on first use (as the registry loads the strategies). */
type Networks = [typeof import('../agents/mpls/graphModule'), typeof import('../strategies/mpls')];
const loadNetworks = (): Promise<Networks> =>
  Promise.all([import('../agents/mpls/graphModule'), import('../strategies/mpls')]);

/**
 * The stored model's graph module over the run's closes — the kept one, else rebuilt (and kept, releasing the one
 * kept before) — handed to `use`, which runs with no await between the lookup and its end, so no other request can
 * release the module while it is read.
 */
async function withGraph<T>(
  db: DB,
  run: NonNullable<ReturnType<typeof getRun>>,
  key: string,
  storedGraphModule: Networks[1]['storedGraphModule'],
  use: (r: Rebuilt) => T,
): Promise<T> {
  const of = `${run.id}\u0000${key}`;
  const have = kept.get(db);
  if (have?.of === of) return use(have);
  const dir = modelsDir(db);
  const file = `mpls-${key.slice(0, 12)}….json`;
  if (!dir) throw notFound(`the model of run ${run.id} (${file}): this database keeps no models folder`);
  let stored;
  try {
    stored = await fileMplsModelStore(dir).get(key);
  } catch (e) {
    throw new ServiceError('CONFLICT', `the model of run ${run.id} (${file}) cannot be read: ${(e as Error).message}`);
  }
  if (!stored) throw notFound(`the model of run ${run.id} (${file}) in the models folder next to the database`);
  const again = kept.get(db);
  if (again?.of === of) return use(again); // another request rebuilt it while this one read the file
  let built: ReturnType<typeof storedGraphModule>;
  let prices: PriceMatrix;
  try {
    const all = loadUniversePrices(db, run.universe);
    const tickers = run.config.tickers;
    prices =
      all.tickers.length === tickers.length && all.tickers.every((t, i) => t === tickers[i])
        ? all
        : restrictPrices(all, tickers);
    const news = stored.modules.sentiment ? sentimentInput(db, run.universe) : null;
    built = storedGraphModule(stored, prices, news);
  } catch (e) {
    throw new ServiceError(
      'CONFLICT',
      `the graph module of run ${run.id} cannot be rebuilt from its model over the stored data: ${(e as Error).message}`,
    );
  }
  if (!built) throw new ServiceError('CONFLICT', `the model of run ${run.id} (${file}) has no graph module`);
  kept.get(db)?.dispose();
  const entry: Rebuilt = { of, graph: built.graph, prices, dispose: built.dispose };
  kept.set(db, entry);
  return use(entry);
}

/**
 * The graph module of run `id` at its last decision day on or before `date` (see the file overview).
 * @throws ServiceError (see the file overview)
 */
export async function mplsGraph(db: DB, id: string, date: string): Promise<MplsGraph> {
  const run = getRun(db, id);
  if (!run) throw notFound(`run ${id}`);
  if (!isCalendarDay(date)) throw invalidInput(`${date} is not a day of the calendar`);
  const days = getRunDetails(db, id).flatMap((d) => {
    const m = mplsDetail(d.detail);
    return m ? [{ date: d.date, m }] : [];
  });
  const first = days[0];
  const last = days.at(-1);
  if (!first || !last)
    throw invalidInput(`run ${id} is a ${run.strategy} run, not an MPLS run: it has no graph module`);
  if (date < first.date || date > last.date)
    throw invalidInput(`${date} is not among the test days of run ${id} (${first.date} to ${last.date})`);
  const day = days.filter((d) => d.date <= date).at(-1)!;
  const g = day.m.modules.find((m) => m.name === 'graph');
  if (!g?.on)
    throw invalidInput(`run ${id} (${run.strategy}) decided without the graph module: ${g?.reason ?? 'not recorded'}`);
  const key = day.m.model?.key;
  if (!key) throw invalidInput(`the decision of run ${id} on ${day.date} records no model`);
  const [{ graphSnapshot }, { storedGraphModule }] = await loadNetworks();
  return withGraph(db, run, key, storedGraphModule, (r): MplsGraph => {
    const t = r.prices.dates.indexOf(day.date);
    if (t < 0) throw new ServiceError('CONFLICT', `the universe ${run.universe} no longer has closes on ${day.date}`);
    let snap: ReturnType<typeof graphSnapshot>;
    let adjacency: Float32Array;
    try {
      snap = graphSnapshot(r.graph, t, MPLS_GRAPH_EDGES, r.prices.tickers);
      adjacency = r.graph.reading(t).graph.adjacency;
    } catch (e) {
      throw new ServiceError(
        'CONFLICT',
        `the graph module of run ${id} cannot read ${day.date}: ${(e as Error).message}`,
      );
    }
    const N = r.prices.tickers.length;
    let edgeCount = 0;
    for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) if (adjacency[i * N + j] === 1) edgeCount++;
    const cfg = r.graph.artifact.cfg;
    return {
      id,
      date: day.date,
      refreshDate: r.prices.dates[snap.refreshDay]!,
      corrWindow: cfg.corrWindow,
      refreshEvery: cfg.refreshEvery,
      threshold: cfg.threshold,
      sectors: r.graph.layout.classes.map((c) => c.name),
      nodes: snap.nodes.map((n) => ({ ticker: n.ticker, sector: n.sector, score: n.score })),
      edges: snap.edges,
      edgeCount,
    };
  });
}

export const mplsHandlers: Handlers<'runs.mpls' | 'mpls.graph'> = {
  'runs.mpls': (req, engine) => mplsTimeline(engine.db, req.id),
  'mpls.graph': (req, engine) => mplsGraph(engine.db, req.id, req.date),
};
