/**
 * MPLS on the desk, through the service dispatcher (src-main/services/mpls.ts, models.list), on stored quick runs of
 * the bundled DJIA data (no news: the sentiment module off): runs.mpls gives each decision's fusion weights, sector
 * weights and conservative days as the run stored them; mpls.graph rebuilds the run's graph module from its stored
 * model and reads it at a test day exactly as the decision read it (the module's sector proposal recomputed from the
 * answer's scores is the one the decision recorded), snapping a date between decision days to the one before; every
 * hostile or impossible request is refused with a typed error naming the reason; models.list lists the mpls- files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { dispatch } from '../../src-main/services';
import { modelsDir } from '../../src-main/store/models';
import { loadPriceMatrix } from '../../src-main/store/prices';
import { getRunDetails } from '../../src-main/store/runs';
import { GRAPH_DEFAULTS } from '../../src-main/agents/mpls/graphModule';
import type { ApiError, ModelsListResponse, MplsGraph, MplsTimeline } from '../../src-shared/contract';
import { mplsDetail, type MplsDecisionDetail } from '../../src-shared/domain/decision';
import { tempEngine } from '../helpers/engine';

let engine: ReturnType<typeof tempEngine>;
const ids: Record<string, string> = {};
let days: { date: string; d: MplsDecisionDetail }[] = [];

async function call<T>(channel: string, req: object): Promise<T> {
  const r = await dispatch(engine, channel, req, { shell: 'host' });
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}
async function refused(channel: string, req: object): Promise<ApiError> {
  const r = await dispatch(engine, channel, req, { shell: 'host' });
  if (r.ok) throw new Error(`${channel} answered ${JSON.stringify(r.value).slice(0, 200)}`);
  return r.error;
}

beforeAll(async () => {
  engine = tempEngine();
  const runs = await runBacktest(engine.db, {
    universe: 'djia30',
    strategies: ['crp', 'mpls', 'mpls/no-graph'],
    from: '2000-06-01',
    to: '2000-06-30',
    lookback: 340,
    params: { mpls: { preset: 'quick' }, 'mpls/no-graph': { preset: 'quick' } },
  });
  expect(runs.map((r) => [r.strategy, r.status, r.error])).toEqual([
    ['crp', 'complete', undefined],
    ['mpls', 'complete', undefined],
    ['mpls/no-graph', 'complete', undefined],
  ]);
  for (const r of runs) ids[r.strategy] = r.runId!;
  days = getRunDetails(engine.db, ids.mpls!).map((x) => ({ date: x.date, d: mplsDetail(x.detail)! }));
}, 600_000);
afterAll(() => engine?.close());

/** The mpls run's model file. */
function modelFile(): string {
  return path.join(modelsDir(engine.db)!, `mpls-${days[0]!.d.model!.key}.json`);
}

