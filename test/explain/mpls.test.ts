/**
 * explain/mpls.ts on hand-built agents (no training): each agent's players are the inputs it reads — a policy that
 * reads one group of inputs only puts every attribution on that group, exactly (the fusion agent on a module's
 * features, the high-level agent on the fused allocation with its log and on one sector's returns, a low-level agent
 * on the graph embeddings), with the efficiency property on every output; the run's fusion summary from hand-made
 * decisions (means, who led, conservative days; none leads with every module off); and the words of the cases a stored
 * run seldom shows (no module on, one module on, the conservative switch fired or switched off).
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import {
  agentViews,
  explainAgent,
  explainMpls,
  mplsAssetWords,
  mplsFusionSummary,
  mplsWords,
  EMBEDDINGS_PLAYER,
  FUSED_PLAYER,
  HELD_INSIDE_PLAYER,
  SECTORS_HELD_PLAYER,
  featuresPlayer,
  proposalPlayer,
  returnsPlayer,
  type DayInputs,
} from '../../src-main/explain/mpls';
import type { MplsShape } from '../../src-main/agents/mpls/network';
import type { AgentState } from '../../src-main/agents/mpls/env';
import type { MplsDecisionDetail, MplsModuleName } from '../../src-shared/domain/decision';
import type { MplsExplanation } from '../../src-shared/contract/explain';
import { classAttribution } from '../../src-main/explain/hadaps';

// three sectors: A (assets 0, 1), B (asset 2), C (assets 3, 4, 5); window 4; graph embeddings of width 2
const S = 3;
const L = 4;
const G = 2;
const tickers = ['A1', 'A2', 'B1', 'C1', 'C2', 'C3'];
const sh: MplsShape = {
  layout: {
    basis: 'sector',
    classes: [
      { name: 'Alpha', members: [0, 1] },
      { name: 'Beta', members: [2] },
      { name: 'Gamma', members: [3, 4, 5] },
    ],
    nAssets: 6,
    classOf: [0, 0, 1, 2, 2, 2],
  },
  cfg: { window: L, hidden: [8], residualHigh: true },
  // sentiment off; volatility (2 features per sector) and graph (1) on
  on: [false, true, true],
  sectorWidths: [0, 2, 1],
  assetWidth: G,
};
const F = 3 * S + S * (2 + 1) + S + 3;
const H = S + S * L + S;

function day(rng: () => number): DayInputs {
  const r = (n: number) => Float32Array.from({ length: n }, () => rng() * 2 - 1);
  const fused = Float32Array.from({ length: S }, () => 0.1 + rng());
  const h = r(H);
  h.set(fused, 0);
  return {
    fusion: { f: r(F), mask: Float32Array.from([0, 1, 1]) },
    high: { h, logFused: Float32Array.from(fused, (v) => Math.log(v)) },
    low: { s0: r(2 * (L + G + 1)), s2: r(3 * (L + G + 1)) },
  };
}

/** the graph features of the fusion state: after the proposals (3 x S) and the volatility features (S x 2) */
const GRAPH_FEATURES = 3 * S + 2 * S;

/** A hand-made policy of the MPLS shape (each agent reads one group of its inputs; file overview). */
const policy = {
  runAgent(name: 'fusion' | 'high' | 'low', s: AgentState, batch = 1): Float32Array {
    if (name === 'fusion') {
      // the module weights: softmax over (volatility, graph) of (0, the sum of the graph features)
      const out = new Float32Array(batch * 3);
      for (let b = 0; b < batch; b++) {
        let g = 0;
        for (let c = 0; c < S; c++) g += s.f![b * F + GRAPH_FEATURES + c]!;
        const e = Math.exp(g);
        out[b * 3 + 1] = 1 / (1 + e);
        out[b * 3 + 2] = e / (1 + e);
      }
      return out;
    }
    if (name === 'high') {
      // sector c: 0.1 log(fused_c) + 0.05 x the first return of Beta's window
      const out = new Float32Array(batch * S);
      for (let b = 0; b < batch; b++)
        for (let c = 0; c < S; c++) out[b * S + c] = 0.1 * s.logFused![b * S + c]! + 0.05 * s.h![b * H + S + L]!;
      return out;
    }
    // low: Alpha's members read its first embedding entry, Gamma's their own first price return
    const out = new Float32Array(batch * 5);
    const wA = 2 * (L + G + 1);
    const wC = 3 * (L + G + 1);
    for (let b = 0; b < batch; b++) {
      const e = s.s0![b * wA + 2 * L]!;
      out[b * 5] = 0.5 + 0.1 * e;
      out[b * 5 + 1] = 0.5 - 0.1 * e;
      for (let k = 0; k < 3; k++) out[b * 5 + 2 + k] = 0.2 * s.s2![b * wC + k * L]!;
    }
    return out;
  },
};

