/**
 * Benchmarks of the SAMP-HDRL neural side (src-main/agents, src-main/compute/onnx). The lead's bench runner calls
 * `run()` and writes the figures to BENCHMARKS.md. Setting: the `quick` preset on the bundled DJIA 30 data
 * (N = 30 assets, window 20), on the TensorFlow.js backend `loadTf()` picks (printed in the notes).
 *   - DDPG updates per second, stage 1 (upper Transformer actor) and stage 2 (two lower SLaK actors through the
 *     fusion), batch = the preset's batch size, each update = target pass + critic step + actor step (with the entropy bonus) + soft
 *     update;
 *   - time per decision of the full policy (upper + both lower agents, batch 1) in ONNX Runtime (runSync) beside
 *     the same forward pass in tfjs (with dataSync), and the whole decide() (allocation logic + ONNX + fusion).
 * Each time is the median of several timed repetitions after warm-up, wall-clock on the machine running it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDjia } from '../test/helpers/data';
import type * as tfType from '@tensorflow/tfjs';
import { loadTf } from '../src-main/compute/backend';
import { MarketView } from '../src-main/market/view';
import { Ddpg } from '../src-main/agents/ddpg';
import { TfOps } from '../src-main/compute/ops';
import { initParams } from '../src-main/compute/params';
import { resolveSampConfig } from '../src-main/agents/samp/config';
import { PortfolioEnv } from '../src-main/agents/samp/env';
import { exportPolicyOnnx, lowerPolicy, sampNets, sampSpecs, upperPolicy } from '../src-main/agents/samp/policy';
import { tfjsStageModel } from '../src-main/agents/samp/engines';
import { OnnxModel } from '../src-main/compute/onnx/runtime';
import type { SampArtifacts } from '../src-main/agents/samp/artifacts';
import { loadSampPolicy } from '../src-main/strategies/samp/model';
import { serializeParams, paramsToBinary } from '../src-main/compute/params';
import { createHash } from 'node:crypto';
import { medianMs } from './timing';

export async function run(): Promise<{ name: string; value: number; unit: string; note?: string }[]> {
  const { tf, info } = await loadTf();
  const m = loadDjia();
  const cfg = resolveSampConfig('quick');
  const nets = sampNets(cfg);
  const specs = sampSpecs(nets);
  const N = m.tickers.length;
  const L = cfg.window;
  const B = cfg.ddpg.batchSize;
  const view = new MarketView(m, 755);
  const env = new PortfolioEnv(view, { firstDay: 75, lastDay: 755, features: cfg, costRate: cfg.costRate });
  const days = Array.from({ length: B }, (_, k) => 100 + ((17 * k) % 600));
  const stackF = (rows: Float32Array[]) => {
    const out = new Float32Array(rows.length * rows[0]!.length);
    rows.forEach((r, k) => out.set(r, k * r.length));
    return out;
  };
  const x = tf.keep(tf.tensor(stackF(days.map((t) => env.features(t))), [B, N, L]));
  const x2 = tf.keep(tf.tensor(stackF(days.map((t) => env.features(t + 1))), [B, N, L]));
  const uniform = tf.keep(tf.fill([B, N], 1 / N));
  const backend = `backend ${info.name}, quick preset, N=${N}, L=${L}, batch ${B}`;
  const out: { name: string; value: number; unit: string; note?: string }[] = [];

  // stage 1: upper actor (the trainer's tfjs model; Ddpg.update leaves no tensor behind outside tf.tidy)
  const d1 = new Ddpg(tf, tfjsStageModel(tf, 'upper', cfg, N), cfg.ddpg, 1);
  const batch1 = {
    s: { x, wprev: uniform },
    a: uniform,
    r: tf.keep(tf.fill([B, 1], 0.001)),
    s2: { x: x2, wprev: uniform },
    done: tf.keep(tf.zeros([B, 1])),
  };
  const u1 = medianMs(() => d1.update(batch1), 15, 3);
  out.push({
    name: 'samp: DDPG updates/s, stage 1 (upper Transformer actor)',
    value: 1000 / u1,
    unit: 'updates/s',
    note: backend,
  });
  d1.dispose();

  // stage 2: two lower actors through the fusion (upper outputs given)
  const d = nets.upper.dModel;
  const mask1 = Float32Array.from({ length: B * N }, (_, k) => (k % 3 === 0 ? 0 : 1));
  const s2state = (xx: tfType.Tensor) => ({
    x: xx,
    wprev: uniform,
    w0: uniform,
    emb: tf.keep(tf.randomUniform([B, d], -1, 1, 'float32', 3)),
    m1: tf.keep(tf.tensor(mask1, [B, N])),
    m2: tf.keep(
      tf.tensor(
        mask1.map((v) => 1 - v),
        [B, N],
      ),
    ),
    c1: tf.keep(tf.fill([B, 1], 0.4)),
    c2: tf.keep(tf.fill([B, 1], 0.5)),
  });
  const d2 = new Ddpg(tf, tfjsStageModel(tf, 'lower', cfg, N), cfg.ddpg, 2);
  const batch2 = { s: s2state(x), a: uniform, r: batch1.r, s2: s2state(x2), done: batch1.done };
  const u2 = medianMs(() => d2.update(batch2), 10, 3);
  out.push({
    name: 'samp: DDPG updates/s, stage 2 (two lower SLaK actors + fusion)',
    value: 1000 / u2,
    unit: 'updates/s',
    note: backend,
  });
  d2.dispose();
  const kept = new Set([
    x,
    x2,
    uniform,
    batch1.r,
    batch1.done,
    ...Object.values(batch2.s),
    ...Object.values(batch2.s2),
  ]);
  for (const t of kept) t.dispose();

  // inference: one decision, ONNX Runtime vs tfjs
  const params = initParams([...specs.upper, ...specs.lower], 7);
  const onnx = exportPolicyOnnx('hierarchical', nets, N, params);
  const model = await OnnxModel.create(onnx);
  const x1 = env.features(500);
  const mk = Float32Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const held = new Float32Array(N).fill(1 / N);
  const feeds = {
    x: { data: x1, dims: [1, N, L] },
    wprev: { data: held, dims: [1, N] },
    m1: { data: mk.map((v) => 1 - v), dims: [1, N] },
    m2: { data: mk, dims: [1, N] },
  };
  const onnxMs = medianMs(() => model.runSync(feeds), 200, 20);
  const ops = new TfOps(tf, new Map([...params].map(([k, v]) => [k, tf.keep(tf.tensor(v.data, v.shape))])));
  const tfMs = medianMs(
    () =>
      tf.tidy(() => {
        const xt = tf.tensor(x1, [1, N, L]);
        const ht = tf.tensor(held, [1, N]);
        const u = upperPolicy(ops, nets, N, xt, ht);
        const l = lowerPolicy(
          ops,
          nets,
          N,
          xt,
          ht,
          u.embedding,
          tf.tensor(feeds.m1.data, [1, N]),
          tf.tensor(mk, [1, N]),
        );
        u.w0.dataSync();
        l.w1.dataSync();
        l.w2.dataSync();
      }),
    100,
    10,
  );
  out.push({
    name: 'samp: policy forward per decision, ONNX Runtime',
    value: onnxMs,
    unit: 'ms',
    note: `onnxruntime-node, 1 thread, quick preset, N=${N}`,
  });
  out.push({
    name: 'samp: policy forward per decision, tfjs',
    value: tfMs,
    unit: 'ms',
    note: `backend ${info.name}, quick preset, N=${N}, batch 1`,
  });
  await model.dispose();

  // the whole decide(): allocation logic (grouping, utility, rebound) + ONNX + fusion
  const artifacts: SampArtifacts = {
    format: 'samp-artifacts-v1',
    variant: 'samp-hdrl',
    kind: 'hierarchical',
    config: cfg,
    seed: 7,
    tickers: m.tickers,
    train: { start: 0, end: 755, firstStateDay: 75, startDate: m.dates[0]!, endDate: m.dates[755]! },
    backend: info.name,
    params: serializeParams(params),
    critics: {},
    onnx,
    sha256: {
      onnx: createHash('sha256').update(onnx).digest('hex'),
      params: createHash('sha256').update(paramsToBinary(params)).digest('hex'),
    },
    key: 'bench',
    history: [],
    elapsedMs: 0,
  };
  const policy = await loadSampPolicy(artifacts);
  const inst = policy.instance();
  let t = 756;
  const decideMs = medianMs(() => inst.decide(new MarketView(m, t++)), 100, 5);
  out.push({
    name: 'samp: decide() per day (allocation logic + ONNX + fusion)',
    value: decideMs,
    unit: 'ms',
    note: 'grouping, utility and three rebound detectors (252-day history) run every day',
  });
  await policy.dispose();
  ops.disposeConstants();
  for (const t of ops.params.values()) t.dispose();
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  run().then((r) => console.table(r));
}