describe('runs.mpls', () => {
  it("gives every decision's module weights, sector weights and conservative days as the run stored them", async () => {
    const t = (await call<MplsTimeline | null>('runs.mpls', { id: ids.mpls! }))!;
    expect(t.variant).toBe('mpls');
    expect(t.basis).toBe('sector');
    expect(t.dates).toEqual(days.map((x) => x.date));
    expect(t.modules.map((m) => [m.name, m.on])).toEqual([
      ['sentiment', false],
      ['volatility', true],
      ['graph', true],
    ]);
    expect(t.modules[0]!.reason).toMatch(/no news imported for djia30/);
    days.forEach(({ d }, i) => {
      for (const m of t.modules) expect(m.weights[i]).toBe(d.modules.find((x) => x.name === m.name)!.weight);
      expect(t.sectors.map((s) => s.weights[i])).toEqual(d.sectors.map((s) => s.weight));
    });
    expect(t.sectors.map((s) => s.name)).toEqual(days[0]!.d.sectors.map((s) => s.name));
    expect(t.conservativeDays).toEqual(days.flatMap(({ d }, i) => (d.volatility!.conservative ? [i] : [])));
  });

  it('answers null for a run of another family, and NOT_FOUND for an unknown run', async () => {
    expect(await call('runs.mpls', { id: ids.crp! })).toBeNull();
    expect(await refused('runs.mpls', { id: 'no-such-run' })).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('mpls.graph', () => {
  // these two run before any graph of the run is rebuilt (and kept): each reads the model file
  it('refuses with NOT_FOUND when the model file is gone, and CONFLICT when it is damaged', async () => {
    const file = modelFile();
    const keep = fs.readFileSync(file);
    const date = days[3]!.date;
    try {
      fs.rmSync(file);
      const gone = await refused('mpls.graph', { id: ids.mpls!, date });
      expect(gone.code).toBe('NOT_FOUND');
      expect(gone.message).toMatch(/the model of run .* in the models folder next to the database not found/);
      fs.writeFileSync(file, '{"format":"mpls-model-v1"}');
      const bad = await refused('mpls.graph', { id: ids.mpls!, date });
      expect(bad.code).toBe('CONFLICT');
      expect(bad.message).toMatch(/cannot be read: not a stored MPLS model/);
    } finally {
      fs.writeFileSync(file, keep);
    }
  });

  it('reads the stored model at a test day exactly as the decision did', async () => {
    for (const k of [0, days.length - 1]) {
      const { date, d } = days[k]!;
      const g = await call<MplsGraph>('mpls.graph', { id: ids.mpls!, date });
      expect(g.date).toBe(date);
      expect(g.sectors).toEqual(d.sectors.map((s) => s.name));
      // every asset, in its decision's sector
      const sectorOf = new Map(d.sectors.flatMap((s) => s.tickers.map((t) => [t, s.name] as const)));
      expect(g.nodes).toHaveLength(30);
      for (const n of g.nodes) expect(n.sector).toBe(sectorOf.get(n.ticker));
      // the module's proposal from these scores (softmax of the sector means over the temperature) is the decision's
      const means = d.sectors.map((s) => {
        const own = g.nodes.filter((n) => n.sector === s.name);
        return own.reduce((a, n) => a + n.score, 0) / own.length;
      });
      const e = means.map((m) => Math.exp(m / GRAPH_DEFAULTS.temperature));
      const proposal = e.map((x) => x / e.reduce((a, b) => a + b, 0));
      const recorded = d.modules.find((m) => m.name === 'graph')!.proposal;
      proposal.forEach((p, s) => expect(p).toBeCloseTo(recorded[s]!, 6));
      // the strongest edges first, each at least the threshold, at most 30 of the graph's edges
      expect(g.edges.length).toBe(Math.min(30, g.edgeCount));
      const abs = g.edges.map((x) => Math.abs(x.rho));
      expect(abs).toEqual([...abs].sort((a, b) => b - a));
      for (const x of g.edges) {
        expect(Math.abs(x.rho)).toBeGreaterThanOrEqual(g.threshold);
        expect(x.attention).toBeCloseTo((x.attentionAB + x.attentionBA) / 2, 12);
      }
      // the graph in force was computed on a refresh day of the universe's whole history, on or before the date
      const dates = loadPriceMatrix(engine.db, 'djia30').dates;
      expect(dates.indexOf(g.refreshDate) % g.refreshEvery).toBe(0);
      expect(g.refreshDate <= date).toBe(true);
      expect(dates.indexOf(date) - dates.indexOf(g.refreshDate)).toBeLessThan(g.refreshEvery);
    }
  });

  it('shows the last decision day on or before a date between decision days', async () => {
    // 2000-06-10 is a Saturday: the Friday before
    expect((await call<MplsGraph>('mpls.graph', { id: ids.mpls!, date: '2000-06-10' })).date).toBe('2000-06-09');
  });

  it('refuses hostile and impossible requests with the reason', async () => {
    const cases: [object, string, RegExp][] = [
      [{ id: 'no-such-run', date: '2000-06-05' }, 'NOT_FOUND', /run no-such-run not found/],
      [{ id: ids.crp!, date: '2000-06-05' }, 'INVALID_INPUT', /is a crp run, not an MPLS run/],
      [
        { id: ids['mpls/no-graph']!, date: '2000-06-05' },
        'INVALID_INPUT',
        /decided without the graph module: switched off by the ablation mpls\/no-graph/,
      ],
      [{ id: ids.mpls!, date: '2000-05-31' }, 'INVALID_INPUT', /not among the test days of run .* \(2000-06-01 to/],
      [{ id: ids.mpls!, date: '2001-01-02' }, 'INVALID_INPUT', /not among the test days/],
      [{ id: ids.mpls!, date: '2000-06-31' }, 'INVALID_INPUT', /2000-06-31 is not a day of the calendar/],
      [{ id: ids.mpls!, date: '2000/06/05' }, 'BAD_REQUEST', /bad request for mpls.graph/],
      [{ id: '../../etc', date: '2000-06-05' }, 'NOT_FOUND', /not found/],
      [{ id: ids.mpls! }, 'BAD_REQUEST', /bad request/],
    ];
    for (const [req, code, message] of cases) {
      const e = await refused('mpls.graph', req);
      expect([e.code, e.message]).toEqual([code, expect.stringMatching(message)]);
    }
  });
});

describe('models.list', () => {
  it('lists the mpls- files with their variant, modules and validation curve', async () => {
    const list = await call<ModelsListResponse>('models.list', {});
    expect(list.unreadable).toEqual([]);
    const rows = list.models.filter((m) => m.variant.startsWith('mpls'));
    expect(rows.map((m) => [m.variant, m.kind]).sort()).toEqual([
      ['mpls', 'volatility + graph modules'],
      ['mpls/no-graph', 'volatility module'],
    ]);
    for (const m of rows) {
      expect(m.runs.map((r) => r.id)).toEqual([ids[m.variant]]);
      expect([m.seed, m.preset, m.assets, m.trainingError]).toEqual([1, 'quick', 30, null]);
      expect(m.training!.stages.map((s) => s.stage)).toEqual(['mpls']);
      expect(m.training!.validationDays).toBe(126);
      expect(m.training!.stages[0]!.validation.length).toBeGreaterThan(0);
      expect(m.trainingMs).toBeGreaterThan(0);
    }
  });
});