describe('each MPLS agent explained by the inputs it reads', () => {
  const rng = seedrandom('mpls-explain');
  const x = day(rng);
  const background = Array.from({ length: 6 }, () => day(rng));
  const views = agentViews(sh, tickers, policy, x, background);

  it('forms the players of each agent', () => {
    expect(views.map((v) => `${v.agent}:${v.sector ?? ''}`)).toEqual(['fusion:', 'high:', 'low:Alpha', 'low:Gamma']);
    expect(views[0]!.outputs).toEqual(['volatility', 'graph']);
    expect(views[0]!.players.map((p) => p.name)).toEqual([
      proposalPlayer('volatility'),
      proposalPlayer('graph'),
      featuresPlayer('volatility'),
      featuresPlayer('graph'),
      SECTORS_HELD_PLAYER,
    ]);
    expect(views[1]!.players.map((p) => p.name)).toEqual([
      FUSED_PLAYER,
      returnsPlayer('Alpha'),
      returnsPlayer('Beta'),
      returnsPlayer('Gamma'),
      SECTORS_HELD_PLAYER,
    ]);
    expect(views[3]!.players.map((p) => p.name)).toEqual(['C1', 'C2', 'C3', EMBEDDINGS_PLAYER, HELD_INSIDE_PLAYER]);
  });

  it('puts every attribution on the group a policy reads, and the attributions add up', () => {
    const [fusion, high, alpha, gamma] = views.map((v) => explainAgent(v, { nSamples: 64 }));
    const only = (a: typeof fusion, player: string | ((o: string) => string)) => {
      for (const o of a!.outputs) {
        expect(o.efficiencyGap).toBeLessThan(1e-12);
        const want = typeof player === 'string' ? player : player(o.output);
        for (const v of o.values) {
          if (v.player === want) expect(Math.abs(v.value)).toBeGreaterThan(1e-4);
          else if (!(a!.agent === 'high' && v.player === FUSED_PLAYER)) expect(Math.abs(v.value)).toBeLessThan(1e-7);
        }
      }
    };
    only(fusion, featuresPlayer('graph'));
    only(alpha, EMBEDDINGS_PLAYER);
    only(gamma, (t) => t);
    // the high-level agent: the fused allocation (with its log) and Beta's returns, each as the policy weighs them
    const mean = (f: (d: DayInputs) => number) => background.reduce((s, d) => s + f(d), 0) / background.length;
    high!.outputs.forEach((o, c) => {
      expect(o.efficiencyGap).toBeLessThan(1e-12);
      const v = Object.fromEntries(o.values.map((q) => [q.player, q.value]));
      expect(v[FUSED_PLAYER]).toBeCloseTo(0.1 * (x.high.logFused![c]! - mean((d) => d.high.logFused![c]!)), 6);
      expect(v[returnsPlayer('Beta')]).toBeCloseTo(0.05 * (x.high.h![S + L]! - mean((d) => d.high.h![S + L]!)), 6);
      for (const p of [returnsPlayer('Alpha'), returnsPlayer('Gamma'), SECTORS_HELD_PLAYER])
        expect(Math.abs(v[p]!)).toBeLessThan(1e-9);
    });
  });

  it('says whether the agents reproduce the recorded weights', () => {
    const out = policy.runAgent('fusion', { f: x.fusion!.f!, mask: x.fusion!.mask! });
    const hi = policy.runAgent('high', x.high);
    const lo = policy.runAgent('low', x.low);
    const detail = (shift: number): MplsDecisionDetail => ({
      family: 'mpls',
      variant: 'mpls/no-sentiment',
      basis: 'sector',
      sectors: [
        { name: 'Alpha', tickers: ['A1', 'A2'], weight: hi[0]! + shift, intra: [lo[0]!, lo[1]!] },
        { name: 'Beta', tickers: ['B1'], weight: hi[1]!, intra: [1] },
        { name: 'Gamma', tickers: ['C1', 'C2', 'C3'], weight: hi[2]!, intra: [lo[2]!, lo[3]!, lo[4]!] },
      ],
      modules: [
        {
          name: 'sentiment',
          on: false,
          reason: 'switched off by the ablation mpls/no-sentiment',
          weight: 0,
          proposal: [],
        },
        { name: 'volatility', on: true, weight: out[1]!, proposal: [0.5, 0.3, 0.2] },
        { name: 'graph', on: true, weight: out[2]!, proposal: [0.2, 0.2, 0.6] },
      ],
      fused: [0.3, 0.3, 0.4],
      volatility: { forecast: [0.2, 0.3, 0.1], uncertainty: 0.04, threshold: 0.03, conservative: true },
      cash: 0,
      concentration: { sectors: 3, final: 5 },
    });
    const view = (shift: number) => ({
      detail: detail(shift),
      window: L,
      conservativeEnabled: true,
      backgroundDates: ['2000-01-03'],
      agents: views,
    });
    const run = mplsFusionSummary([]);
    const e = explainMpls(view(0), run, { nSamples: 64 });
    expect(e.reproduced).toBe(true);
    expect(explainMpls(view(0.01), run, { nSamples: 64 }).reproduced).toBe(false);
    expect(e.modules.map((m) => [m.name, m.typical === null])).toEqual([
      ['sentiment', true],
      ['volatility', false],
      ['graph', false],
    ]);
    expect(e.modules[2]!.top.map((t) => t.sector)).toEqual(['Gamma', 'Alpha', 'Beta']);
    expect(e.words.fusion).toContain(
      "The volatility forecast's uncertainty (0.040) was above its threshold (0.030), so the fused allocation was made conservative: mixed with inverse-variance sector weights.",
    );
    expect(e.words.fusion[0]).toMatch(
      /; the sentiment module is off \(switched off by the ablation mpls\/no-sentiment\)\.$/,
    );
    expect(e.words.fusion.join(' ')).toMatch(
      /module's weight is \d+\.\d% against \d+\.\d% on a typical training day, moved mostly by the graph module's sector scores \([+−]\d+\.\d points\)/,
    );
    expect(e.words.low).toContain('Beta (B1) holds one stock: no low-level agent there.');
  });
});

