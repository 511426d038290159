/**
 * Backtest orchestration: run strategies x seeds x walk-forward windows over a universe, compute the metrics,
 * flag suspicious results, and store every run (docs/backtest-conventions.md; docs/architecture.md "Storage").
 *
 * With a sector scenario (`scenario`, market/scenarios.ts), each window's tickers are chosen first, from that
 * window's training days, all before the first run starts; every strategy of the window then gets the price matrix
 * cut down to them (ctx.prices, the simulation, the stored weights and config.tickers alike).
 *
 * For each (strategy, seed, window) — in that nesting order — `runBacktest`:
 * 1. inserts the `runs` row with status 'running' (config JSON, seed, code version, pid);
 * 2. creates the strategy with a StrategyContext for the window (train and test indices, seed, resolved
 *    params, progress, signal, the universe's stored news read on first use (backtest/models.ts runNews; none
 *    without a database), the database's universes to read other series from (runSeries: macro series; none
 *    without a database); hindsight strategies also get `future` = the price relatives of days
 *    testStart+1..testEnd, the ones the portfolio will earn);
 * 3. simulates it (market/simulate.ts) with the cost / rebalance / risk-free settings and, when the request asks
 *    for it (`impact`), the half-spread and market-impact model (market/costs.ts) for every strategy of the run,
 *    then releases the instance (market/decision.ts usingInstance: its ONNX Runtime sessions), whether the
 *    simulation completed, failed or was cancelled;
 * 4. computes the metrics (metrics/index.ts) and the flags:
 *    - 'close-to-equal-weight' when the MEAN DAILY L1 distance between the target weights (cash included, with
 *      target 0) and the equal-weight portfolio 1/n is below `ewThreshold` (default 0.1). The daily distance
 *      is averaged, not the distance of the averaged weights, so a strategy that rotates among assets is not
 *      flagged just because its rotations average out; a policy that collapsed to (nearly) 1/n is.
 *    - 'concentrated' when on some day one stock held more than half the book or the effective number of
 *      holdings fell below 2 (the guard of src-shared/domain/concentration.ts, read from the metrics);
 *    - 'train-truncated' when the data held less history before the test window than the protocol asks;
 * 5. writes all of the run's rows in one transaction and marks it 'complete' (store/runs.ts), or marks it
 *    'failed' / 'cancelled'. A killed process leaves a 'running' row that markOrphanedRuns turns into 'killed'.
 *
 * A strategy that throws fails its own run only (status 'failed', error kept); the others go on. An abort of
 * `signal` cancels the current run (stored as 'cancelled') and stops with JobCancelled (jobs/context.ts).
 */
import type { DB } from '../store/db';
import { loadPriceMatrix, UnknownUniverseError } from '../store/prices';
import type { PriceMatrix } from '../market/prices';
import { usingInstance } from '../market/decision';
import {
  simulate,
  parseRebalance,
  SIMULATION_DEFAULTS,
  type Rebalance,
  type SimulationResult,
} from '../market/simulate';
import {
  explicitWindow,
  protocolWindows,
  DEFAULT_LOOKBACK_DAYS,
  type ProtocolName,
  type WalkWindow,
} from '../market/walkforward';
import { chooseScenario, restrictPrices, type ScenarioChoice } from '../market/scenarios';
import { resolveImpact, type ImpactSettings } from '../market/costs';
import { computeMetrics, type Metrics } from '../metrics';
import type { RunScenarioName } from '../../src-shared/domain/runConfig';
import { SCENARIO_NAMES } from '../../src-shared/domain/scenarios';
import { FLAG_CONCENTRATED, isConcentrated } from '../../src-shared/domain/concentration';
import { getStrategy, resolveParams } from '../strategies/registry';
import { installModelStores, runNews, runSeries } from './models';
import type { StrategyContext, StrategyDef } from '../strategies/types';
import { completeRun, endRun, insertRunningRun, newRunId } from '../store/runs';
import { getCodeVersion } from '../version';
import { JobCancelled } from '../jobs/context';

/** Mean daily L1 distance from equal weight below which a run is flagged 'close-to-equal-weight'. */
export const EW_FLAG_THRESHOLD = 0.1;
export const FLAG_CLOSE_TO_EW = 'close-to-equal-weight';
export const FLAG_TRAIN_TRUNCATED = 'train-truncated';

