/**
 * The three-level hierarchy on the desk (issue 20): the timeline's data and chart options on hand-made days
 * (src-shared/charts/threeLevel.ts), the explanation in words of a hand-made decision with a hand-made policy
 * (src-main/explain/threelevel.ts), and, on a stored three-level run of the bundled data, the runs.threeLevel answer,
 * the stored explanation (explain.run / explain.get / hdrl explain), the allocation report's three-level section and
 * the models.list rows of its two model files.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { main } from '../../src-main/cli';
import {
  explainThreeLevel,
  threeLevelAssetWords,
  type ThreeLevelDecisionInputs,
} from '../../src-main/explain/threelevel';
import { explainRun, getExplanationView } from '../../src-main/explain/runExplain';
import { buildAllocationReport } from '../../src-main/reports';
import { renderAllocationHtml } from '../../src-main/reports/render/html';
import { dispatch } from '../../src-main/services';
import { getRunWeightSeries } from '../../src-main/store/runs';
import { TACTICAL_FEATURE_COUNT } from '../../src-main/agents/threelevel/tactical-env';
import { boundTilts } from '../../src-main/agents/threelevel/tilts';
import {
  levelPeriods,
  levelSummaries,
  levelTargetRows,
  threeLevelClassOption,
  threeLevelTimelineOf,
  type ThreeLevelDay,
} from '../../src-shared/charts/threeLevel';
import type { ModelsListResponse, RunSeries, ThreeLevelTimeline } from '../../src-shared/contract';
import type { ThreeLevelDecisionDetail } from '../../src-shared/domain/decision';
import { tempEngine } from '../helpers/engine';

const MODEL = {
  key: 'ab'.repeat(32),
  sha256: 'cd'.repeat(32),
  backend: 'onnxruntime-cpu',
  trainedFrom: '1997-01-02',
  trainedTo: '1998-12-31',
};

/** A hand-made decision: classes A (X, Y) and B (Z) and cash; `tilts` risky then cash. */
function detail(
  over: Partial<ThreeLevelDecisionDetail> & { strategic?: number[]; tilts?: number[] } = {},
): ThreeLevelDecisionDetail {
  const s = over.strategic ?? [0.6, 0.4, 0];
  const t = over.tilts ?? [0.02, -0.03, 0.01];
  const names = ['A', 'B', 'Cash'];
  const tickers = [['X', 'Y'], ['Z'], []];
  return {
    family: 'three-level',
    variant: 'three-level',
    basis: 'sector',
    classes: names.map((name, k) => ({
      name,
      tickers: tickers[k]!,
      strategic: s[k]!,
      tilt: t[k]!,
      target: s[k]! + t[k]!,
    })),
    fractions: [0.5, 0.25, 0.5],
    nextTacticalIn: 5,
    nextStrategicIn: 100,
    levels: { strategic: { rule: 'inverse-volatility' }, tactical: MODEL, execution: MODEL },
    model: MODEL,
    ...over,
  };
}