describe("an MPLS run's fusion weights over time", () => {
  const mod = (name: MplsModuleName, on: boolean, weight: number) => ({
    name,
    on,
    weight,
    proposal: on ? [0.5, 0.5] : [],
    ...(on ? {} : { reason: 'off' }),
  });
  const detail = (v: number, conservative: boolean | null): MplsDecisionDetail => ({
    family: 'mpls',
    variant: 'mpls',
    basis: 'sector',
    sectors: [],
    modules: [mod('sentiment', false, 0), mod('volatility', true, v), mod('graph', true, 1 - v)],
    fused: [],
    volatility: conservative === null ? null : { forecast: [], uncertainty: 0, threshold: 0, conservative },
    cash: 0,
    concentration: { sectors: 1, final: 1 },
  });

  it('gives each module its weights, their mean and the share of the days it led', () => {
    const s = mplsFusionSummary([
      { date: '2000-01-03', detail: detail(0.7, true) },
      { date: '2000-01-04', detail: detail(0.4, false) },
      { date: '2000-01-05', detail: null },
      { date: '2000-01-06', detail: detail(0.6, false) },
    ]);
    expect(s.dates).toEqual(['2000-01-03', '2000-01-04', '2000-01-06']);
    expect(s.modules.map((m) => [m.name, m.on])).toEqual([
      ['sentiment', false],
      ['volatility', true],
      ['graph', true],
    ]);
    expect(s.modules[1]!.weights).toEqual([0.7, 0.4, 0.6]);
    expect(s.modules[1]!.mean).toBeCloseTo(1.7 / 3, 12);
    expect(s.modules[1]!.led).toBeCloseTo(2 / 3, 12);
    expect(s.modules[2]!.led).toBeCloseTo(1 / 3, 12);
    expect(s.modules[0]!).toMatchObject({ mean: 0, led: 0 });
    expect(s.conservative).toBeCloseTo(1 / 3, 12);
  });

  it('has no leader and no conservative share where every module is off', () => {
    const off: MplsDecisionDetail = {
      ...detail(0, null),
      modules: [mod('sentiment', false, 0), mod('volatility', false, 0), mod('graph', false, 0)],
    };
    const s = mplsFusionSummary([
      { date: '2000-01-03', detail: off },
      { date: '2000-01-04', detail: off },
    ]);
    expect(s.modules.map((m) => m.led)).toEqual([0, 0, 0]);
    expect(s.conservative).toBeNull();
  });
});

