/**
 * MPLS's graph module (src-main/agents/mpls/graphModule.ts) on a synthetic market of nine assets in three sectors
 * whose next-5-day returns are driven by persistent drifts that the trailing returns reveal: the fitted module beats
 * predicting zero on held-out days; the same seed gives a bit-identical artifact (another seed does not); closes
 * outside the training days (NaN and huge values after it, garbage before it) leave the fit unchanged; a module
 * rebuilt from the stored artifact decides exactly as the fitted one; day t is pure and causal; the proposal is the
 * softmax of the sector mean scores; sector inputs are broadcast to members and required back on rebuild; the ONNX
 * export agrees with the module to 1e-5; the desk snapshot; the sample days and the refusals.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { classLayout, type ClassLayout } from '../../../src-main/agents/hadaps/classes';
import {
  exportGraphModuleOnnx,
  fitGraphModule,
  GRAPH_DEFAULTS,
  graphModuleFrom,
  graphSampleDays,
  graphSnapshot,
  priceFeatureCount,
  standardisedTarget,
  type GraphArtifact,
  type GraphConfig,
  type GraphModule,
} from '../../../src-main/agents/mpls/graphModule';
import { OnnxModel } from '../../../src-main/compute/onnx/runtime';
import { maxAbsDiff } from '../networks/helpers';

const N = 9;
const DAYS = 760;
const TRAIN_FIRST = 40;
const TRAIN_LAST = 559;
const TICKERS = Array.from({ length: N }, (_, i) => `S${Math.floor(i / 3)}A${i % 3}`);
const LAYOUT: ClassLayout = classLayout(
  TICKERS,
  TICKERS.map((ticker, i) => ({ ticker, class: 'Equity', sector: `Sector ${Math.floor(i / 3)}` })),
  'auto',
);

/**
 * Daily log returns: a market factor, noise, and a drift per asset of +-0.4% a day that is redrawn every 60 days, so
 * an asset's trailing returns say which way it is drifting and its next 5 days follow.
 */
function plantedMarket(seed: string): Float64Array[] {
  const rng = seedrandom(seed);
  const drift = new Float64Array(N);
  const out = [new Float64Array(N).fill(50)];
  for (let d = 1; d < DAYS; d++) {
    if ((d - 1) % 60 === 0) for (let i = 0; i < N; i++) drift[i] = rng() < 0.5 ? -0.004 : 0.004;
    const m = 0.01 * (rng() - 0.5);
    out.push(out[d - 1]!.map((c, i) => c * Math.exp(drift[i]! + m + 0.02 * (rng() - 0.5))));
  }
  return out;
}

const CLOSES = plantedMarket('graph-module');
const closes = (d: number) => CLOSES[d]!;

/** A small network (the shape is measured in the report, not in the test suite) with the dropout. */
const CFG: GraphConfig = {
  ...GRAPH_DEFAULTS,
  layers: 2,
  hidden: 16,
  heads: 2,
  embedWidth: 4,
  epochs: 8,
  batchDays: 16,
  patience: 0,
  lr: 3e-3,
};

function fit(seed: number, c: (d: number) => ArrayLike<number> = closes, cfg = CFG) {
  return fitGraphModule({
    closes: c,
    nDays: DAYS,
    layout: LAYOUT,
    trainFirst: TRAIN_FIRST,
    trainLast: TRAIN_LAST,
    seed,
    cfg,
  });
}

const json = (a: GraphArtifact) => JSON.stringify(a);
const disposeAll = (...ms: GraphModule[]) => ms.forEach((m) => m.dispose());

let fitted: { module: GraphModule; artifact: GraphArtifact };
beforeAll(async () => {
  fitted = await fit(1);
});