describe('the timeline of hand-made days', () => {
  // day 0: both levels decide; day 1: the period goes on; day 2: a new tactical period; day 3: a new strategic
  // target (its count goes up) inside that tactical period (its count does not): the execution target stays
  const d0 = detail({ nextTacticalIn: 2, nextStrategicIn: 3 });
  const d1 = detail({ nextTacticalIn: 1, nextStrategicIn: 2 });
  const d2 = detail({ nextTacticalIn: 2, nextStrategicIn: 1, tilts: [-0.01, 0.01, 0] });
  const d3 = detail({ nextTacticalIn: 2, nextStrategicIn: 3, strategic: [0.5, 0.5, 0], tilts: [0, 0, 0] });
  const days: ThreeLevelDay[] = [
    { date: '2000-01-03', detail: d0, weights: [0.3, 0.3, 0.3, 0.1], closes: [10, 20, 40], cost: 0.001, turnover: 0.9 },
    {
      date: '2000-01-04',
      detail: d1,
      weights: [0.31, 0.31, 0.37, 0.01],
      closes: [11, 20, 40],
      cost: 0.0002,
      turnover: 0.1,
    },
    { date: '2000-01-05', detail: d2, weights: [0.3, 0.3, 0.4, 0], closes: [11, 20, 40], cost: 0.0001, turnover: 0.05 },
    {
      date: '2000-01-06',
      detail: d3,
      weights: [0.25, 0.25, 0.5, 0],
      closes: [11, 20, 40],
      cost: 0.0003,
      turnover: 0.1,
    },
  ];
  const tl = threeLevelTimelineOf(['X', 'Y', 'Z'], days, {
    maxTilt: 0.05,
    costSplit: { commission: 0.01, spread: 0.002, impact: 0.003 },
  })!;

  it('finds each level’s decision days from the details’ countdowns', () => {
    expect(tl.strategicDays).toEqual([0, 3]);
    expect(tl.tacticalDays).toEqual([0, 2]);
    expect(tl.classes.map((c) => c.name)).toEqual(['A', 'B', 'Cash']);
    expect(tl.classes[0]!.strategic).toEqual([0.6, 0.6, 0.6, 0.5]);
    expect(tl.classes[1]!.tilt).toEqual([-0.03, -0.03, 0.01, 0]);
    expect(tl.classes[1]!.target.map((v) => +v.toFixed(12))).toEqual([0.37, 0.37, 0.41, 0.5]);
  });

  it('sums the executed weights by class and measures the gap to the drifted target by hand', () => {
    expect(tl.classes[0]!.executed.map((v) => +v.toFixed(12))).toEqual([0.6, 0.62, 0.6, 0.5]);
    expect(tl.classes[2]!.executed).toEqual([0.1, 0.01, 0, 0]);
    // day 0: from all cash to [.31 .31 .37 .01]: before ½(.31+.31+.37+.99) = .99, after ½(.01+.01+.07+.09) = .09
    expect(tl.gapBefore[0]).toBeCloseTo(0.99, 12);
    expect(tl.gap[0]).toBeCloseTo(0.09, 12);
    // day 1: X rose 10%: the target [.31 .31 .37 .01] drifts by g = 1.031 to [.341 .31 .37 .01] / 1.031, and the
    // book [.3 .3 .3 .1] by g = 1.03; after the trade the book is [.31 .31 .37 .01]
    const paper = [0.341, 0.31, 0.37, 0.01].map((v) => v / 1.031);
    const book = [0.33, 0.3, 0.3, 0.1].map((v) => v / 1.03);
    const half = (a: number[], b: number[]) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / 2;
    expect(tl.gapBefore[1]).toBeCloseTo(half(book, paper), 12);
    expect(tl.gap[1]).toBeCloseTo(half([0.31, 0.31, 0.37, 0.01], paper), 12);
    // day 2: a new target [.295 .295 .41 0]; no price moved
    expect(tl.gap[2]).toBeCloseTo(half([0.3, 0.3, 0.4, 0], [0.295, 0.295, 0.41, 0]), 12);
  });

  it('sums each level’s periods and summarises the levels', () => {
    const months = levelPeriods(tl, 'tactical');
    expect(months.map((p) => [p.from, p.to, p.days])).toEqual([
      ['2000-01-03', '2000-01-04', 2],
      ['2000-01-05', '2000-01-06', 2],
    ]);
    expect(months[0]!.cost).toBeCloseTo(0.0012, 15);
    expect(months[0]!.turnover).toBeCloseTo(1, 15);
    expect(months[0]!.gapAtStart).toBeCloseTo(0.99, 12);
    const years = levelPeriods(tl, 'strategic');
    expect(years.map((p) => p.days)).toEqual([3, 1]);
    expect(years[0]!.cost).toBeCloseTo(0.0013, 15);
    const [strategic, tactical, execution] = levelSummaries(tl);
    // the one new strategic target moved A and B by 0.1 each: half of 0.2
    expect(strategic).toMatchObject({ level: 'strategic', decisions: 2 });
    expect(strategic!.size).toBeCloseTo(0.1, 12);
    expect(tactical!.decisions).toBe(2);
    // tilts at the two tactical days: ½(.02+.03+.01), ½(.01+.01)
    expect(tactical!.size).toBeCloseTo((0.03 + 0.01) / 2, 12);
    expect(execution!.decisions).toBe(4);
    expect(execution!.costPerPeriod).toBeCloseTo(0.0016 / 4, 15);
  });

  it('has no tactical row for two-levels, and answers null for a run of another family', () => {
    expect(levelSummaries({ ...tl, variant: 'three-level/two-levels' }).map((r) => r.level)).toEqual([
      'strategic',
      'execution',
    ]);
    expect(threeLevelTimelineOf(['X'], [{ ...days[0]!, detail: { family: 'classic' } }], tl)).toBeNull();
    expect(() => threeLevelTimelineOf(['X', 'Y'], days, tl)).toThrow(/class B names Z, which the run does not trade/);
  });

  it('draws one class: the band around the strategic step line, the target, the executed weight, cost and gap', () => {
    const o = threeLevelClassOption(tl, 'B') as {
      series: { name: string; data: number[]; step?: string; markLine?: { data: { xAxis: string }[] } }[];
    };
    const by = (name: string) => o.series.find((s) => s.name.startsWith(name))!;
    expect(by('band floor').data.map((v) => +v.toFixed(12))).toEqual([0.35, 0.35, 0.35, 0.45]);
    expect(by('Tilt band').data.map((v) => +v.toFixed(12))).toEqual([0.1, 0.1, 0.1, 0.1]);
    expect(by('Tilt band').name).toBe('Tilt band (±5%)');
    expect(by('Strategic target').step).toBe('end');
    expect(by('Strategic target').markLine!.data).toEqual([{ xAxis: '2000-01-03' }, { xAxis: '2000-01-06' }]);
    expect(by('Target with tilt').data).toEqual(tl.classes[1]!.target);
    expect(by('Executed').data).toEqual(tl.classes[1]!.executed);
    expect(by('Cost').data.map((v) => +v.toFixed(9))).toEqual([10, 2, 1, 3]);
    expect(by('Tracking gap').data).toEqual(tl.gap);
    expect(() => threeLevelClassOption(tl, 'Nope')).toThrow(/no class Nope/);
  });

  it('gives the three targets of a decision per class', () => {
    expect(levelTargetRows(d2).map((r) => [r.name, r.strategic, r.tilt])).toEqual([
      ['A', 0.6, -0.01],
      ['B', 0.4, 0.01],
      ['Cash', 0, 0],
    ]);
  });
});

