/**
 * explain/hadaps.ts on hand-built policies (no training): each HADAPS layer explained apart by the inputs it reads —
 * the efficiency property on every output, in exact and sampled mode; a policy whose inter-class layer reads one
 * asset's volatility only puts every class's attribution on that asset (and on the stretch of time it reads); an
 * intra-class layer explains the weights INSIDE its class; the shared-coalition SHAP equals SHAP of each output
 * alone; and the plain words, from the book split into its classes.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import {
  classAttribution,
  explainHadaps,
  hadapsWords,
  HELD_PLAYER,
  type HadapsExplanation,
  type HadapsPolicyView,
} from '../../src-main/explain/hadaps';
import { kernelShap, kernelShapOutputs } from '../../src-main/explain/shap';
import { rowIndex } from '../../src-main/strategies/hadaps/explainable';
import type { ClassLayout } from '../../src-main/agents/hadaps/classes';

const softmax = (u: number[], beta = 2) => {
  const m = Math.max(...u);
  const e = u.map((x) => Math.exp(beta * (x - m)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

/**
 * A policy of the HADAPS shape over `groups` (risky classes by asset index) and window k: class weights from
 * `inter(v, held)`, weights inside class c from `intra(c, p, held)`; final weight = class × inside.
 */
function policyView(
  groups: number[][],
  k: number,
  inter: (v: (i: number, j: number) => number, held: (i: number) => number) => number[],
  intra: (c: number, p: (i: number, j: number) => number, held: (i: number) => number) => number[],
  seed = 'bg',
): HadapsPolicyView {
  const n = groups.flat().length;
  const ix = rowIndex(n, k);
  const classOf = new Array<number>(n);
  groups.forEach((g, c) => g.forEach((i) => (classOf[i] = c)));
  const layout: ClassLayout = {
    basis: 'sector',
    classes: groups.map((members, c) => ({ name: `Class${c}s`, members })),
    nAssets: n,
    classOf,
  };
  const rng = seedrandom(seed);
  const row = () => {
    const r = Float64Array.from({ length: ix.length }, () => rng() * 2 - 1);
    // weights held: non-negative, summing to at most 1
    for (let i = 0; i < n; i++) r[ix.held(i)] = rng() / n;
    return r;
  };
  const tickers = Array.from({ length: n }, (_, i) => `T${i}`);
  return {
    tickers,
    window: k,
    policyKind: 'hierarchical',
    layout,
    classNames: [...layout.classes.map((c) => c.name), 'Cash'],
    layers: [
      { name: 'inter', inDim: n * k + groups.length + 1, outDim: groups.length + 1 },
      ...groups.flatMap((g, c) =>
        g.length >= 2 ? [{ name: `intra${c}`, inDim: g.length * (k + 1), outDim: g.length, cls: c }] : [],
      ),
    ],
    index: ix,
    x: row(),
    background: Array.from({ length: 6 }, row),
    backgroundDates: Array.from({ length: 6 }, (_, b) => `2000-01-0${b + 1}`),
    evaluate(rows) {
      const weights: Float64Array[] = [];
      const classes: Float64Array[] = [];
      for (const r of rows) {
        const v = (i: number, j: number) => r[ix.v(i, j)]!;
        const p = (i: number, j: number) => r[ix.p(i, j)]!;
        const held = (i: number) => r[ix.held(i)]!;
        const cw = inter(v, held);
        const w = new Float64Array(n);
        groups.forEach((g, c) => {
          const inside = g.length >= 2 ? intra(c, p, held) : [1];
          g.forEach((i, m) => (w[i] = cw[c]! * inside[m]!));
        });
        weights.push(w);
        classes.push(Float64Array.from(cw));
      }
      return { weights, classes };
    },
  };
}

/** A policy that reads everything it may: every asset's volatility, the held class sums, each class's prices. */
function busyPolicy(groups: number[][], k: number, seed?: string): HadapsPolicyView {
  return policyView(
    groups,
    k,
    (v, held) => {
      const u = groups.map((g, c) =>
        Math.tanh(g.reduce((s, i) => s + v(i, k - 1) * (c + 1) - 0.5 * v(i, 0) ** 2 + 3 * held(i), 0)),
      );
      return softmax([...u, Math.tanh(v(0, k - 2) * v(groups.flat().length - 1, 1))]);
    },
    (c, p, held) => softmax(groups[c]!.map((i, m) => Math.sin(p(i, k - 1) + m * p(i, 0)) + 2 * held(i))),
    seed,
  );
}