describe('the words of the cases a stored run seldom shows', () => {
  const base = (modules: MplsExplanation['modules'], conservative: MplsExplanation['conservative']) => ({
    variant: 'mpls' as const,
    window: L,
    sectors: [
      { name: 'Alpha', tickers: ['A1', 'A2'], fused: 0.5, weight: 0.5, intra: [0.5, 0.5] },
      { name: 'Beta', tickers: ['B1'], fused: 0.5, weight: 0.5, intra: [1] },
    ],
    modules,
    conservative,
    fusion: null,
    high: { agent: 'high' as const, sector: null, outputs: [], exact: true, evaluations: 0 },
    low: [],
    backgroundDates: [],
    reproduced: true,
    run: mplsFusionSummary([]),
  });
  const off = (name: MplsModuleName, reason: string) => ({
    name,
    on: false,
    reason,
    weight: 0,
    typical: null,
    top: [],
  });

  it('says there is nothing to fuse when every module is off, with each reason once', () => {
    const why = '; with no module on, the fused allocation is equal over the sectors';
    const w = mplsWords(
      base(
        [
          off('sentiment', `no news imported for u${why}`),
          off('volatility', `switched off by the ablation mpls/sentiment-only${why}`),
          off('graph', `switched off by the ablation mpls/sentiment-only${why}`),
        ],
        null,
      ),
    );
    expect(w.fusion).toEqual([
      'No module is on (sentiment: no news imported for u; volatility: switched off by the ablation mpls/sentiment-only; graph: switched off by the ablation mpls/sentiment-only): there is nothing to fuse, so the fused allocation is equal over the 2 sectors.',
    ]);
    expect(w.high).toEqual([
      "The high-level agent keeps the fused allocation: no sector's weight departs from it by 0.05 points or more.",
    ]);
  });

  it('says a lone module always weighs 100%, and a switch that is off', () => {
    const w = mplsWords(
      base(
        [
          off('sentiment', 'switched off'),
          {
            name: 'volatility',
            on: true,
            reason: null,
            weight: 1,
            typical: 1,
            top: [
              { sector: 'Beta', weight: 0.6 },
              { sector: 'Alpha', weight: 0.4 },
            ],
          },
          off('graph', 'switched off'),
        ],
        { uncertainty: 0.05, threshold: 0.02, fired: false, enabled: false },
      ),
    );
    expect(w.fusion).toContain("The volatility module's own proposal puts the most in Beta (60.0%) and Alpha (40.0%).");
    expect(w.fusion).toContain('With one module on, its weight is 100% whatever the day.');
    expect(w.fusion).toContain(
      "The volatility forecast's uncertainty (0.050) was above its threshold (0.020), but this model's conservative switch is off: the fused allocation stands.",
    );
  });

  it("says an asset's weight as its sector's weight × its weight inside, and what the trade rule left", () => {
    const e: MplsExplanation = {
      ...base([off('sentiment', 'off'), off('volatility', 'off'), off('graph', 'off')], null),
      sectors: [
        { name: 'Alpha', tickers: ['A1', 'A2'], fused: 0.5, weight: 0.6, intra: [0.75, 0.25] },
        { name: 'Beta', tickers: ['B1'], fused: 0.5, weight: 0.4, intra: [1] },
      ],
      high: {
        agent: 'high',
        sector: null,
        exact: true,
        evaluations: 4,
        outputs: [
          {
            output: 'Alpha',
            fx: 0.6,
            baseValue: 0.5,
            values: [
              { player: FUSED_PLAYER, value: 0.02 },
              { player: returnsPlayer('Alpha'), value: 0.08 },
            ],
            efficiencyGap: 0,
          },
        ],
      },
      low: [
        {
          agent: 'low',
          sector: 'Alpha',
          exact: true,
          evaluations: 4,
          outputs: [
            {
              output: 'A1',
              fx: 0.75,
              baseValue: 0.5,
              values: [
                { player: 'A1', value: 0.2 },
                { player: HELD_INSIDE_PLAYER, value: 0.05 },
              ],
              efficiencyGap: 0,
            },
          ],
        },
      ],
      words: { fusion: [], high: [], low: [] },
    };
    // the book holds A1 at 40% (the agents' target 45%), A2 at 15%, B1 at 40%
    const book = classAttribution(['A1', 'A2', 'B1'], e.sectors, [0.4, 0.15, 0.4], 0.05);
    expect(mplsAssetWords(e, 'A1', book)).toEqual([
      "A1's 40.0% is Alpha's 60.0% of the book × 75.0% inside Alpha.",
      "The trade rule leaves it −5.0 points from the agents' 45.0%: the book moves only part of the way to the target each day (the trade rate) and skips trades smaller than the no-trade band, so part of the weight stays as held.",
      "The high-level agent gives Alpha 60.0% against 50.0% in the fused allocation (typical 50.0%), mainly because of Alpha's recent returns (+8.0 points) and the fused allocation (+2.0 points).",
      "Inside Alpha, A1's 75.0% (typical 50.0%) came mostly from its own price path (+20.0 points) and the weights held in Alpha (+5.0 points).",
    ]);
    expect(mplsAssetWords(e, 'B1', book)[0]).toBe(
      "B1's 40.0% is Beta's 40.0% of the book: it is the sector's only stock.",
    );
  });
});