describe('a hand-made decision explained in words', () => {
  const F = TACTICAL_FEATURE_COUNT;
  const strategic = [0.6, 0.4, 0];
  // the hand-made policy reads only each class's short trend (entry 0): raw tilt tanh(entry 0)
  const rawTilts = (states: Float32Array) =>
    Float32Array.from({ length: states.length / F }, (_, r) => Math.tanh(states[r * F]!));
  const row = (trendA: number, trendB: number, heldA: number) => {
    const x = new Float64Array(3 * F);
    x[0] = trendA;
    x[F] = trendB;
    x[5] = 3 * heldA; // the book: it moves nothing in this policy
    x[2 * F + 7] = 1;
    return x;
  };
  const x = row(0.3, -0.2, 0.5);
  const tilts = boundTilts(
    strategic,
    Array.from(rawTilts(Float32Array.from(x)), (a) => 0.05 * a),
    0.05,
  );
  const d = detail({ tilts: Array.from(tilts) });
  const inputs: ThreeLevelDecisionInputs = {
    detail: d,
    tickers: ['X', 'Y', 'Z'],
    strategic: { date: '2000-01-03', daysAgo: 40, window: 252, volatility: [0.01, 0.02] },
    tactical: {
      date: '2000-02-01',
      daysAgo: 16,
      nextIn: 5,
      maxTilt: 0.05,
      detail: d,
      signals: [
        { trendShort: 0.03, trendLong: 0.05, volatility: 0.012, drawdown: -0.04 },
        { trendShort: -0.02, trendLong: -0.01, volatility: 0.02, drawdown: 0 },
      ],
      policy: { x, background: [row(0, 0, 0.6)], backgroundDates: ['1998-12-31'], rawTilts },
    },
    execution: {
      horizon: 21,
      daysLeft: 5,
      before: Float64Array.from([0.3, 0.3, 0.3, 0.1]),
      paper: Float64Array.from([0.31, 0.31, 0.37, 0.01]),
      after: Float64Array.from([0.305, 0.3025, 0.335, 0.0575]),
    },
  };

  it('attributes the tilts to the trend alone, exactly, and reproduces them', () => {
    const e = explainThreeLevel(inputs);
    expect(e.tactical!.reproduced).toBe(true);
    for (const [k, c] of e.tactical!.classes.entries()) {
      const a = c.attribution!;
      expect(a.baseValue).toBeCloseTo(0, 15); // no trend in the typical month: no raw tilt at all
      expect(a.values.map((v) => v.player)).toEqual(['trend', 'volatility', 'drawdown', 'book']);
      expect(a.values[0]!.value).toBeCloseTo(tilts[k]!, 12);
      for (const v of a.values.slice(1)) expect(v.value).toBe(0);
      expect(a.efficiencyGap).toBeLessThan(1e-12);
    }
  });

  it('says each level in plain words', () => {
    const e = explainThreeLevel(inputs);
    const tA = (tilts[0]! * 100).toFixed(2);
    expect(e.words.strategic).toEqual([
      'Level 1 (strategic), by the fixed inverse-volatility rule, set the class weights on 2000-01-03 (40 trading days ago; the next strategic decision comes in 100 trading days).',
      "Each class's weight is proportional to 1 / the daily volatility of its equal-weight basket over the last 252 days, so calmer classes weigh more: the largest is A 60.0% (volatility 1.00% a day); the smallest is B 40.0% (volatility 2.00% a day).",
      'The strategic book is fully invested: cash gets 0.',
    ]);
    // the projection makes A's and B's tilts equal and opposite: the first class of the largest is named
    const biggest = Math.abs(tilts[0]!) >= Math.abs(tilts[1]!) ? 'A' : 'B';
    expect(e.words.tactical[0]).toBe(
      `Level 2 (tactical), by the learned tactical policy (model ${'ab'.repeat(6)}, trained 1997-01-02 – 1998-12-31), decided the tilts of at most ±5% a class on 2000-02-01 (16 trading days ago; the next tactical decision comes in 5 trading days).`,
    );
    expect(e.words.tactical[1]).toContain(`A +${tA} points (to ${((0.6 + tilts[0]!) * 100).toFixed(2)}%)`);
    expect(e.words.tactical.join(' ')).toContain(
      `whose tilt of ${biggest} is +0.00 points, it came mostly from the trend signals (21- and 63-day returns)`,
    );
    expect(e.words.tactical.at(-1)).toMatch(/^Over every class, the tilts moved most with the trend signals/);
    expect(e.words.execution).toEqual([
      "Level 3 (execution), by the learned execution policy (model abababababab, trained 1997-01-02 – 1998-12-31), traded 2.13% of the book today towards the month's target: the gap was 9.00% of the book before the trade and is 4.75% after it, with 5 trading days left until the next target (today included).",
      "It traded between 25% and 50% (median 50%) of each asset's gap; a linear schedule would trade 20% of each today, trade-at-once would have traded all of it on the period's first day.",
    ]);
    expect(threeLevelAssetWords(e, d, 'Z')).toEqual([
      `Z is the only stock of B: Level 1 gave the class 40.00%, Level 2 tilted it ${tilts[1]! < 0 ? '−' : '+'}${Math.abs(tilts[1]! * 100).toFixed(2)} points to ${((0.4 + tilts[1]!) * 100).toFixed(2)}%, so Z's target is ${((0.4 + tilts[1]!) * 100).toFixed(2)}% of the book (equal weight inside the class).`,
      "Before today's trade it stood −7.00 points from its target as drifted to today; Level 3 traded 50% of that gap (+3.50 points), leaving 3.50 points.",
    ]);
  });

  it('says when the tactical level is off or absent, and when a period is not open', () => {
    const off = explainThreeLevel({
      ...inputs,
      detail: detail({ tilts: [0, 0, 0], levels: { ...d.levels, tactical: { rule: 'none' } } }),
      tactical: { ...inputs.tactical!, detail: detail({ tilts: [0, 0, 0] }), policy: null },
    });
    expect(off.words.tactical).toEqual([
      "Level 2 (tactical) is switched off in this ablation: the tilts are 0, so the month's target set on 2000-02-01 (16 trading days ago; the next tactical decision comes in 5 trading days) is the strategic weights again.",
    ]);
    expect(off.tactical!.reproduced).toBeNull();
    const none = explainThreeLevel({
      ...inputs,
      tactical: null,
      execution: { ...inputs.execution, daysLeft: null, after: inputs.execution.before },
    });
    expect(none.tactical).toBeNull();
    expect(none.words.tactical[0]).toMatch(/^This ablation has no tactical level/);
    expect(none.words.execution[0]).toMatch(/^No execution period is open today/);
    const last = explainThreeLevel({ ...inputs, execution: { ...inputs.execution, daysLeft: 1 } });
    expect(last.words.execution[0]).toMatch(/^Today is the last day of the execution period: the whole rest/);
  });

  it('says a tilt below a hundredth of a point is none', () => {
    const tiny = explainThreeLevel({
      ...inputs,
      tactical: { ...inputs.tactical!, detail: detail({ tilts: [0.00002, -0.00002, 0] }), policy: null },
    });
    // the policy part is absent here, so the tilts are said from the record alone
    expect(tiny.words.tactical[1]).toBe(
      'It left every class within 0.01 points of its strategic weight: in effect no tilt this month.',
    );
  });
});