describe('explainHadaps: every layer, its outputs and the efficiency property', () => {
  it('attributions of every output add up to the output minus the baseline (exact mode, 1e-6)', () => {
    const p = busyPolicy(
      [
        [0, 1, 2],
        [3, 4],
      ],
      6,
    );
    const e = explainHadaps(p, { nSamples: 256 });
    // inter (assets, time blocks), intra of both classes (assets, time blocks)
    expect(e.layers.map((l) => [l.layer, l.className, l.players])).toEqual([
      ['inter', null, 'assets'],
      ['inter', null, 'time blocks'],
      ['intra', 'Class0s', 'assets'],
      ['intra', 'Class0s', 'time blocks'],
      ['intra', 'Class1s', 'assets'],
      ['intra', 'Class1s', 'time blocks'],
    ]);
    for (const l of e.layers) {
      expect(l.exact).toBe(true);
      for (const o of l.outputs) {
        const sum = o.values.reduce((a, v) => a + v.value, 0);
        expect(Math.abs(sum - (o.fx - o.baseValue))).toBeLessThan(1e-6);
        expect(o.efficiencyGap).toBeLessThan(1e-6);
      }
    }
    const inter = e.layers[0]!;
    expect(inter.outputs.map((o) => o.output)).toEqual(['Class0s', 'Class1s', 'Cash']);
    expect(inter.outputs[0]!.values.map((v) => v.player)).toEqual(['T0', 'T1', 'T2', 'T3', 'T4', HELD_PLAYER]);
    // the layers apart: the class weights at the decision, and inside weights (the weight over its class's)
    const at = p.evaluate([p.x]);
    inter.outputs.forEach((o, c) => expect(o.fx).toBeCloseTo(at.classes[0]![c]!, 12));
    const intra0 = e.layers[2]!;
    expect(intra0.outputs.map((o) => o.output)).toEqual(['T0', 'T1', 'T2']);
    intra0.outputs.forEach((o, m) => expect(o.fx).toBeCloseTo(at.weights[0]![m]! / at.classes[0]![0]!, 12));
    expect(intra0.outputs.reduce((s, o) => s + o.fx, 0)).toBeCloseTo(1, 12);
    // a layer's baseline keeps the inputs it does not read at the decision's values: the class weights' baseline
    // is the mean over the background of the policy with the decision's prices, the background's volatility and held
    const ix = p.index;
    const mixed = p.background.map((b) => {
      const r = Float64Array.from(b);
      for (let j = 0; j < ix.v(0, 0); j++) r[j] = p.x[j]!;
      return r;
    });
    const base = p.evaluate(mixed).classes.reduce((s, c) => s + c[0]!, 0) / mixed.length;
    expect(inter.outputs[0]!.baseValue).toBeCloseTo(base, 12);
  });

  it('sampled mode (more than 12 players) keeps the efficiency property to 1e-6', () => {
    const groups = [
      [0, 1, 2, 3, 4, 5, 6],
      [7, 8, 9, 10, 11, 12],
    ];
    const e = explainHadaps(busyPolicy(groups, 6, 'wide'), { nSamples: 512 });
    const inter = e.layers.find((l) => l.layer === 'inter' && l.players === 'assets')!;
    expect(inter.exact).toBe(false);
    expect(inter.outputs[0]!.values).toHaveLength(14);
    for (const l of e.layers)
      for (const o of l.outputs)
        expect(Math.abs(o.values.reduce((a, v) => a + v.value, 0) - (o.fx - o.baseValue))).toBeLessThan(1e-6);
  });

  it('a class split that reads one asset’s volatility only puts every class’s attribution on that asset', () => {
    const k = 6;
    // class weights from the newest volatility of T1 only; intra weights from the prices
    const p = policyView(
      [
        [0, 1],
        [2, 3],
      ],
      k,
      (v) => softmax([v(1, k - 1), -v(1, k - 1), 0]),
      (c, pr) => softmax([pr(2 * c, k - 1), pr(2 * c + 1, k - 1)]),
    );
    const e = explainHadaps(p, { nSamples: 256 });
    const byAsset = e.layers.find((l) => l.layer === 'inter' && l.players === 'assets')!;
    for (const o of byAsset.outputs) {
      const v = Object.fromEntries(o.values.map((x) => [x.player, x.value]));
      // the whole change from the baseline is T1's; every other asset and the held weights get exactly nothing
      expect(v.T1).toBeCloseTo(o.fx - o.baseValue, 12);
      for (const other of ['T0', 'T2', 'T3', HELD_PLAYER]) expect(v[other]).toBe(0);
    }
    expect(Math.abs(byAsset.outputs[0]!.fx - byAsset.outputs[0]!.baseValue)).toBeGreaterThan(1e-3);
    // over time: the newest step lies in the last week; the older stretch and the held weights carry nothing
    const byTime = e.layers.find((l) => l.layer === 'inter' && l.players === 'time blocks')!;
    for (const o of byTime.outputs) {
      expect(o.values.map((x) => x.player)).toEqual(['last week (1-5 days)', 'last month (6-21 days)', HELD_PLAYER]);
      expect(o.values[0]!.value).toBeCloseTo(o.fx - o.baseValue, 12);
      expect([o.values[1]!.value, o.values[2]!.value]).toEqual([0, 0]);
    }
    // inside class 0, T0 and T1 share the change of their softmax: hand-computed Shapley values of two players
    const intra = e.layers.find((l) => l.layer === 'intra' && l.className === 'Class0s' && l.players === 'assets')!;
    const f = (a: number, b: number) => softmax([a, b])[0]!;
    const x0 = p.x[p.index.p(0, k - 1)]!;
    const x1 = p.x[p.index.p(1, k - 1)]!;
    const mean = (g: (r: Float64Array) => number) => p.background.reduce((s, r) => s + g(r), 0) / p.background.length;
    const b0 = (r: Float64Array) => r[p.index.p(0, k - 1)]!;
    const b1 = (r: Float64Array) => r[p.index.p(1, k - 1)]!;
    const v0 = mean((r) => f(b0(r), b1(r)));
    const vT0 = mean((r) => f(x0, b1(r)));
    const vT1 = mean((r) => f(b0(r), x1));
    const v01 = f(x0, x1);
    const t0 = intra.outputs[0]!;
    expect(t0.output).toBe('T0');
    expect(t0.values.map((x) => x.player)).toEqual(['T0', 'T1', HELD_PLAYER]);
    expect(t0.values[0]!.value).toBeCloseTo(0.5 * (vT0 - v0) + 0.5 * (v01 - vT1), 12);
    expect(t0.values[1]!.value).toBeCloseTo(0.5 * (vT1 - v0) + 0.5 * (v01 - vT0), 12);
    expect(t0.values[2]!.value).toBe(0);
  });

  it('an ablation has only the layers it learns: no inter-class layer for equal class weights', () => {
    const p = busyPolicy(
      [
        [0, 1],
        [2, 3],
      ],
      6,
    );
    const e = explainHadaps({ ...p, policyKind: 'intra-only', layers: p.layers.filter((l) => l.name !== 'inter') });
    expect(e.policy).toBe('intra-only');
    expect([...new Set(e.layers.map((l) => l.layer))]).toEqual(['intra']);
  });
});