/** What to backtest. Dates are ISO (YYYY-MM-DD). */
export interface BacktestRequest {
  universe: string;
  /** strategy ids (see strategies/registry.ts) */
  strategies: string[];
  /** explicit test window (with `lookback` training days before it); ignored filters when `protocol` is set */
  from?: string;
  to?: string;
  /** training days before an explicit window (default 252) */
  lookback?: number;
  /** named walk-forward protocol; with from/to, only its windows inside [from, to] are run */
  protocol?: ProtocolName;
  /** trade only the tickers this sector scenario chooses in each window (market/scenarios.ts) */
  scenario?: RunScenarioName;
  /** proportional cost (default 0.001) */
  cost?: number;
  /**
   * charge the half-spread and square-root market impact besides the proportional cost (market/costs.ts); missing
   * fields take the model's defaults, `{}` all of them. Absent: the proportional cost alone
   */
  impact?: Partial<ImpactSettings>;
  rebalance?: Rebalance | string;
  /** annual risk-free rate for cash and the ratios (default 0) */
  riskFreeRate?: number;
  /** number of seeds per strategy and window (default 1) */
  seeds?: number;
  /** first seed (default 1); seeds are seedFirst .. seedFirst + seeds - 1 */
  seedFirst?: number;
  /** per-strategy parameters: { [strategyId]: { name: value } } */
  params?: Record<string, Record<string, unknown>>;
  /** preset for learning strategies that declare a `preset` parameter (e.g. quick | paper) */
  preset?: string;
  /** threshold of the close-to-equal-weight flag (default 0.1) */
  ewThreshold?: number;
}

export interface BacktestHooks {
  /** use these prices instead of loading the universe from the database (tests, bench) */
  prices?: PriceMatrix;
  /** store runs in the database (default true) */
  store?: boolean;
  signal?: AbortSignal;
  /** overall progress over all runs, fraction 0..1 */
  progress?: (fraction: number, message: string, figures?: Record<string, number>) => void;
  /** called when a run has been stored (the CLI prints `run: ID`) */
  onRun?: (r: BacktestRunResult) => void;
  /** keep each run's SimulationResult in the results (default true) */
  keepSeries?: boolean;
  /** run only these windows of the request (indices into requestWindows; pretrain jobs take one each) */
  windowIndices?: readonly number[];
}

export interface BacktestRunResult {
  /** run id in the database (null when not stored) */
  runId: string | null;
  strategy: string;
  label: string;
  hindsight: boolean;
  seed: number;
  window: { label: string; from: string; to: string; trainFrom: string | null; trainTo: string | null };
  status: 'complete' | 'failed';
  error?: string;
  /** under a sector scenario: what it chose for this run's window (the run traded exactly its tickers) */
  scenario?: ScenarioChoice;
  metrics: Metrics | null;
  /**
   * the spread-and-impact model the run paid (defaults filled in); null or absent when it paid the proportional cost
   * only (results read back from stored runs may leave it out)
   */
  impact?: ImpactSettings | null;
  /**
   * with the impact model, the share of the run's asset trades whose average daily traded value was the proxy
   * (market/costs.ts); NaN when it traded nothing or did not complete, absent without the model
   */
  advProxyShare?: number;
  /** mean daily L1 distance of the target weights from equal weight */
  ewDistance: number;
  flags: string[];
  timings: Record<string, number>;
  sim?: SimulationResult;
}

/** Mean daily L1 distance of target rows (n risky + cash last) from the equal-weight portfolio (1/n, cash 0). */
export function meanDistanceFromEqualWeight(target: readonly Float64Array[], n: number): number {
  if (target.length === 0) return Number.NaN;
  const ew = 1 / n;
  let total = 0;
  for (const w of target) {
    let d = Math.abs(w[n] ?? 0);
    for (let i = 0; i < n; i++) d += Math.abs(w[i]! - ew);
    total += d;
  }
  return total / target.length;
}

/**
 * Load a universe's aligned closes (store/prices.ts loadPriceMatrix, the whole history: training windows need the
 * days before the test). Throws a RangeError for an unknown universe or one with fewer than 2 common dates.
 */