describe('a stored three-level run on the desk', () => {
  let engine: ReturnType<typeof tempEngine>;
  let runId = '';
  let ablation = '';
  let crp = '';
  async function call<T>(channel: string, payload: unknown): Promise<T> {
    const r = await dispatch(engine, channel, payload);
    if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
    return r.value as T;
  }

  beforeAll(async () => {
    engine = tempEngine();
    const params = { preset: 'quick', episodes: 2 };
    const res = await runBacktest(engine.db, {
      universe: 'djia30',
      strategies: ['three-level', 'three-level/no-tactical', 'crp'],
      from: '1999-01-04',
      to: '2000-03-31',
      lookback: 500,
      impact: {},
      params: { 'three-level': params, 'three-level/no-tactical': params },
    });
    expect(res.map((r) => [r.strategy, r.status, r.error])).toEqual([
      ['three-level', 'complete', undefined],
      ['three-level/no-tactical', 'complete', undefined],
      ['crp', 'complete', undefined],
    ]);
    [runId, ablation, crp] = res.map((r) => r.runId!) as [string, string, string];
  }, 300_000);
  afterAll(() => engine?.close());

  it('runs.threeLevel answers the run’s days, levels, book and costs', async () => {
    const tl = (await call<ThreeLevelTimeline | null>('runs.threeLevel', { id: runId }))!;
    const s = await call<RunSeries>('runs.series', { id: runId });
    expect(tl.dates).toEqual(s.dates);
    expect(tl.cost).toEqual(s.cost);
    expect(tl.turnover).toEqual(s.turnover);
    expect(tl.maxTilt).toBe(0.05);
    expect(tl.strategicDays).toEqual([0, 252]);
    expect(tl.tacticalDays.slice(0, 3)).toEqual([0, 21, 42]);
    // the book as stored, summed by class
    const w = getRunWeightSeries(engine.db, runId, 'final');
    const n = w[0]!.weights.length - 1;
    for (const k of [0, 30, 300]) {
      const total = tl.classes.reduce((sum, c) => sum + c.executed[k]!, 0);
      expect(total).toBeCloseTo(1, 9);
      expect(tl.classes.at(-1)!.executed[k]).toBeCloseTo(w[k]!.weights[n]!, 12);
    }
    // every tilt within its bound; Level 3 closes the gap on each period's last day
    for (const c of tl.classes) for (const t of c.tilt) expect(Math.abs(t)).toBeLessThanOrEqual(0.05 + 1e-12);
    for (const start of tl.tacticalDays.slice(1)) expect(tl.gap[start - 1]).toBeLessThan(1e-9);
    expect(tl.costSplit!.spread).toBeGreaterThan(0);
    expect(tl.costSplit!.impact).toBeGreaterThan(0);
    expect(await call('runs.threeLevel', { id: crp })).toBeNull();
    const missing = await dispatch(engine, 'runs.threeLevel', { id: 'r-00000000000000000000' });
    expect(missing.ok ? null : missing.error.code).toBe('NOT_FOUND');
  });

  it('explains a decision level by level, stored for explain.get and printed by hdrl explain', async () => {
    const date = (await call<RunSeries>('runs.series', { id: runId })).dates[30]!;
    const r = await explainRun(engine.db, runId, date);
    const e = r.threeLevel!;
    expect(r.agents).toEqual([]);
    expect(e.tactical!.reproduced).toBe(true);
    expect(e.strategic.daysAgo).toBe(30);
    expect(e.tactical!.daysAgo).toBe(9);
    expect(e.execution.daysLeft).toBe(12);
    for (const c of e.tactical!.classes) if (c.attribution) expect(c.attribution.efficiencyGap).toBeLessThan(1e-12);
    expect(e.tactical!.backgroundDates.length).toBeGreaterThan(1);
    // the recorded strategic weights follow the volatilities the explanation read (inverse volatility)
    const risky = e.strategic.classes.filter((c) => c.volatility !== null);
    const inv = risky.map((c) => 1 / c.volatility!);
    const sum = inv.reduce((a, b) => a + b, 0);
    risky.forEach((c, k) => expect(c.weight).toBeCloseTo(inv[k]! / sum, 12));
    const view = getExplanationView(engine.db, runId, date)!;
    expect(view.words.portfolio).toEqual([...e.words.strategic, ...e.words.tactical, ...e.words.execution]);
    expect(view.words.asset[0]).toContain(`${view.subject} is `);
    expect(view.portfolio.assets.every((a) => a.parts.every((p) => p.agent !== 'no-trade band'))).toBe(true);
    const served = await call<{ threeLevel?: unknown }>('explain.get', { runId, date });
    expect(served.threeLevel).toEqual(e);

    let text = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((x) => ((text += String(x)), true));
    try {
      expect(await main(['--db', engine.dbPath, 'explain', '--run', ablation, '--date', date])).toBe(0);
    } finally {
      o.mockRestore();
    }
    expect(text).toContain('Level 2, tactical:');
    expect(text).toContain('Level 2 (tactical) is switched off in this ablation');
  });

  it('puts the three levels’ targets in the allocation report', async () => {
    const data = await buildAllocationReport(engine.db, runId);
    const tl = data.threeLevel!;
    expect(tl.rows.map((r) => r.name).at(-1)).toBe('Cash');
    expect(tl.levels.strategic).toBe('rule: inverse-volatility');
    expect(tl.levels.tactical).toMatch(/^model [0-9a-f]{12} \(trained /);
    expect(renderAllocationHtml(data)).toContain('data-section="three-level"');
    expect((await buildAllocationReport(engine.db, crp)).threeLevel).toBeUndefined();
  });

  it('lists both levels’ model files in models.list', async () => {
    const list = await call<ModelsListResponse>('models.list', {});
    const mine = list.models.filter((m) => m.variant.startsWith('three-level'));
    expect(mine.map((m) => m.kind).sort()).toEqual(['execution (Level 3)', 'tactical (Level 2)']);
    const tactical = mine.find((m) => m.kind === 'tactical (Level 2)')!;
    expect(tactical).toMatchObject({ variant: 'three-level', assets: 30, backend: 'onnxruntime-cpu' });
    expect(tactical.runs.map((r) => r.id)).toEqual([runId]);
    expect(tactical.trainingMs).toBeGreaterThan(0);
    expect(list.unreadable).toEqual([]);
  });
});