describe('graph module fit', () => {
  it('learns the planted drift: beats predicting zero on held-out days', () => {
    const { module, artifact } = fitted;
    expect(artifact.fit.validationMse).not.toBeNull();
    expect(artifact.fit.validationMse!).toBeLessThan(0.95);
    let se = 0;
    let zero = 0;
    for (let t = TRAIN_LAST + 1; t < DAYS - CFG.horizon; t++) {
      const y = standardisedTarget(closes, N, t, CFG.horizon);
      const s = module.reading(t).scores;
      for (let i = 0; i < N; i++) {
        se += (s[i]! - y[i]!) ** 2;
        zero += y[i]! ** 2;
      }
    }
    // predicting zero scores MSE 1 (the target is a z-score across the assets every day)
    expect(se / zero).toBeLessThan(0.7);
  });

  it('is reproducible by seed, and another seed gives another artifact', async () => {
    const again = await fit(1);
    const other = await fit(2);
    expect(json(again.artifact)).toBe(json(fitted.artifact));
    expect(json(other.artifact)).not.toBe(json(fitted.artifact));
    disposeAll(again.module, other.module);
  });

  it('reads no close outside the training days: a poisoned past and future leave the fit unchanged', async () => {
    const poisoned = CLOSES.map((row, d) =>
      d < TRAIN_FIRST || d > TRAIN_LAST ? row.map((_, i) => (i % 2 ? Number.NaN : 1e300 * (d + 1))) : row,
    );
    const p = await fit(1, (d) => poisoned[d]!);
    expect(json(p.artifact)).toBe(json(fitted.artifact));
    p.module.dispose();
  });

  it('a module rebuilt from the stored artifact decides exactly as the fitted one', () => {
    const stored = JSON.parse(json(fitted.artifact)) as GraphArtifact;
    const rebuilt = graphModuleFrom(stored, closes, DAYS, LAYOUT);
    for (const t of [rebuilt.firstDay, 300, TRAIN_LAST, TRAIN_LAST + 1, 700, DAYS - 1]) {
      const a = fitted.module.day(t);
      const b = rebuilt.day(t);
      expect(Array.from(b.proposal), `day ${t}`).toEqual(Array.from(a.proposal));
      expect(Array.from(b.sectorFeatures)).toEqual(Array.from(a.sectorFeatures));
      expect(Array.from(b.assetFeatures)).toEqual(Array.from(a.assetFeatures));
    }
    rebuilt.dispose();
  });

  it('day(t) is pure and causal: the same t gives the same output, closes after t change nothing', () => {
    const t = 640;
    const first = fitted.module.day(t);
    const out = fitted.module.day(t);
    out.proposal[0] = 99; // a caller writing into its copy changes nothing kept
    expect(Array.from(fitted.module.day(t).proposal)).toEqual(Array.from(first.proposal));
    const future = CLOSES.map((row, d) => (d > t ? row.map(() => Number.NaN) : row));
    const m = graphModuleFrom(fitted.artifact, (d) => future[d]!, DAYS, LAYOUT);
    expect(Array.from(m.day(t).assetFeatures)).toEqual(Array.from(first.assetFeatures));
    expect(Array.from(m.day(t).proposal)).toEqual(Array.from(first.proposal));
    m.dispose();
  });

  it('gives the softmax of the sector mean scores, the means, and the embeddings', () => {
    const { module } = fitted;
    expect(module.name).toBe('graph');
    expect(module.sectorWidth).toBe(1);
    expect(module.assetWidth).toBe(CFG.embedWidth);
    expect(module.firstDay).toBe(60);
    const t = 600;
    const r = module.reading(t);
    const d = module.day(t);
    expect(d.proposal.length).toBe(3);
    expect(d.proposal.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    LAYOUT.classes.forEach((c, s) => {
      const mean = c.members.reduce((a, i) => a + r.scores[i]!, 0) / c.members.length;
      expect(d.sectorFeatures[s]).toBeCloseTo(mean, 6);
      expect(d.proposal[s]! / d.proposal[0]!).toBeCloseTo(Math.exp((mean - d.sectorFeatures[0]!) / CFG.temperature), 5);
    });
    expect(Array.from(d.assetFeatures)).toEqual(Array.from(r.embed));
    expect(d.assetFeatures.length).toBe(N * CFG.embedWidth);
    expect(() => module.day(59)).toThrow(/outside 60 \.\. 759/);
    expect(() => module.day(DAYS)).toThrow(/outside/);
  });

  it('the exported ONNX model gives the module scores and embeddings to 1e-5', async () => {
    const model = await OnnxModel.create(exportGraphModuleOnnx(fitted.artifact));
    const F = priceFeatureCount(CFG);
    for (const t of [200, 700]) {
      const r = fitted.module.reading(t);
      const out = model.runSync({
        x: { data: r.x, dims: [1, N, F] },
        adjacency: { data: r.graph.adjacency, dims: [1, N, N] },
      });
      expect(maxAbsDiff(out.score!.data, r.scores)).toBeLessThan(1e-5);
      expect(maxAbsDiff(out.embed!.data, r.embed)).toBeLessThan(1e-5);
    }
    await model.dispose();
  });

  it('the desk snapshot: every node, the strongest edges by |rho| with attention both ways, JSON-friendly', () => {
    const t = 603;
    const snap = graphSnapshot(fitted.module, t, 5, TICKERS);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap.refreshDay).toBe(600);
    expect(snap.nodes.map((n) => [n.ticker, n.sector])).toEqual(
      TICKERS.map((tk, i) => [tk, `Sector ${Math.floor(i / 3)}`]),
    );
    const r = fitted.module.reading(t);
    expect(snap.nodes.map((n) => n.score)).toEqual(Array.from(r.scores));
    // the edges of the graph, strongest first, at most 5
    const all: number[] = [];
    for (let i = 0; i < N; i++)
      for (let j = i + 1; j < N; j++)
        if (r.graph.adjacency[i * N + j] === 1) all.push(Math.abs(r.graph.rho[i * N + j]!));
    all.sort((a, b) => b - a);
    expect(snap.edges.length).toBe(Math.min(5, all.length));
    expect(snap.edges.map((e) => Math.abs(e.rho))).toEqual(all.slice(0, 5));
    for (const e of snap.edges) {
      const i = TICKERS.indexOf(e.a);
      const j = TICKERS.indexOf(e.b);
      expect(Math.abs(e.rho)).toBeGreaterThanOrEqual(CFG.threshold);
      expect(e.attentionAB).toBe(r.attention[i * N + j]);
      expect(e.attentionBA).toBe(r.attention[j * N + i]);
      expect(e.attention).toBeCloseTo((e.attentionAB + e.attentionBA) / 2, 12);
      expect(e.attentionAB).toBeGreaterThan(0);
      expect(e.attentionAB).toBeLessThanOrEqual(1);
    }
    expect(graphSnapshot(fitted.module, t).nodes[0]!.ticker).toBe('asset 0');
    expect(() => graphSnapshot(fitted.module, t, 5, ['x'])).toThrow(/1 tickers for 9 assets/);
  });
});

