/** Handlers of the strategies.* and runs.* channels (contract/runs.ts). */
import { createHash } from 'node:crypto';
import type { MetricValue, RunInfo, RunSummary, StrategyInfo } from '../../src-shared/contract';
import { experimentIdentity } from '../../src-shared/domain';
import type { RunConfig } from '../../src-shared/domain/runConfig';
import { classAllocationOf } from '../../src-shared/charts/classes';
import { hadapsDetail } from '../../src-shared/domain/decision';
import { drawdownSeries } from '../metrics';
import { listStrategies } from '../strategies/registry';
import {
  deleteRun,
  getMetricsFor,
  getRun,
  getRunAgents,
  getRunDays,
  getRunDetails,
  getRunMetrics,
  getRunWeightsAt,
  listRuns,
  runProcessAlive,
  type RunRow,
} from '../store/runs';
import { writeTransaction } from '../store/db';
import { invalidInput, notFound, ServiceError } from './errors';
import { threeLevelTimeline } from './threeLevel';
import type { Handlers } from './types';

/** A stored metric for the contract: ±Infinity as 'inf' / '-inf', NaN as null. */
export function metricValue(v: number): MetricValue {
  if (Number.isNaN(v)) return null;
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return v;
}

function metricsOut(m: Record<string, number>): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const [k, v] of Object.entries(m)) out[k] = metricValue(v);
  return out;
}

function summary(r: RunRow, metrics: Record<string, number>): RunSummary {
  return {
    id: r.id,
    universe: r.universe,
    strategy: r.strategy,
    seed: r.seed,
    status: r.status,
    windowFrom: r.windowFrom,
    windowTo: r.windowTo,
    trainFrom: r.trainFrom,
    trainTo: r.trainTo,
    hindsight: r.hindsight,
    flags: r.flags,
    createdAt: r.createdAt,
    endedAt: r.endedAt,
    metrics: metricsOut(metrics),
    settingsKey: settingsKey(r),
    settingsText: settingsText(r.config),
  };
}

/**
 * A run's experiment fingerprint for the contract: sha256 of its experiment identity (src-shared/domain/settings.ts:
 * strategy, params, market and test window; not the seed), 16 hex digits.
 */
export function settingsKey(r: Parameters<typeof experimentIdentity>[0]): string {
  return createHash('sha256').update(experimentIdentity(r)).digest('hex').slice(0, 16);
}

/**
 * The settings a reader tells experiments apart by: the sector scenario when set, cost, the spread-and-impact model
 * when on, rebalancing, risk-free rate when set, preset when set.
 */
export function settingsText(config: RunConfig): string {
  const parts = [`cost ${(config.cost * 100).toFixed(2)}%`];
  if (config.impact) parts.push(`spread ${config.impact.halfSpreadBp} bp + impact k ${config.impact.impactK}`);
  if (config.scenario) parts.unshift(config.scenario.name);
  const rb = config.rebalance;
  parts.push(typeof rb === 'number' ? (rb === 1 ? 'daily' : `every ${rb} days`) : rb);
  if (config.riskFreeRate !== 0) parts.push(`risk-free ${(config.riskFreeRate * 100).toFixed(2)}%`);
  const preset = config.params.preset ?? config.preset;
  if (typeof preset === 'string' && preset) parts.push(preset);
  return parts.join(' · ');
}

function split(w: Float64Array, n: number): { weights: number[]; cash: number } {
  return {
    weights: Array.from(w.subarray(0, n)),
    cash: w.length > n ? w[n]! : Math.max(0, 1 - w.reduce((a, b) => a + b, 0)),
  };
}

export const runHandlers: Handlers<
  | 'strategies.list'
  | 'runs.list'
  | 'runs.get'
  | 'runs.series'
  | 'runs.weights'
  | 'runs.classes'
  | 'runs.threeLevel'
  | 'runs.start'
  | 'runs.delete'