describe('kernelShapOutputs', () => {
  it('gives every output what kernelShap gives it alone, from one set of coalitions', () => {
    const rng = seedrandom('multi');
    const d = 16;
    const rows = (m: number) => Array.from({ length: m }, () => Float64Array.from({ length: d }, () => rng() * 2 - 1));
    const bg = rows(5);
    const x = rows(1)[0]!;
    const fs = [
      (r: Float64Array) => Math.tanh(r[0]! * r[3]! + r[7]!),
      (r: Float64Array) => r.reduce((s, v, j) => s + Math.sin(v * (j + 1)), 0),
    ];
    let calls = 0;
    const multi = kernelShapOutputs(
      {
        outputs: 2,
        batch: (X) => {
          calls += X.length;
          return fs.map((f) => Float64Array.from(X, f));
        },
      },
      x,
      bg,
      undefined,
      { nSamples: 300, seed: 3 },
    );
    for (let o = 0; o < 2; o++) {
      const one = kernelShap(fs[o]!, x, bg, undefined, { nSamples: 300, seed: 3 });
      expect(one.exact).toBe(false);
      expect(multi[o]!.fx).toBe(one.fx);
      expect(multi[o]!.baseValue).toBe(one.baseValue);
      one.values.forEach((v, j) => expect(multi[o]!.values[j]).toBeCloseTo(v, 10));
    }
    // both outputs from one pass over the coalitions' rows
    expect(calls).toBe(multi[0]!.evaluations);
  });
});