describe('graph module sector inputs', () => {
  /** Two inputs per sector: the sector index and the day parity. */
  const extra = (t: number) => Float32Array.from({ length: 6 }, (_, q) => (q % 2 ? t % 2 : Math.floor(q / 2)));

  it('broadcasts each sector row to its members, standardised, and needs them back on rebuild', async () => {
    const cfg = { ...CFG, epochs: 1 };
    const { module, artifact } = await fitGraphModule({
      closes,
      nDays: DAYS,
      layout: LAYOUT,
      trainFirst: TRAIN_FIRST,
      trainLast: TRAIN_LAST,
      seed: 1,
      cfg,
      extraSectorFeatures: extra,
    });
    const Fp = priceFeatureCount(cfg);
    const F = Fp + 2;
    expect(artifact.extraWidth).toBe(2);
    expect(artifact.featureMean.length).toBe(F);
    // sector index 0, 1, 2 over equal sectors: mean 1, population std sqrt(2/3)
    expect(artifact.featureMean[Fp]).toBeCloseTo(1, 12);
    expect(artifact.featureStd[Fp]).toBeCloseTo(Math.sqrt(2 / 3), 12);
    const x = module.reading(301).x;
    for (let i = 0; i < N; i++) {
      const s = Math.floor(i / 3);
      expect(x[i * F + Fp]).toBeCloseTo((s - 1) / Math.sqrt(2 / 3), 5);
      expect(x[i * F + Fp + 1]).toBe(x[Fp + 1]);
    }
    expect(x[Fp + 1]).not.toBe(module.reading(302).x[Fp + 1]);
    expect(() => graphModuleFrom(artifact, closes, DAYS, LAYOUT)).toThrow(/2 sector input\(s\).*extraSectorFeatures/);
    const bad = graphModuleFrom(artifact, closes, DAYS, LAYOUT, () => new Float32Array(5));
    expect(() => bad.day(300)).toThrow(/gave 5 values, expected 3 sectors x 2/);
    disposeAll(module, bad);

    // switched off by the setting, the inputs are ignored
    const off = await fit(1, closes, { ...cfg, sectorInputs: false });
    expect(off.artifact.extraWidth).toBe(0);
    off.module.dispose();
  });
});

describe('graph module samples and refusals', () => {
  it('samples start where features and graph read no earlier close and end horizon days before trainLast', () => {
    const d = graphSampleDays(GRAPH_DEFAULTS, 40, 499);
    // features look back 60 days from 100, the graph at r(100) = 100 reads closes 40..100
    expect(d.first).toBe(100);
    expect(d.last).toBe(494);
    // 395 sample days, 15% = 59 held out from 436, training samples end 5 days before it
    expect(d.validationStart).toBe(436);
    expect(d.trainLast).toBe(431);
    const late = graphSampleDays(GRAPH_DEFAULTS, 42, 499);
    expect(late.first).toBe(105); // r(102) = 100 would read close 40 < 42
    expect(graphSampleDays({ ...GRAPH_DEFAULTS, validationFraction: 0 }, 40, 499)).toMatchObject({
      validationStart: null,
      trainLast: 494,
    });
    expect(() => graphSampleDays(GRAPH_DEFAULTS, 40, 120)).toThrow(/leave 10 training samples, 20 are needed/);
  });

  it('refuses settings, layouts and days it cannot serve, naming them', async () => {
    await expect(fit(1, closes, { ...CFG, heads: 3 })).rejects.toThrow(/hidden 16 must be divisible by heads 3/);
    await expect(fit(1, closes, { ...CFG, temperature: 0 })).rejects.toThrow(/temperature/);
    await expect(fit(1, closes, { ...CFG, returnWindows: [] })).rejects.toThrow(/returnWindows/);
    const two = classLayout(TICKERS, undefined, 'auto');
    expect(() => graphModuleFrom(fitted.artifact, closes, DAYS, two)).toThrow(/3 sectors, the layout has 1/);
    await expect(
      fitGraphModule({ closes, nDays: DAYS, layout: LAYOUT, trainFirst: 0, trainLast: DAYS, seed: 1, cfg: CFG }),
    ).rejects.toThrow(/not inside 0\.\.759/);
    const ac = new AbortController();
    ac.abort();
    await expect(
      fitGraphModule({
        ...{ closes, nDays: DAYS, layout: LAYOUT, trainFirst: 40, trainLast: 559, seed: 1, cfg: CFG },
        signal: ac.signal,
      }),
    ).rejects.toThrow(/abort/);
  });
});
