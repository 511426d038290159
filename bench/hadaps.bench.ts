/**
 * Training speed of HADAPS (issue 18) on the ONNX Runtime training engine, CPU provider, 1 intra-op thread: what one
 * environment step of agents/hadaps/trainer.ts costs, split into its two learner calls.
 *   - the SAC update (compute/train/hadapsLearner.ts OnnxHadaps.update: twin critics, policy, temperature, target
 *     networks and batch-norm statistics in one graph run, plus the update's Gaussian draws, dropout masks and the
 *     refresh of the decision-time parameters), batch 32;
 *   - the exploring action of one state (OnnxHadaps.explore: the decision-mode policy at batch 1 with sampled noise).
 * Settings: the standard preset (five hidden layers 256..16, dropout 0.3, window 20) on the bundled DJIA 30 with its
 * sector classes (the `hadaps` strategy's layout: nine classes of two or more stocks, one of one, cash), and on a
 * sector scenario's shape (two classes of five stocks and cash). States are seeded uniform draws of the right shapes
 * (the update's cost does not depend on their values). Each figure is the median of timed calls after warm-up,
 * wall-clock, with the CPU time per call of this process. Run: `npm run bench -- --only hadaps`.
 */
import fs from 'node:fs';
import path from 'node:path';
import seedrandom from 'seedrandom';
import { classLayout } from '../src-main/agents/hadaps/classes';
import { resolveHadapsConfig } from '../src-main/agents/hadaps/config';
import { policyNets, type HadapsShape } from '../src-main/agents/hadaps/network';
import type { DdpgBatchArrays, StateArrays } from '../src-main/agents/learner';
import { OnnxHadaps } from '../src-main/compute/train/hadapsLearner';
import { APP_ROOT } from '../src-main/version';
import { timed } from './timing';

export const title = 'HADAPS training (SAC update and exploring action, ONNX Runtime engine)';

type Figure = { name: string; value: number; unit: string; note?: string };

function states(rng: () => number, batch: number, n: number, k: number): StateArrays {
  const p = Float32Array.from({ length: batch * n * k }, () => rng() * 2 - 1);
  const v = Float32Array.from({ length: batch * n * k }, () => rng() - 0.5);
  const wprev = Float32Array.from({ length: batch * n }, () => (rng() * 0.9) / n);
  return { p, v, wprev };
}

function measure(label: string, sh: HadapsShape, cfg: ReturnType<typeof resolveHadapsConfig>): Figure[] {
  const rng = seedrandom('hadaps-bench');
  const B = cfg.batchSize;
  const k = cfg.window;
  const batch: DdpgBatchArrays = {
    s: states(rng, B, sh.n, k),
    s2: states(rng, B, sh.n, k),
    a: Float32Array.from({ length: B * sh.n }, () => 0.9 / sh.n),
    r: Float32Array.from({ length: B }, () => rng() - 0.5),
    done: new Float32Array(B),
  };
  const one = states(rng, 1, sh.n, k);
  const learner = new OnnxHadaps(sh, cfg, 1, { batchSize: B });
  try {
    const u = timed(() => learner.update(batch), 60, 10);
    const x = timed(() => learner.explore(one), 200, 20);
    const layers = `${policyNets(sh).length} policy layers, ${sh.n} assets`;
    return [
      {
        name: `${label}: SAC update (batch ${B})`,
        value: u.ms,
        unit: 'ms',
        note: `${layers}; CPU ${u.cpuMs.toFixed(1)} ms`,
      },
      { name: `${label}: exploring action (batch 1)`, value: x.ms, unit: 'ms', note: `CPU ${x.cpuMs.toFixed(2)} ms` },
      {
        name: `${label}: 6,000 steps (the standard preset's budget)`,
        value: (6000 * (u.ms + x.ms)) / 1000,
        unit: 's',
        note: 'update + action per step; without the environment, the validation runs and the export',
      },
    ];
  } finally {
    learner.dispose();
  }
}

export async function run(): Promise<Figure[]> {
  const uni = JSON.parse(
    fs.readFileSync(path.join(APP_ROOT, 'resources', 'data', 'djia30-1991-2001.universe.json'), 'utf8'),
  ) as { assets: { ticker: string; class: string; sector: string }[] };
  const cfg = resolveHadapsConfig('standard');
  const tickers = uni.assets.map((a) => a.ticker);
  const djia: HadapsShape = { n: tickers.length, layout: classLayout(tickers, uni.assets, 'sector'), cfg };
  // a sector scenario's shape: two sectors of five stocks (market/scenarios.ts), cash the third class
  const ten = Array.from({ length: 10 }, (_, i) => ({ ticker: `s${i}`, class: 'Equity', sector: i < 5 ? 'A' : 'B' }));
  const scenario: HadapsShape = {
    n: 10,
    layout: classLayout(
      ten.map((a) => a.ticker),
      ten,
      'sector',
    ),
    cfg,
  };
  return [...measure('DJIA 30 by sector', djia, cfg), ...measure('sector scenario (2 x 5 stocks)', scenario, cfg)];
}