describe('the HADAPS decision as a PM reads it', () => {
  const tickers = ['CAT', 'MMM', 'MSFT', 'INTC', 'XOM'];
  const classes = [
    { name: 'Energy', weight: 0.1, tickers: ['XOM'], intra: [1] },
    { name: 'Industrials', weight: 0.5, tickers: ['CAT', 'MMM'], intra: [0.6, 0.4] },
    { name: 'Information Technology', weight: 0.3, tickers: ['MSFT', 'INTC'], intra: [0.75, 0.25] },
    { name: 'Cash', weight: 0.1, tickers: [], intra: [] },
  ];
  // the book: the policy's weights, except MMM which the band left 1 point lower (kept at its held weight)
  const final = [0.3, 0.19, 0.225, 0.075, 0.1];
  const cash = 1 - final.reduce((a, b) => a + b, 0);
  const a = classAttribution(tickers, classes, final, cash);
  const out = (output: string, fx: number, baseValue: number, values: [string, number][]) => ({
    output,
    fx,
    baseValue,
    values: values.map(([player, value]) => ({ player, value })),
    efficiencyGap: 0,
  });
  const explanation: HadapsExplanation = {
    policy: 'hierarchical',
    window: 20,
    classes: classes.map((c) => ({ name: c.name, tickers: c.tickers })),
    backgroundDates: ['1997-01-02'],
    layers: [
      {
        layer: 'inter',
        className: null,
        players: 'assets',
        exact: false,
        evaluations: 1,
        outputs: [
          out('Energy', 0.1, 0.2, [
            ['XOM', -0.1],
            ['CAT', 0],
            ['MMM', 0],
            ['MSFT', 0],
            ['INTC', 0],
            [HELD_PLAYER, 0],
          ]),
          out('Industrials', 0.5, 0.3, [
            ['XOM', 0.02],
            ['CAT', 0.12],
            ['MMM', 0.05],
            ['MSFT', 0],
            ['INTC', 0],
            [HELD_PLAYER, 0.01],
          ]),
          out('Information Technology', 0.3, 0.3, [
            ['XOM', 0.03],
            ['CAT', -0.04],
            ['MMM', 0],
            ['MSFT', 0.02],
            ['INTC', -0.01],
            [HELD_PLAYER, 0],
          ]),
          out('Cash', 0.1, 0.2, [
            ['XOM', 0.05],
            ['CAT', -0.08],
            ['MMM', -0.05],
            ['MSFT', -0.02],
            ['INTC', 0.01],
            [HELD_PLAYER, -0.01],
          ]),
        ],
      },
      {
        layer: 'inter',
        className: null,
        players: 'time blocks',
        exact: true,
        evaluations: 1,
        outputs: [
          out('Industrials', 0.5, 0.3, [
            ['last week (1-5 days)', 0.15],
            ['last month (6-21 days)', 0.04],
            [HELD_PLAYER, 0.01],
          ]),
        ],
      },
      {
        layer: 'intra',
        className: 'Industrials',
        players: 'assets',
        exact: true,
        evaluations: 1,
        outputs: [
          out('CAT', 0.6, 0.5, [
            ['CAT', 0.07],
            ['MMM', 0.02],
            [HELD_PLAYER, 0.01],
          ]),
          out('MMM', 0.4, 0.5, [
            ['CAT', -0.07],
            ['MMM', -0.02],
            [HELD_PLAYER, -0.01],
          ]),
        ],
      },
      {
        layer: 'intra',
        className: 'Industrials',
        players: 'time blocks',
        exact: true,
        evaluations: 1,
        outputs: [
          out('CAT', 0.6, 0.5, [
            ['last week (1-5 days)', 0.08],
            ['last month (6-21 days)', 0.01],
            [HELD_PLAYER, 0.01],
          ]),
        ],
      },
    ],
  };

  it('splits the book into classes: class weight × weight inside, the band apart, adding up to every weight', () => {
    expect(a.agents).toEqual([
      { agent: 'Energy', share: expect.closeTo(0.1, 14), multiplier: 0.1 },
      { agent: 'Industrials', share: expect.closeTo(0.5, 14), multiplier: 0.5 },
      { agent: 'Information Technology', share: expect.closeTo(0.3, 14), multiplier: 0.3 },
      { agent: 'no-trade band', share: expect.closeTo(-0.01, 14), multiplier: 1 },
    ]);
    for (const r of a.assets) expect(r.parts.reduce((s, p) => s + p.contribution, 0)).toBeCloseTo(r.weight, 14);
    expect(a.assets.find((r) => r.ticker === 'CAT')!.parts).toEqual([
      { agent: 'Energy', agentWeight: 0, contribution: 0 },
      { agent: 'Industrials', agentWeight: 0.6, contribution: expect.closeTo(0.3, 14) },
      { agent: 'Information Technology', agentWeight: 0, contribution: 0 },
    ]);
    expect(a.cash).toBeCloseTo(0.11, 14);
  });

  it('says where an asset’s weight comes from, layer by layer, and what moved the class weights', () => {
    const w = hadapsWords({ subject: 'CAT', explanation, classes, attribution: a });
    expect(w.asset).toEqual([
      "CAT's 30.0% is Industrials' 50.0% of the book × 60.0% inside Industrials.",
      "The class weights give Industrials 50.0%, above its typical 30.0%, mainly because of the recent volatility of Industrials (+17.0 points) and the recent volatility of Energy (+2.0 points); over time, mostly every stock's volatility over the last week (+15.0 points).",
      "Inside Industrials, CAT's 60.0% (typical 50.0%) came mostly from its own price path over the last 20 days (+7.0 points) and MMM's price path (+2.0 points); over time, mostly the class's prices over the last week (+8.0 points).",
    ]);
    // the class weights as the book holds them (MMM after the band), the largest first, then what moved them:
    // Industrials' volatility added 17 points to Industrials and took 13 from cash and 4 from IT: 17 points moved
    expect(w.portfolio).toEqual([
      'The book is 49.0% Industrials (CAT 30.0%, MMM 19.0%); 30.0% Information Technology (MSFT 22.5%, INTC 7.5%); 10.0% Energy; and 11.0% cash.',
      'Against a typical day of the training period, the class weights were driven mostly by the recent volatility of Industrials, which moved 17.0% of the book (Industrials +17.0, Cash −13.0 points), and by the recent volatility of Energy, which moved 10.0% of the book (Cash +5.0, Energy −10.0 points).',
    ]);
  });

  it('says the band moved an asset off the policy’s target, and a single-stock class in a few words', () => {
    const mmm = hadapsWords({ subject: 'MMM', explanation, classes, attribution: a });
    expect(mmm.asset.slice(0, 2)).toEqual([
      "MMM's 19.0% is Industrials' 50.0% of the book × 40.0% inside Industrials.",
      "The no-trade band moves it −1.0 points from the policy's 20.0%: a trade smaller than the band is not made, so part of the weight stays as held.",
    ]);
    const xom = hadapsWords({ subject: 'XOM', explanation, classes, attribution: a });
    expect(xom.asset[0]).toBe("XOM's 10.0% is Energy's 10.0% of the book: it is the class's only stock.");
  });

  it('leaves out an attribution that does not explain the recorded decision rather than saying it wrong', () => {
    const other = classes.map((c) => (c.name === 'Industrials' ? { ...c, weight: 0.45 } : c));
    const w = hadapsWords({ subject: 'CAT', explanation, classes: other, attribution: a });
    expect(w.asset.some((s) => s.startsWith('The class weights'))).toBe(false);
    expect(w.portfolio).toHaveLength(1);
  });
});
