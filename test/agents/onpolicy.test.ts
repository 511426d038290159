/**
 * The on-policy loop of the flat agent (src-main/agents/samp/onpolicy.ts): GAE(lambda) and the returns against
 * hand-computed cases (a terminal step, a cut between trajectories, lambda 0 and 1), and a whole trainSampAgents run
 * with PPO on a small real data set through a recording learner: rollouts of `rolloutSteps` cut at each episode's
 * end, `epochs` shuffled passes in minibatches (the last one smaller), the advantages and returns the learner is fed
 * recomputed from the rollout's rewards and values, the budget ending a stage in the middle of a pass, the
 * learning-rate schedule, and the checkpoint chosen by validation Sharpe being the one returned; and an A2C run: one
 * update per rollout, fed the whole rollout in its order with its n-step advantages and returns.
 */
import { describe, expect, it } from 'vitest';
import type { OnPolicyBatch, OnPolicyLearner } from '../../src-main/agents/learner';
import { resolveSampConfig, type SampConfigOverrides } from '../../src-main/agents/samp/config';
import { onnxSampEngine, type OnPolicyAlgorithm, type SampTrainEngine } from '../../src-main/agents/samp/engines';
import { PortfolioEnv } from '../../src-main/agents/samp/env';
import { gae } from '../../src-main/agents/samp/onpolicy';
import { learningRateScale } from '../../src-main/agents/samp/selection';
import { trainSampAgents } from '../../src-main/agents/samp/trainer';
import type { ParamValues } from '../../src-main/compute/params';
import { MarketView } from '../../src-main/market/view';
import { djiaSubset } from '../helpers/data';
import { TINY_OVERRIDES } from '../strategies/samp/samp-helpers';

const near = (got: ArrayLike<number>, want: number[]) =>
  want.forEach((w, i) => expect(Math.abs(got[i]! - w), `entry ${i}: ${got[i]} vs ${w}`).toBeLessThan(1e-12));

describe('GAE(lambda) and returns', () => {
  const r = [1, 2, 3, 4];
  const v = [0.5, 1, 1.5, 2];
  const v2 = [1, 1.5, 9, 3];
  const F = false;
  const T = true;

  it('a terminal step: no bootstrap from it and no advantage across it; the rollout end bootstraps', () => {
    // gamma 0.9, lambda 0.8, gamma lambda = 0.72
    //   t=3: delta = 4 + 0.9 * 3 - 2 = 4.7 (cut: A = delta)
    //   t=2: terminal, delta = 3 - 1.5 = 1.5, A = 1.5
    //   t=1: delta = 2 + 0.9 * 1.5 - 1 = 2.35, A = 2.35 + 0.72 * 1.5 = 3.43
    //   t=0: delta = 1 + 0.9 * 1 - 0.5 = 1.4,  A = 1.4 + 0.72 * 3.43 = 3.8696
    const { adv, ret } = gae(r, v, v2, [F, F, T, F], [F, F, F, T], 0.9, 0.8);
    near(adv, [3.8696, 3.43, 1.5, 4.7]);
    near(ret, [4.3696, 4.43, 3, 6.7]);
  });

  it("a cut (a time limit between episodes): it bootstraps from V(s') but no advantage flows back across it", () => {
    //   t=3: 4.7;  t=2: delta = 3 + 0.9 * 9 - 1.5 = 9.6, A = 9.6 + 0.72 * 4.7 = 12.984
    //   t=1: cut, A = delta = 2.35;  t=0: A = 1.4 + 0.72 * 2.35 = 3.092
    const { adv, ret } = gae(r, v, v2, [F, F, F, F], [F, T, F, T], 0.9, 0.8);
    near(adv, [3.092, 2.35, 12.984, 4.7]);
    near(ret, [3.592, 3.35, 14.484, 6.7]);
  });

  it('lambda 0 is the one-step TD error, lambda 1 the discounted return to the bootstrap', () => {
    // the next values of one trajectory: V(s'_t) = V(s_{t+1}), and V(s'_3) = 3 at the bootstrap
    const chain = [1, 1.5, 2, 3];
    const td = gae(r, v, chain, [F, F, F, F], [F, F, F, T], 0.9, 0);
    near(td.adv, [1.4, 2.35, 3.3, 4.7]);
    const mc = gae(r, v, chain, [F, F, F, F], [F, F, F, T], 0.9, 1);
    // R_0 = 1 + 0.9 * 2 + 0.81 * 3 + 0.729 * 4 + 0.6561 * 3
    near(mc.ret, [1 + 1.8 + 2.43 + 2.916 + 0.6561 * 3, 2 + 2.7 + 3.24 + 2.187, 3 + 3.6 + 2.43, 4 + 2.7]);
    near(mc.adv, mc.ret.map((x, i) => x - v[i]!) as unknown as number[]);
    expect(() => gae(r, v, v2.slice(1), [F, F, F, F], [F, F, F, T], 0.9, 1)).toThrow(
      /gae: nextValues has 3 entries, rewards 4/,
    );
  });
});