export function loadUniversePrices(db: DB, universe: string): PriceMatrix {
  let m: PriceMatrix;
  try {
    m = loadPriceMatrix(db, universe);
  } catch (e) {
    if (e instanceof UnknownUniverseError) throw new RangeError(`unknown universe "${universe}"`, { cause: e });
    throw e;
  }
  if (m.dates.length < 2)
    throw new RangeError(`universe "${universe}" has fewer than 2 dates on which every member has a close`);
  return m;
}

/** The windows a request asks for. */
export function requestWindows(
  dates: readonly string[],
  req: Pick<BacktestRequest, 'protocol' | 'from' | 'to' | 'lookback'>,
): WalkWindow[] {
  if (req.protocol) return protocolWindows(dates, req.protocol, { from: req.from, to: req.to });
  return [explicitWindow(dates, req.from, req.to, req.lookback ?? DEFAULT_LOOKBACK_DAYS)];
}

/**
 * What a sector scenario chose in each window, with the window's price matrix cut down to it; without a scenario,
 * the whole matrix for every window. Throws a RangeError for an unknown scenario or a universe it cannot use.
 */
export function windowMarkets(
  m: PriceMatrix,
  windows: readonly WalkWindow[],
  scenario: string | undefined,
): { prices: PriceMatrix; scenario?: ScenarioChoice }[] {
  if (scenario === undefined) return windows.map(() => ({ prices: m }));
  if (!(SCENARIO_NAMES as readonly string[]).includes(scenario))
    throw new RangeError(`unknown scenario "${scenario}" (use ${SCENARIO_NAMES.join(', ')})`);
  // windows that chose the same tickers share one matrix
  const cut = new Map<string, PriceMatrix>();
  return windows.map((w) => {
    const choice = chooseScenario(m, scenario as RunScenarioName, w);
    const key = choice.tickers.join('\u0000');
    let prices = cut.get(key);
    if (!prices) cut.set(key, (prices = restrictPrices(m, choice.tickers)));
    return { prices, scenario: choice };
  });
}

/** Relatives of days from..to (inclusive) of m. */
function relativesBetween(m: PriceMatrix, from: number, to: number): Float64Array[] {
  const out: Float64Array[] = [];
  const n = m.tickers.length;
  for (let t = from; t <= to; t++) {
    const x = new Float64Array(n);
    const a = m.close[t]!;
    const b = m.close[t - 1]!;
    for (let i = 0; i < n; i++) x[i] = a[i]! / b[i]!;
    out.push(x);
  }
  return out;
}

function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (e instanceof Error && e.name === 'AbortError');
}

/**
 * Run a backtest request (see the file header). Validates everything (strategy ids, params, windows, settings)
 * before the first run starts.
 * @returns one result per (strategy, seed, window), in that nesting order.
 */
