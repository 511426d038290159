/**
 * Training speed of the SAMP-HDRL DDPG update (issue 14): updates per second for the quick and paper presets,
 * stage 1 (upper Transformer actor + critic) and stage 2 (two lower SLaK actors through the fusion + critic),
 * on three engines measured in the same run:
 *   - tfjs: agents/ddpg.ts on the TensorFlow.js backend `loadTf()` picks (wasm where tfjs-node is absent);
 *   - ONNX Runtime: compute/train (OnnxDdpg), CPU provider, 1 intra-op thread;
 *   - PyTorch: bench/torch_samp.py (a mirror of the same networks and update), 1 thread, where a python3 with
 *     torch is found (HDRL_PYTHON, python3, /usr/bin/python3; Debian: apt-get install python3-torch);
 * and the ratio ONNX Runtime / PyTorch. The minibatch is the one bench/samp.bench.ts and torch_samp.py use:
 * DJIA days 100 + (17 k mod 600), a = wprev = 1/N, r = 0.001, done = 0; stage 2: emb ~ U(-1, 1), m1 = (k mod 3
 * != 0), m2 = 1 - m1, c1 = 0.4, c2 = 0.5, w0 = 1/N. Each figure is the median of timed updates after warm-up.
 * HDRL_BENCH_TRAINING=quick/1,paper/2 limits the rows. Run: `npm run bench -- --only training`.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDjia } from '../test/helpers/data';
import { loadTf } from '../src-main/compute/backend';
import { MarketView } from '../src-main/market/view';
import { Ddpg } from '../src-main/agents/ddpg';
import { resolveSampConfig, type SampConfig } from '../src-main/agents/samp/config';
import { PortfolioEnv } from '../src-main/agents/samp/env';
import { tfjsStageModel } from '../src-main/agents/samp/engines';
import { OnnxDdpg, type DdpgBatchArrays } from '../src-main/compute/train/ddpg';
import { sampTrainModel } from '../src-main/compute/train/samp';
import { APP_ROOT } from '../src-main/version';
import { timed } from './timing';

export const title = 'training (DDPG update: tfjs, ONNX Runtime engine, PyTorch mirror)';

type Figure = { name: string; value: number; unit: string; note?: string };

/** The python3 that imports torch, or why none does. */
function findTorch(): { python: string; version: string } | { missing: string } {
  const tried: string[] = [];
  for (const py of [process.env.HDRL_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!py || tried.includes(py)) continue;
    tried.push(py);
    try {
      const v = execFileSync(py, ['-c', 'import torch; print(torch.__version__)'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim();
      return { python: py, version: v };
    } catch {
      // next candidate
    }
  }
  return { missing: `no python3 with torch (tried ${tried.join(', ')}; Debian: apt-get install python3-torch)` };
}

/** The bench minibatch (see file overview) as arrays, for preset `cfg` and stage. */
function benchBatch(
  cfg: SampConfig,
  stage: 1 | 2,
): { arrays: DdpgBatchArrays; shapes: Record<string, number[]>; N: number } {
  const m = loadDjia();
  const N = m.tickers.length;
  const L = cfg.window;
  const B = cfg.ddpg.batchSize;
  const d = cfg.upper.dModel;
  const env = new PortfolioEnv(new MarketView(m, 755), {
    firstDay: 75,
    lastDay: 755,
    features: cfg,
    costRate: cfg.costRate,
  });
  const days = Array.from({ length: B }, (_, k) => 100 + ((17 * k) % 600));
  const feats = (shift: number) => {
    const x = new Float32Array(B * N * L);
    days.forEach((t, k) => x.set(env.features(t + shift), k * N * L));
    return x;
  };
  const uniform = new Float32Array(B * N).fill(1 / N);
  let z = 3;
  const u = () => ((z = (z * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const state = (shift: number): Record<string, Float32Array> => {
    const s: Record<string, Float32Array> = { x: feats(shift), wprev: uniform };
    if (stage === 2) {
      s.w0 = uniform;
      s.emb = Float32Array.from({ length: B * d }, u);
      s.m1 = Float32Array.from({ length: B * N }, (_, k) => (k % 3 === 0 ? 0 : 1));
      s.m2 = s.m1.map((v) => 1 - v);
      s.c1 = new Float32Array(B).fill(0.4);
      s.c2 = new Float32Array(B).fill(0.5);
    }
    return s;
  };
  return {
    arrays: { s: state(0), s2: state(1), a: uniform, r: new Float32Array(B).fill(0.001), done: new Float32Array(B) },
    shapes: { x: [B, N, L], wprev: [B, N], w0: [B, N], emb: [B, d], m1: [B, N], m2: [B, N], c1: [B, 1], c2: [B, 1] },
    N,
  };
}

export async function run(): Promise<Figure[]> {
  const { tf, info } = await loadTf();
  const torch = findTorch();
  const only = process.env.HDRL_BENCH_TRAINING?.split(',').map((s) => s.trim());
  const out: Figure[] = [];
  for (const preset of ['quick', 'paper'] as const)
    for (const stage of [1, 2] as const) {
      const row = `${preset}/${stage}`;
      if (only && !only.includes(row)) continue;
      const cfg = resolveSampConfig(preset);
      const { arrays, shapes, N } = benchBatch(cfg, stage);
      const B = cfg.ddpg.batchSize;
      const heavy = preset === 'paper';
      const where = `${preset} preset, stage ${stage}, N=${N}, L=${cfg.window}, batch ${B}`;

      // tfjs
      const ref = new Ddpg(tf, tfjsStageModel(tf, stage === 1 ? 'upper' : 'lower', cfg, N), cfg.ddpg, 1);
      const tens = (s: Record<string, Float32Array>) =>
        Object.fromEntries(Object.entries(s).map(([k, v]) => [k, tf.keep(tf.tensor(v, shapes[k]!))]));
      const tb = {
        s: tens(arrays.s),
        s2: tens(arrays.s2),
        a: tf.keep(tf.tensor(arrays.a, [B, N])),
        r: tf.keep(tf.tensor(arrays.r, [B, 1])),
        done: tf.keep(tf.tensor(arrays.done, [B, 1])),
      };
      const tfMs = timed(() => ref.update(tb), heavy ? (stage === 2 ? 3 : 5) : 15, heavy ? 1 : 3).ms;
      ref.dispose();
      for (const t of [...Object.values(tb.s), ...Object.values(tb.s2), tb.a, tb.r, tb.done]) t.dispose();
      out.push({
        name: `training ${row}: tfjs updates/s`,
        value: 1000 / tfMs,
        unit: 'updates/s',
        note: `tfjs ${info.name}, ${where}`,
      });

      // ONNX Runtime engine
      const eng = new OnnxDdpg(sampTrainModel(stage === 1 ? 'upper' : 'lower', cfg, N), cfg.ddpg, 1, { threads: 1 });
      const ortT = timed(() => eng.update(arrays), heavy ? (stage === 2 ? 5 : 15) : 50, heavy ? 2 : 5);
      eng.dispose();
      const ortRate = 1000 / ortT.ms;
      out.push({
        name: `training ${row}: ONNX Runtime engine updates/s`,
        value: ortRate,
        unit: 'updates/s',
        note: `onnxruntime-node CPU, 1 thread, ${eng.nodeCount} nodes, ${where}`,
      });

      // PyTorch mirror
      if ('missing' in torch) {
        out.push({
          name: `training ${row}: PyTorch updates/s`,
          value: Number.NaN,
          unit: 'updates/s',
          note: torch.missing,
        });
        continue;
      }
      const args = [
        path.join(APP_ROOT, 'bench', 'torch_samp.py'),
        'train',
        '--preset',
        preset,
        '--stage',
        String(stage),
        '--threads',
        '1',
        '--reps',
        String(heavy ? 5 : 30),
      ];
      const res = JSON.parse(
        execFileSync(torch.python, args, { cwd: APP_ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
          .toString()
          .trim()
          .split('\n')
          .pop()!,
      ) as { updatesPerSec: number; cpuMsPerUpdate: number };
      out.push({
        name: `training ${row}: PyTorch updates/s`,
        value: res.updatesPerSec,
        unit: 'updates/s',
        note: `torch ${torch.version} CPU, 1 thread (bench/torch_samp.py), ${where}`,
      });
      out.push({
        name: `training ${row}: ONNX Runtime / PyTorch`,
        value: ortRate / res.updatesPerSec,
        unit: 'x',
        note: 'updates/s ratio, same run, same machine; >= 1 means faster than PyTorch',
      });
      // CPU time per update is less disturbed than wall-clock time when other processes share the cores
      out.push({
        name: `training ${row}: ONNX Runtime / PyTorch, CPU time`,
        value: res.cpuMsPerUpdate / ortT.cpuMs,
        unit: 'x',
        note: `CPU ms per update: PyTorch ${res.cpuMsPerUpdate.toFixed(2)}, ONNX Runtime ${ortT.cpuMs.toFixed(2)}`,
      });
    }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  run().then((r) => console.table(r));
}