describe('the on-policy loop (PPO and A2C, tiny flat agent, 6 DJIA assets)', () => {
  const prices = djiaSubset(300, 6);
  const first = 60;
  const split = 150;
  const end = 199;
  const base = JSON.parse(TINY_OVERRIDES) as SampConfigOverrides;

  interface Recorded {
    samples: { value: number; logp: number; u: Float32Array }[];
    values: number[];
    batches: OnPolicyBatch[];
    lr: number[];
    snapshots: { episode: number; actor: ParamValues }[];
  }

  /** The onnx engine with its on-policy learner wrapped to record what the loop feeds it. */
  function recording(rec: Recorded, episode: () => number): SampTrainEngine {
    const real = onnxSampEngine('cpu');
    return {
      ...real,
      onPolicyLearner(cfg, n, seed, algorithm) {
        const l = real.onPolicyLearner!(cfg, n, seed, algorithm);
        const wrapped: OnPolicyLearner = {
          act: (s, z) => l.act(s, z),
          sample: (s, eps) => {
            const x = l.sample(s, eps);
            rec.samples.push({ value: x.value, logp: x.logp, u: x.u });
            return x;
          },
          value: (s) => {
            const v = l.value(s);
            rec.values.push(v);
            return v;
          },
          update: (b) => (rec.batches.push(b), l.update(b)),
          setLearningRateScale: (f) => (rec.lr.push(f), l.setLearningRateScale(f)),
          actorParams: () => {
            const p = l.actorParams();
            rec.snapshots.push({ episode: episode(), actor: p });
            return p;
          },
          criticParams: () => l.criticParams(),
          dispose: () => l.dispose(),
        };
        return wrapped;
      },
    };
  }

  async function run(overrides: SampConfigOverrides, algorithm: OnPolicyAlgorithm = 'ppo') {
    const cfg = resolveSampConfig('quick', { ...base, ...overrides });
    const envOpts = { features: cfg, costRate: cfg.costRate, turnoverPenalty: cfg.turnoverPenalty, noTradeBand: 0 };
    const env = new PortfolioEnv(new MarketView(prices, split), { ...envOpts, firstDay: first, lastDay: split });
    const validation = new PortfolioEnv(new MarketView(prices, end), { ...envOpts, firstDay: split, lastDay: end });
    const rec: Recorded = { samples: [], values: [], batches: [], lr: [], snapshots: [] };
    let reported = 0;
    const res = await trainSampAgents({
      engine: recording(rec, () => reported + 1),
      env,
      validation,
      cfg,
      seed: 4,
      kind: 'flat',
      algorithm,
      onProgress: (p) => void (reported = p.episode),
    });
    return { cfg, rec, res };
  }

  it('rollouts cut at episode ends, shuffled passes in minibatches, advantages and returns from GAE', async () => {
    // 90 training days: rollouts of 40, 40 and 10 steps per episode; 2 passes in minibatches of 16
    const { cfg, rec, res } = await run({
      flatEpisodes: 2,
      updatesPerStage: 1000,
      ppo: { rolloutSteps: 40, epochs: 2, minibatch: 16, gamma: 0.8, gaeLambda: 0.7 },
    });
    const D = split - first;
    expect(rec.samples.length).toBe(2 * D);
    // one bootstrap value per rollout, at the state after its last step
    expect(rec.values.length).toBe(2 * 3);
    // per rollout, two passes of [16, 16, 8] (40 steps) or [10] (the episode's last 10)
    const sizes = [16, 16, 8, 16, 16, 8, 16, 16, 8, 16, 16, 8, 10, 10];
    expect(rec.batches.map((b) => b.adv.length)).toEqual([...sizes, ...sizes]);
    expect(res.updates).toBe(2 * sizes.length);
    expect(res.stages[0]!.updates).toBe(2 * sizes.length);
    expect(res.envSteps).toBe(2 * D);

    // the first rollout's samples: each pass holds every one of them once, and each is fed its GAE advantage and return
    const roll = rec.samples.slice(0, 40);
    const ordered = (pass: OnPolicyBatch[]) => pass.flatMap((b) => Array.from(b.logp));
    const firstPass = ordered(rec.batches.slice(0, 3));
    const secondPass = ordered(rec.batches.slice(3, 6));
    const own = roll.map((x) => Math.fround(x.logp));
    expect([...firstPass].sort()).toEqual([...own].sort());
    expect([...secondPass].sort()).toEqual([...own].sort());
    expect(firstPass).not.toEqual(secondPass); // reshuffled
    // recompute the advantages from the rewards the environment gives the sampled actions
    const env = new PortfolioEnv(new MarketView(prices, split), {
      features: cfg,
      costRate: cfg.costRate,
      turnoverPenalty: cfg.turnoverPenalty,
      noTradeBand: 0,
      firstDay: first,
      lastDay: split,
    });
    let wprev = new Float32Array(6);
    const rewards: number[] = [];
    for (let t = first; t < first + 40; t++) {
      const u = rec.samples[t - first]!.u;
      const e = Array.from(u, Math.exp);
      const z = e.reduce((a, c) => a + c, 0);
      const res1 = env.step(
        t,
        e.map((x) => x / z),
        wprev,
      );
      rewards.push(cfg.ddpg.rewardScale * res1.reward);
      wprev = Float32Array.from(res1.drifted);
    }
    const values = roll.map((x) => x.value);
    const want = gae(
      rewards,
      values,
      [...values.slice(1), rec.values[0]!],
      new Array(40).fill(false),
      Array.from({ length: 40 }, (_, k) => k === 39),
      0.8,
      0.7,
    );
    const byLogp = new Map(own.map((lp, k) => [lp, k]));
    for (const b of rec.batches.slice(0, 3))
      b.logp.forEach((lp, i) => {
        const k = byLogp.get(lp)!;
        expect(Math.abs(b.adv[i]! - want.adv[k]!), `adv ${k}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(want.adv[k]!)));
        expect(Math.abs(b.ret[i]! - want.ret[k]!), `ret ${k}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(want.ret[k]!)));
      });
    // every step's learning rate follows the schedule of the stage's updates
    expect(rec.lr).toEqual(rec.lr.map((_, u) => learningRateScale(cfg, u, cfg.updatesPerStage)));
  });

  it('the budget ends the stage mid-pass; the kept policy is the best validation episode', async () => {
    const { rec, res } = await run({
      flatEpisodes: 4,
      patience: 0,
      updatesPerStage: 25,
      ppo: { rolloutSteps: 30, epochs: 3, minibatch: 10 },
    });
    // 9 steps per 30-step rollout: episode 1 makes 27 > 25, so the budget ends it in its third rollout's third pass
    expect(rec.batches.length).toBe(25);
    const st = res.stages[0]!;
    expect(st.updates).toBe(25);
    expect(st.endedBy).toBe('budget');
    expect(st.episodes).toBe(1);
    expect(res.envSteps).toBe(90);
    // with validation the chosen checkpoint is the best episode's, and it is what the run returns
    const more = await run({
      flatEpisodes: 4,
      patience: 0,
      updatesPerStage: 1000,
      ppo: { rolloutSteps: 45, epochs: 1, minibatch: 45 },
    });
    const s2 = more.res.stages[0]!;
    expect(s2.episodes).toBe(4);
    expect(s2.endedBy).toBe('episodes');
    const best = s2.validation.reduce((a, c) => (c.sharpe > a.sharpe ? c : a));
    expect(s2.chosenEpisode).toBe(best.episode);
    const kept = more.rec.snapshots.find((x) => x.episode === best.episode)!.actor;
    for (const [k, v] of kept) expect(Array.from(more.res.actor.get(k)!.data)).toEqual(Array.from(v.data));
  });
  it('A2C: one gradient step per rollout, on the whole rollout in its order, with n-step advantages', async () => {
    // 90 training days: rollouts of 25, 25, 25 and 15 steps per episode, each one update
    const { cfg, rec, res } = await run(
      { flatEpisodes: 2, updatesPerStage: 1000, a2c: { rolloutSteps: 25, gamma: 0.8 } },
      'a2c',
    );
    const D = split - first;
    const sizes = [25, 25, 25, 15];
    expect(rec.samples.length).toBe(2 * D);
    expect(rec.values.length).toBe(2 * sizes.length);
    expect(rec.batches.map((b) => b.adv.length)).toEqual([...sizes, ...sizes]);
    expect(res.updates).toBe(2 * sizes.length);
    expect(res.stages[0]!.updates).toBe(2 * sizes.length);
    // each batch is its rollout's samples, every one once, in the order they were drawn
    let k = 0;
    rec.batches.forEach((b, j) => {
      const roll = rec.samples.slice(k, k + b.adv.length);
      k += b.adv.length;
      expect(Array.from(b.logp), `batch ${j} logp`).toEqual(roll.map((x) => Math.fround(x.logp)));
      expect(Array.from(b.u), `batch ${j} u`).toEqual(roll.flatMap((x) => Array.from(x.u)));
    });
    // the fed advantages are GAE with lambda 1 (A2C's n-step return to the rollout end, minus V), not normalised
    expect(cfg.a2c!.gaeLambda).toBe(1);
    expect(cfg.a2c!.normalizeAdvantages).toBe(false);
    const env = new PortfolioEnv(new MarketView(prices, split), {
      features: cfg,
      costRate: cfg.costRate,
      turnoverPenalty: cfg.turnoverPenalty,
      noTradeBand: 0,
      firstDay: first,
      lastDay: split,
    });
    let wprev = new Float32Array(6);
    const rewards: number[] = [];
    for (let t = first; t < first + 25; t++) {
      const e = Array.from(rec.samples[t - first]!.u, Math.exp);
      const z = e.reduce((a, c) => a + c, 0);
      const r1 = env.step(
        t,
        e.map((x) => x / z),
        wprev,
      );
      rewards.push(cfg.ddpg.rewardScale * r1.reward);
      wprev = Float32Array.from(r1.drifted);
    }
    const values = rec.samples.slice(0, 25).map((x) => x.value);
    // R_t = sum_{j >= t} 0.8^(j - t) r_j + 0.8^(25 - t) V(s_25), computed directly
    const boot = rec.values[0]!;
    const want = values.map((_, t) => {
      let r = 0.8 ** (25 - t) * boot;
      for (let j = t; j < 25; j++) r += 0.8 ** (j - t) * rewards[j]!;
      return r;
    });
    const b0 = rec.batches[0]!;
    want.forEach((R, t) => {
      const tol = 1e-4 * Math.max(1, Math.abs(R));
      expect(Math.abs(b0.ret[t]! - R), `ret ${t}`).toBeLessThan(tol);
      expect(Math.abs(b0.adv[t]! - (R - values[t]!)), `adv ${t}`).toBeLessThan(tol);
    });
    expect(rec.lr).toEqual(rec.lr.map((_, u) => learningRateScale(cfg, u, cfg.updatesPerStage)));
  });
});