export async function runBacktest(
  db: DB | null,
  req: BacktestRequest,
  hooks: BacktestHooks = {},
): Promise<BacktestRunResult[]> {
  const store = hooks.store !== false;
  if (store && !db) throw new Error('runBacktest: a database is needed to store runs');
  if (!req.strategies.length) throw new RangeError('no strategy given');
  const defs: StrategyDef[] = [];
  for (const id of req.strategies) defs.push(await getStrategy(id));
  // learned strategies keep their trained models next to the database and reuse them (backtest/models.ts)
  if (db && defs.some((d) => d.family === 'learning')) await installModelStores(db);
  const cost = req.cost ?? SIMULATION_DEFAULTS.cost;
  if (!(cost >= 0 && cost < 1)) throw new RangeError(`cost must be in [0, 1), got ${cost}`);
  const rebalance = parseRebalance(req.rebalance ?? 'daily');
  const riskFreeRate = req.riskFreeRate ?? 0;
  const nSeeds = req.seeds ?? 1;
  const seedFirst = req.seedFirst ?? 1;
  if (!Number.isInteger(nSeeds) || nSeeds < 1) throw new RangeError(`seeds must be a positive whole number`);
  if (!Number.isInteger(seedFirst)) throw new RangeError(`seed must be a whole number`);
  const ewThreshold = req.ewThreshold ?? EW_FLAG_THRESHOLD;
  const paramsById = new Map<string, Record<string, number | string | boolean>>();
  for (const d of defs) {
    const given: Record<string, unknown> = { ...(req.params?.[d.id] ?? {}) };
    if (req.preset && d.params.some((p) => p.name === 'preset') && given.preset === undefined)
      given.preset = req.preset;
    paramsById.set(d.id, resolveParams(d, given));
  }
  const m = hooks.prices ?? loadUniversePrices(db!, req.universe);
  const impact = req.impact ? resolveImpact(req.impact, m.tickers) : null;
  const allWindows = requestWindows(m.dates, req);
  if (allWindows.length === 0) throw new RangeError('the data hold no window for this request');
  const only = hooks.windowIndices;
  if (only?.some((k) => !Number.isInteger(k) || k < 0 || k >= allWindows.length))
    throw new RangeError(`window index out of range 0..${allWindows.length - 1}`);
  const windows = only ? allWindows.filter((_, k) => only.includes(k)) : allWindows;
  const markets = windowMarkets(m, windows, req.scenario);
  // one reader for the whole backtest: every run reads the same news (a scenario's cut keeps the universe)
  const news = db ? runNews(db, m.universe) : undefined;
  const series = db ? runSeries(db) : undefined;
  const codeVersion = store ? getCodeVersion() : '';
  const total = defs.length * nSeeds * windows.length;
  const results: BacktestRunResult[] = [];
  let done = 0;

  for (const def of defs) {
    for (let s = 0; s < nSeeds; s++) {
      const seed = seedFirst + s;
      for (const [k, w] of windows.entries()) {
        const { prices: wm, scenario } = markets[k]!;
        const n = wm.tickers.length;
        // a turn of the event loop before each run: a cancel that arrives as a message (a job's) is handled only
        // then, and a classic strategy's run never waits on anything that would give it one
        await new Promise((resolve) => setImmediate(resolve));
        if (hooks.signal?.aborted) throw new JobCancelled('backtest');
        const params = paramsById.get(def.id)!;
        const win = {
          label: w.label,
          from: m.dates[w.testStart]!,
          to: m.dates[w.testEnd]!,
          trainFrom: w.trainEnd >= w.trainStart ? m.dates[w.trainStart]! : null,
          trainTo: w.trainEnd >= w.trainStart ? m.dates[w.trainEnd]! : null,
        };
        const config = {
          universe: req.universe,
          tickers: wm.tickers,
          scenario: scenario ? { name: scenario.name, sectors: scenario.sectors } : null,
          strategy: def.id,
          params,
          seed,
          protocol: req.protocol ?? null,
          window: {
            ...win,
            validationFrom: w.validationStart !== undefined ? m.dates[w.validationStart]! : null,
            validationTo: w.validationEnd !== undefined ? m.dates[w.validationEnd]! : null,
            trainTruncated: w.trainTruncated,
          },
          lookback: req.protocol ? null : (req.lookback ?? DEFAULT_LOOKBACK_DAYS),
          cost,
          impact,
          rebalance,
          riskFreeRate,
          preset: req.preset ?? null,
          ewThreshold,
        };
        const runId = store ? newRunId() : null;
        // what every result of this run says about itself, complete or failed
        const identity = () => ({
          runId,
          strategy: def.id,
          label: def.label,
          hindsight: def.hindsight,
          seed,
          window: win,
          ...(scenario ? { scenario } : {}),
          impact,
        });
        const finish = (r: BacktestRunResult) => {
          results.push(r);
          hooks.onRun?.(r);
        };
        if (runId) {
          insertRunningRun(db!, {
            id: runId,
            universe: req.universe,
            strategy: def.id,
            config,
            seed,
            codeVersion,
            windowFrom: win.from,
            windowTo: win.to,
            trainFrom: win.trainFrom,
            trainTo: win.trainTo,
            hindsight: def.hindsight,
          });
        }
        const base = done / total;
        const report = (f: number, msg: string, figures?: Record<string, number>) =>
          hooks.progress?.(Math.min(1, base + f / total), `${def.id} seed ${seed} ${w.label}: ${msg}`, figures);
        const timings: Record<string, number> = {};
        const t0 = performance.now();
        try {
          const ctx: StrategyContext = {
            prices: wm,
            trainStart: w.trainStart,
            trainEnd: w.trainEnd,
            testStart: w.testStart,
            testEnd: w.testEnd,
            seed,
            params,
            progress: (p) => report(0.5 * p.fraction, p.message, p.figures),
            ...(hooks.signal ? { signal: hooks.signal } : {}),
            ...(def.hindsight ? { future: relativesBetween(wm, w.testStart + 1, w.testEnd) } : {}),
            ...(news ? { news } : {}),
            ...(series ? { series } : {}),
          };
          report(0, 'creating');
          const inst = await def.create(ctx);
          timings.createMs = performance.now() - t0;
          const t1 = performance.now();
          const sim = await usingInstance(inst, (strategy) =>
            simulate(wm, strategy, {
              strategyId: def.id,
              testStart: w.testStart,
              testEnd: w.testEnd,
              settings: { cost, rebalance, riskFreeRate, impact },
              signal: hooks.signal,
              onProgress: (f) => report(0.5 + 0.5 * f, 'simulating'),
            }),
          );
          timings.simulateMs = performance.now() - t1;
          timings.decideMs = sim.decideMs;
          const t2 = performance.now();
          const metrics = computeMetrics(
            {
              returns: sim.ret,
              turnover: sim.turnover.subarray(1),
              weights: sim.target,
              nRisky: n,
              cost: sim.cost,
              costSplit: { commission: sim.costCommission, spread: sim.costSpread, impact: sim.costImpact },
            },
            { riskFree: riskFreeRate },
          );
          const ewDistance = meanDistanceFromEqualWeight(sim.target, n);
          const flags: string[] = [];
          if (ewDistance < ewThreshold) flags.push(FLAG_CLOSE_TO_EW);
          if (isConcentrated(metrics)) flags.push(FLAG_CONCENTRATED);
          if (w.trainTruncated) flags.push(FLAG_TRAIN_TRUNCATED);
          timings.metricsMs = performance.now() - t2;
          if (runId) {
            const t3 = performance.now();
            const weights: Record<string, readonly (Float64Array | null)[]> = { final: sim.target };
            if (rebalance !== 'daily' && rebalance !== 1) weights.held = sim.held;
            for (const [agent, rows] of Object.entries(sim.agents ?? {}))
              weights[agent] = rows.map((r) => (r ? withCash(r) : null));
            let costTotal = 0;
            for (let k = 0; k < sim.cost.length; k++) costTotal += sim.cost[k]!;
            completeRun(db!, runId, {
              dates: sim.dates,
              value: sim.value,
              ret: sim.ret,
              turnover: sim.turnover,
              cost: sim.cost,
              weights,
              metrics: {
                ...metrics,
                ewDistance,
                costTotal,
                finalValue: sim.value[sim.value.length - 1]!,
                ...(sim.advProxyShare !== undefined ? { advProxyShare: sim.advProxyShare } : {}),
              },
              ...(sim.details ? { details: sim.details } : {}),
              flags,
              // the stored timings cover everything up to the write itself
              timings: { ...timings, totalMs: t3 - t0 },
            });
            timings.storeMs = performance.now() - t3;
          }
          timings.totalMs = performance.now() - t0;
          finish({
            ...identity(),
            status: 'complete',
            metrics,
            ...(sim.advProxyShare !== undefined ? { advProxyShare: sim.advProxyShare } : {}),
            ewDistance,
            flags,
            timings,
            ...(hooks.keepSeries !== false ? { sim } : {}),
          });
        } catch (e) {
          timings.totalMs = performance.now() - t0;
          if (isAbort(e, hooks.signal)) {
            if (runId) endRun(db!, runId, 'cancelled', null, timings);
            throw new JobCancelled('backtest');
          }
          const msg = e instanceof Error ? e.message : String(e);
          if (runId) endRun(db!, runId, 'failed', msg, timings);
          finish({
            ...identity(),
            status: 'failed',
            error: msg,
            metrics: null,
            ewDistance: Number.NaN,
            flags: [],
            timings,
          });
        }
        done++;
        hooks.progress?.(done / total, `${done} of ${total} runs done`, { runs: done, of: total });
      }
    }
  }
  return results;
}

/** Agent weights (n entries) with the cash slot appended: max(0, 1 - sum). */
function withCash(w: Float64Array): Float64Array {
  const out = new Float64Array(w.length + 1);
  out.set(w);
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]!;
  out[w.length] = Math.max(0, 1 - s);
  return out;
}