> = {
  async 'strategies.list'() {
    const all = await listStrategies();
    return all.map((s): StrategyInfo => ({
      id: s.id,
      label: s.label,
      family: s.family,
      ...(s.group ? { group: s.group } : {}),
      hindsight: s.hindsight,
      description: s.description,
      params: s.params.map((p) => ({ ...p })),
    }));
  },
  'runs.list'(req, engine) {
    const rows = listRuns(engine.db, req);
    const metrics = getMetricsFor(
      engine.db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => summary(r, metrics.get(r.id) ?? {}));
  },
  'runs.get'(req, engine): RunInfo {
    const r = getRun(engine.db, req.id);
    if (!r) throw notFound(`run ${req.id}`);
    return {
      ...summary(r, getRunMetrics(engine.db, r.id)),
      config: r.config,
      codeVersion: r.codeVersion,
      backend: r.backend,
      pid: r.pid,
      error: r.error,
      startedAt: r.startedAt,
      timings: r.timings,
      agents: getRunAgents(engine.db, r.id),
    };
  },
  'runs.series'(req, engine) {
    const r = getRun(engine.db, req.id);
    if (!r) throw notFound(`run ${req.id}`);
    const d = getRunDays(engine.db, r.id);
    return {
      id: r.id,
      dates: d.dates,
      values: d.value,
      returns: d.ret,
      drawdown: Array.from(drawdownSeries(d.ret)),
      turnover: d.turnover,
      cost: d.cost,
    };
  },
  'runs.weights'(req, engine) {
    const r = getRun(engine.db, req.id);
    if (!r) throw notFound(`run ${req.id}`);
    const at = getRunWeightsAt(engine.db, r.id, req.date);
    if (!at || !at.agents.final) throw notFound(`weights of run ${req.id}${req.date ? ` on ${req.date}` : ''}`);
    const tickers = r.config.tickers;
    const n = tickers.length;
    const agents: Record<string, { weights: number[]; cash: number }> = {};
    for (const [name, w] of Object.entries(at.agents)) if (name !== 'final') agents[name] = split(w, n);
    return {
      id: r.id,
      date: at.date,
      tickers,
      final: split(at.agents.final, n),
      agents,
      detail: at.detail,
      grouping: at.grouping,
      reboundFlags: at.reboundFlags,
      previous: at.previous ? { date: at.previous.date, ...split(at.previous.weights, n) } : null,
    };
  },
  'runs.classes'(req, engine) {
    if (!getRun(engine.db, req.id)) throw notFound(`run ${req.id}`);
    // a run whose last decision records no classes records none on any day: its details are not read
    if (!hadapsDetail(getRunWeightsAt(engine.db, req.id)?.detail)) return null;
    return classAllocationOf(getRunDetails(engine.db, req.id));
  },
  'runs.threeLevel': (req, engine) => threeLevelTimeline(engine.db, req.id),
  async 'runs.start'(req, engine) {
    const all = await listStrategies();
    const known = new Set(all.map((s) => s.id));
    const unknown = req.strategies.filter((s) => !known.has(s));
    if (unknown.length) throw invalidInput(`unknown strategy ${unknown.join(', ')}`);
    if (req.protocol === undefined && req.from && req.to && req.from > req.to) throw invalidInput('from is after to');
    const learning = req.strategies.every((id) => all.find((s) => s.id === id)?.family === 'learning');
    const label = `${learning ? 'train + backtest' : 'backtest'} ${req.strategies.length > 3 ? `${req.strategies.length} strategies` : req.strategies.join(', ')} on ${req.universe}`;
    return engine.jobs.start('backtest', req, label);
  },
  // checked and deleted in one write transaction, taken without blocking the serving process
  'runs.delete': (req, engine) =>
    writeTransaction(engine.db, () => {
      const r = getRun(engine.db, req.id);
      if (!r) throw notFound(`run ${req.id}`);
      if (runProcessAlive(r))
        throw new ServiceError('CONFLICT', `run ${req.id} is still running; cancel its job first`);
      return { id: req.id, deleted: deleteRun(engine.db, req.id) };
    }),
};
