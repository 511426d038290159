/**
 * Validated training (issue 15): the rules of agents/samp/selection.ts against hand-computed values and stubbed
 * score sequences (checkpoint selection, early stopping, the learning-rate schedule, the validation Sharpe), the
 * learning-rate scale reaching both learners' Adam steps, and a whole trainSamp run: no replay transition and no
 * training step ever falls in the validation period, each stage keeps the episode with the best validation Sharpe
 * (its actor is the one exported), and a stage with patience stops that many episodes after its best.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { loadTf } from '../../src-main/compute/backend';
import { CheckpointSelector, learningRateScale, netSharpe } from '../../src-main/agents/samp/selection';
import { resolveSampConfig } from '../../src-main/agents/samp/config';
import { stageStateShapes } from '../../src-main/agents/samp/stages';
import { tfjsStageModel, onnxSampEngine, type SampTrainEngine } from '../../src-main/agents/samp/engines';
import { TfjsDdpgLearner, type DdpgLearner } from '../../src-main/agents/learner';
import { OnnxDdpg } from '../../src-main/compute/train/ddpg';
import { sampTrainModel } from '../../src-main/compute/train/samp';
import { ReplayBuffer } from '../../src-main/agents/replay';
import { PortfolioEnv } from '../../src-main/agents/samp/env';
import { deserializeParams, type ParamValues } from '../../src-main/compute/params';
import * as engines from '../../src-main/agents/samp/engines';
import { trainSamp, trainingPeriods } from '../../src-main/strategies/samp/model';
import { djiaSubset } from '../helpers/data';
import { TINY_OVERRIDES } from '../strategies/samp/samp-helpers';

let tf: typeof tfType;
beforeAll(async () => {
  tf = (await loadTf()).tf;
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('checkpoint selection and early stopping', () => {
  it('keeps the episode with the best score, ignoring NaN, and takes its value only then', () => {
    const sel = new CheckpointSelector<string>(0);
    const scores = [0.2, Number.NaN, 0.9, 0.5, 0.9, 1.3, -2, 1.1];
    const taken: number[] = [];
    scores.forEach((s, k) => sel.observe(k + 1, s, () => (taken.push(k + 1), `checkpoint ${k + 1}`)));
    expect(sel.best).toEqual({ episode: 6, score: 1.3, value: 'checkpoint 6' });
    // a tie does not replace the earlier checkpoint; NaN never counts
    expect(taken).toEqual([1, 3, 6]);
    expect(sel.stop).toBe(false); // patience 0: never stops
    const nanFirst = new CheckpointSelector<number>(0);
    nanFirst.observe(1, Number.NaN, () => 1);
    expect(nanFirst.best).toBeNull();
    nanFirst.observe(2, -5, () => 2);
    expect(nanFirst.best?.episode).toBe(2);
  });

  it('stops after `patience` episodes in a row without a better score', () => {
    const run = (patience: number, scores: number[]) => {
      const sel = new CheckpointSelector<number>(patience);
      for (let k = 0; k < scores.length; k++) {
        sel.observe(k + 1, scores[k]!, () => k + 1);
        if (sel.stop) return { stoppedAfter: k + 1, best: sel.best!.episode };
      }
      return { stoppedAfter: null, best: sel.best!.episode };
    };
    expect(run(2, [1, 2, 1.5, 1.9, 3, 2])).toEqual({ stoppedAfter: 4, best: 2 });
    expect(run(3, [1, 2, 1.5, 1.9, 3, 2, 2, 2.5])).toEqual({ stoppedAfter: 8, best: 5 });
    expect(run(1, [1, 0])).toEqual({ stoppedAfter: 2, best: 1 });
    expect(run(2, [1, 2, 3, 4])).toEqual({ stoppedAfter: null, best: 4 });
    expect(() => new CheckpointSelector(-1)).toThrow(RangeError);
  });

  it('scores with the annualised Sharpe ratio of the daily net returns', () => {
    // returns 0.01, -0.01, 0.02: mean 0.00667, sample std 0.01528 -> 0.4364 x sqrt(252) = 6.928
    expect(netSharpe([0.01, -0.01, 0.02])).toBeCloseTo(
      (0.02 / 3 / Math.sqrt(((0.01 - 0.02 / 3) ** 2 + (-0.01 - 0.02 / 3) ** 2 + (0.02 - 0.02 / 3) ** 2) / 2)) *
        Math.sqrt(252),
      12,
    );
    expect(netSharpe([0.01, 0.01])).toBe(0);
    expect(netSharpe([0.01])).toBe(0);
  });
});

describe('learning-rate schedule', () => {
  it('cosine decays from 1 to lrFloor over the budget and stays there; constant stays at 1', () => {
    const cos = { lrSchedule: 'cosine' as const, lrFloor: 0.1 };
    expect(learningRateScale(cos, 0, 1000)).toBe(1);
    expect(learningRateScale(cos, 500, 1000)).toBeCloseTo(0.55, 12);
    expect(learningRateScale(cos, 250, 1000)).toBeCloseTo(0.1 + 0.9 * 0.5 * (1 + Math.SQRT1_2), 12);
    expect(learningRateScale(cos, 1000, 1000)).toBeCloseTo(0.1, 12);
    expect(learningRateScale(cos, 5000, 1000)).toBeCloseTo(0.1, 12);
    expect(learningRateScale({ lrSchedule: 'constant', lrFloor: 0.1 }, 500, 1000)).toBe(1);
  });

  it.each(['tfjs', 'onnx'] as const)('scales the Adam step of both networks on the %s learner', (name) => {
    const cfg = resolveSampConfig('quick', {
      window: 6,
      upper: { dModel: 4, heads: 2, ffHidden: 4 },
      critic: { hidden: 4 },
      ddpg: { batchSize: 4 },
    });
    const N = 5;
    const rng = seedrandom('lr');
    const shapes = stageStateShapes('upper', cfg, N);
    const arr = (n: number, f = () => rng()) => Float32Array.from({ length: n }, f);
    const state = () => ({ x: arr(4 * N * 6, () => rng() * 2 - 1), wprev: arr(4 * N, () => rng() / N) });
    const batch = {
      s: state(),
      s2: state(),
      a: arr(4 * N, () => 1 / N),
      r: arr(4, () => (rng() - 0.5) * 0.02),
      done: new Float32Array(4),
    };
    const make = (): DdpgLearner =>
      name === 'tfjs'
        ? new TfjsDdpgLearner(tf, tfjsStageModel(tf, 'upper', cfg, N), cfg.ddpg, 3, { state: shapes, action: [N] })
        : new OnnxDdpg(sampTrainModel('upper', cfg, N), cfg.ddpg, 3);
    const step = (
      scale: number | null,
    ): { actor: ParamValues; critic: ParamValues; a0: ParamValues; c0: ParamValues } => {
      const l = make();
      try {
        const a0 = l.actorParams();
        const c0 = l.criticParams();
        if (scale !== null) l.setLearningRateScale(scale);
        l.update(batch);
        return { actor: l.actorParams(), critic: l.criticParams(), a0, c0 };
      } finally {
        l.dispose();
      }
    };
    const full = step(null);
    const quarter = step(0.25);
    // the critic steps first, from the same gradient: its first Adam step is exactly a quarter
    let compared = 0;
    for (const [k, v] of full.critic) {
      const p0 = full.c0.get(k)!.data;
      const q = quarter.critic.get(k)!.data;
      for (let i = 0; i < v.data.length; i++) {
        const d = v.data[i]! - p0[i]!;
        expect(Math.abs(q[i]! - p0[i]! - 0.25 * d), `critic ${k}`).toBeLessThan(2e-6);
        if (Math.abs(d) > 1e-4) compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
    // the actor's gradient comes from the (differently) updated critic, but a first Adam step is lr x sign(g)
    // wherever |g| >> epsilon: its size is a quarter too
    let full1 = 0;
    let quarter1 = 0;
    for (const [k, v] of full.actor) {
      const p0 = full.a0.get(k)!.data;
      const q = quarter.actor.get(k)!.data;
      for (let i = 0; i < v.data.length; i++) {
        full1 += Math.abs(v.data[i]! - p0[i]!);
        quarter1 += Math.abs(q[i]! - p0[i]!);
      }
    }
    expect(quarter1 / full1).toBeGreaterThan(0.22);
    expect(quarter1 / full1).toBeLessThan(0.28);
    expect(() => make().setLearningRateScale(0)).toThrow(RangeError);
  });
});

describe('a validated training run (trainSamp, tiny samp-hdrl on 300 DJIA days x 6 assets)', () => {
  const prices = djiaSubset(300, 6);
  const cfg = resolveSampConfig('quick', {
    ...(JSON.parse(TINY_OVERRIDES) as object),
    stage1Episodes: 5,
    stage2Episodes: 5,
    updatesPerStage: 10_000,
    patience: 0,
  });

  it("never steps or stores a day of the validation period in training, and keeps each stage's best validation checkpoint", async () => {
    const { first, split } = trainingPeriods(cfg, 120, 199);
    expect(split).toBe(179);
    const stored: number[] = [];
    const push = ReplayBuffer.prototype.push;
    vi.spyOn(ReplayBuffer.prototype, 'push').mockImplementation(function (this: ReplayBuffer<unknown>, x: unknown) {
      stored.push((x as { t: number }).t);
      push.call(this, x);
    });
    const stepped: { last: number; t: number }[] = [];
    const step = PortfolioEnv.prototype.step;
    vi.spyOn(PortfolioEnv.prototype, 'step').mockImplementation(function (this: PortfolioEnv, t, w, wprev) {
      stepped.push({ last: this.opts.lastDay, t });
      return step.call(this, t, w, wprev);
    });
    // record every actor snapshot the trainer takes, per stage, to check which one it exports
    const snapshots: { stage: string; episode: number; actor: ParamValues }[] = [];
    const reported: Record<string, number> = {};
    const real = onnxSampEngine('cpu');
    const spyEngine: SampTrainEngine = {
      ...real,
      learner(stage, c, n, seed) {
        const l = real.learner(stage, c, n, seed);
        return {
          act: (s, z) => l.act(s, z),
          update: (b) => l.update(b),
          setLearningRateScale: (f) => l.setLearningRateScale(f),
          actorParams: () => {
            const p = l.actorParams();
            // taken after an episode's validation, before its progress report
            snapshots.push({ stage, episode: (reported[stage] ?? 0) + 1, actor: p });
            return p;
          },
          criticParams: () => l.criticParams(),
          dispose: () => l.dispose(),
        };
      },
    };
    vi.spyOn(engines, 'openSampEngine').mockResolvedValue(spyEngine);
    const a = await trainSamp({
      variant: 'samp-hdrl',
      config: cfg,
      prices,
      trainStart: 120,
      trainEnd: 199,
      seed: 3,
      onProgress: (p) => void (reported[p.stage] = p.episode),
    });

    // training: every stored transition is a decision before the validation period (its reward realised by day split)
    expect(stored.length).toBe(2 * 5 * (split - first));
    expect(Math.max(...stored)).toBe(split - 1);
    expect(Math.min(...stored)).toBe(first);
    // the training environment ends at split; only the validation environment steps days >= split
    const training = stepped.filter((s) => s.last === split);
    const validation = stepped.filter((s) => s.last === 199);
    expect(training.length + validation.length).toBe(stepped.length);
    expect(training.every((s) => s.t < split)).toBe(true);
    expect(validation.every((s) => s.t >= split && s.t < 199)).toBe(true);
    expect(validation.length).toBe(2 * 5 * (199 - split)); // after every episode of both stages
    // the summary: dates, curve per stage, the chosen checkpoint is the first best of the curve
    const tr = a.training!;
    expect(tr.trainDays).toMatchObject({ first, last: split, endDate: prices.dates[split] });
    expect(tr.validation).toMatchObject({
      first: split,
      last: 199,
      startDate: prices.dates[split],
      endDate: prices.dates[199],
    });
    expect(tr.stages.map((s) => s.stage)).toEqual(['upper', 'lower']);
    for (const s of tr.stages) {
      expect(s.validation.map((v) => v.episode)).toEqual([1, 2, 3, 4, 5]);
      const best = Math.max(...s.validation.map((v) => v.sharpe));
      const argmax = s.validation.findIndex((v) => v.sharpe === best) + 1;
      expect(s.chosenEpisode).toBe(argmax);
      expect(s.chosen!.sharpe).toBe(best);
      expect(s.endedBy).toBe('episodes');
      // the exported actor is the snapshot taken at the chosen episode; snapshots were taken at each improvement only
      const mine = snapshots.filter((x) => x.stage === s.stage);
      const kept = mine.find((x) => x.episode === s.chosenEpisode)!.actor;
      const exported = deserializeParams(a.params);
      for (const [k, v] of kept) expect(Array.from(exported.get(k)!.data), k).toEqual(Array.from(v.data));
      const improving = s.validation
        .filter((v, i) => s.validation.slice(0, i).every((u) => v.sharpe > u.sharpe))
        .map((v) => v.episode);
      expect(mine.map((x) => x.episode)).toEqual(improving);
    }
    // the curve moves (the scores are the policy's, not a constant)
    expect(new Set(tr.stages[0]!.validation.map((v) => v.sharpe)).size).toBeGreaterThan(1);
    expect(tr.updates).toBe(a.history.at(-1)!.updates);
    expect(tr.episodes).toBe(10);
  });

  it('stops a stage `patience` episodes after its best and says so', async () => {
    const c = resolveSampConfig('quick', {
      ...(JSON.parse(TINY_OVERRIDES) as object),
      stage1Episodes: 12,
      stage2Episodes: 12,
      updatesPerStage: 10_000,
      patience: 2,
    });
    const a = await trainSamp({ variant: 'samp-hdrl', config: c, prices, trainStart: 120, trainEnd: 199, seed: 3 });
    const stages = a.training!.stages;
    expect(stages.some((s) => s.endedBy === 'patience')).toBe(true);
    for (const s of stages) {
      if (s.endedBy === 'patience') expect(s.episodes).toBe(s.chosenEpisode! + 2);
      else expect(s.episodes).toBe(12);
      expect(s.validation).toHaveLength(s.episodes);
    }
    // a budget in updates ends a stage in the middle of an episode
    const b = await trainSamp({
      variant: 'ddpg-flat',
      config: resolveSampConfig('quick', {
        ...(JSON.parse(TINY_OVERRIDES) as object),
        flatEpisodes: 12,
        updatesPerStage: 20,
      }),
      prices,
      trainStart: 120,
      trainEnd: 199,
      seed: 3,
    });
    expect(b.training!.stages[0]).toMatchObject({ updates: 20, endedBy: 'budget' });
    expect(b.history.at(-1)!.stageUpdates).toBe(20);
  });
});
