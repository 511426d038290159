/**
 * DDPG pieces against hand-computed values (soft update, one full update step, replay buffer, environment
 * step with its turnover penalty and no-trade band, features) and staged training on each training engine: same
 * seed, config and engine -> identical weights, bit for bit; validation days never stepped in training; every
 * stage keeps the episode with the best validation Sharpe; early stopping after `patience` episodes.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { loadTf } from '../../src-main/compute/backend';
import { Ddpg, softUpdate, type DdpgConfig } from '../../src-main/agents/ddpg';
import { ReplayBuffer } from '../../src-main/agents/replay';
import { LogitNoise } from '../../src-main/agents/noise';
import { PortfolioEnv, portfolioStep } from '../../src-main/agents/samp/env';
import { volatilityFeatures, windowFeatures } from '../../src-main/agents/samp/features';
import { resolveSampConfig } from '../../src-main/agents/samp/config';
import { trainSampAgents, type DayPlan, type TrainProgress } from '../../src-main/agents/samp/trainer';
import { meanEntropy, onnxSampEngine, tfjsSampEngine, type SampTrainEngine } from '../../src-main/agents/samp/engines';
import { MarketView } from '../../src-main/market/view';
import { djiaSubset } from '../helpers/data';

let tf: typeof tfType;
beforeAll(async () => {
  tf = (await loadTf()).tf;
});

const baseDdpg: DdpgConfig = {
  actorLr: 0.01,
  criticLr: 0.01,
  gamma: 0.5,
  tau: 0.1,
  batchSize: 1,
  bufferSize: 10,
  warmup: 1,
  updateEvery: 1,
  gradClipNorm: 0,
  rewardScale: 1,
  noise: { kind: 'gaussian', sigma: 0.1, sigmaDecay: 1, sigmaMin: 0, theta: 0.15 },
};

describe('soft target update', () => {
  it('theta_target <- tau theta + (1 - tau) theta_target', () => {
    const online = new Map<string, tfType.Tensor>([['p', tf.tensor([1, 2])]]);
    const target = new Map([['p', tf.variable(tf.tensor([3, 5]), false, 'soft-test/p')]]);
    softUpdate(tf, online, target, 0.1);
    const a = Array.from(target.get('p')!.dataSync());
    expect(a[0]!).toBeCloseTo(2.8, 6);
    expect(a[1]!).toBeCloseTo(4.7, 6);
    softUpdate(tf, online, target, 0.1);
    expect(target.get('p')!.dataSync()[0]!).toBeCloseTo(0.1 * 1 + 0.9 * 2.8, 6);
    target.get('p')!.dispose();
  });

  it('leaves no tensor behind when called outside tf.tidy (as benchmarks call Ddpg.update)', () => {
    const online = new Map<string, tfType.Tensor>([['p', tf.tensor([1, 2])]]);
    const target = new Map([['p', tf.variable(tf.tensor([3, 5]), false, 'soft-leak/p')]]);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 5; k++) softUpdate(tf, online, target, 0.1);
    expect(tf.memory().numTensors).toBe(before);
    expect(target.get('p')!.dataSync()[0]!).toBeCloseTo(1 + 2 * 0.9 ** 5, 5);
    target.get('p')!.dispose();
    online.get('p')!.dispose();
  });
});

describe('one DDPG update on a linear actor/critic', () => {
  it('matches the hand-computed TD target, losses, Adam steps and target updates', () => {
    // actor mu(s) = a (a parameter, state ignored); critic Q(s, a) = a . c
    const ddpg = new Ddpg(
      tf,
      {
        actorSpecs: [{ name: 'actor/a', shape: [2], init: { kind: 'zeros' } }],
        criticSpecs: [{ name: 'critic/c', shape: [2], init: { kind: 'zeros' } }],
        actor: (ops, s) => ({ action: ops.add(ops.mul(s.x!, ops.scalar(0)), ops.param('actor/a')) }),
        critic: (ops, _s, a) => ops.sum(ops.mul(a, ops.param('critic/c')), 1, true),
      },
      baseDdpg,
      0,
      {
        actor: new Map([['actor/a', { shape: [2], data: Float32Array.of(0.2, 0.8) }]]),
        critic: new Map([['critic/c', { shape: [2], data: Float32Array.of(1, -1) }]]),
      },
    );
    const s = { x: tf.zeros([1, 2]) };
    const { criticLoss, actorLoss } = ddpg.update({
      s,
      a: tf.tensor([[0.5, 0.5]]),
      r: tf.tensor([[0.1]]),
      s2: s,
      done: tf.zeros([1, 1]),
    });
    // Q(s,a) = 0; Q'(s', mu'(s')) = 0.2 - 0.8 = -0.6; y = 0.1 + 0.5 * -0.6 = -0.2; loss = 0.2^2
    expect(criticLoss).toBeCloseTo(0.04, 6);
    // grad_c = 2 * 0.2 * [0.5, 0.5] > 0 -> first Adam step moves c by -lr: c = [0.99, -1.01]
    const c = ddpg.criticParams().get('critic/c')!.data;
    expect(c[0]!).toBeCloseTo(0.99, 5);
    expect(c[1]!).toBeCloseTo(-1.01, 5);
    // actor loss with the updated critic: -(0.2 * 0.99 + 0.8 * -1.01) = 0.61; grad_a = -c -> a = [0.21, 0.79]
    expect(actorLoss).toBeCloseTo(0.61, 5);
    const a = ddpg.actorParams().get('actor/a')!.data;
    expect(a[0]!).toBeCloseTo(0.21, 5);
    expect(a[1]!).toBeCloseTo(0.79, 5);
    // targets: tau new + (1 - tau) old
    const ct = ddpg.criticTarget.get('critic/c')!.dataSync();
    const at = ddpg.actorTarget.get('actor/a')!.dataSync();
    expect(ct[0]!).toBeCloseTo(0.999, 5);
    expect(ct[1]!).toBeCloseTo(-1.001, 5);
    expect(at[0]!).toBeCloseTo(0.201, 5);
    expect(at[1]!).toBeCloseTo(0.799, 5);
    ddpg.dispose();
  });
});

describe('entropy bonus', () => {
  it('meanEntropy is the batch mean of -sum w log w, exact zeros contributing 0', () => {
    const e = meanEntropy(
      tf,
      tf.tensor([
        [0.5, 0.5, 0],
        [1, 0, 0],
      ]),
    ).dataSync()[0]!;
    expect(e).toBeCloseTo(Math.log(2) / 2, 6);
  });
});

describe('replay buffer', () => {
  it('keeps the newest `capacity` transitions and samples only stored ones', () => {
    expect(() => new ReplayBuffer<number>(0)).toThrow(RangeError);
    const b = new ReplayBuffer<number>(3);
    expect(() => b.sample(1, Math.random)).toThrow(RangeError);
    for (let i = 1; i <= 5; i++) b.push(i);
    expect(b.size).toBe(3);
    expect(b.pushed).toBe(5);
    expect(b.toArray()).toEqual([3, 4, 5]);
    const seq = [0, 0.34, 0.67, 0.999];
    let k = 0;
    const got = b.sample(4, () => seq[k++]!);
    // storage after 5 pushes into 3 slots: [4, 5, 3]
    expect(got).toEqual([4, 5, 3, 3]);
    const many = b.sample(200, Math.random);
    expect(new Set(many)).toEqual(new Set([3, 4, 5]));
  });
});

describe('exploration noise', () => {
  it('decays sigma per episode and is reproducible from the seed stream', () => {
    const cfg = { kind: 'gaussian' as const, sigma: 1, sigmaDecay: 0.5, sigmaMin: 0.2, theta: 0.15 };
    let x = 0.1;
    const rng = () => (x = (x * 9301 + 0.49297) % 1);
    const n = new LogitNoise(cfg, 3, rng);
    n.startEpisode(1);
    expect(n.currentSigma).toBe(0.5);
    n.startEpisode(5);
    expect(n.currentSigma).toBe(0.2);
    x = 0.1;
    const a = n.sample();
    x = 0.1;
    expect(Array.from(n.sample())).toEqual(Array.from(a));
  });
});

describe('portfolio environment', () => {
  it('portfolioStep: cost on drifted weights, cash at return 0, drift', () => {
    const r = portfolioStep([0.5, 0.3], [0.2, 0.2], [1.1, 0.9], 0.001);
    // turnover 0.3 + 0.1 = 0.4 -> cost 0.0004; growth 0.55 + 0.27 + 0.2 (cash) = 1.02
    expect(r.cost).toBeCloseTo(0.0004, 12);
    expect(r.growth).toBeCloseTo(1.02, 12);
    expect(r.reward).toBeCloseTo(Math.log(0.9996 * 1.02), 12);
    expect(r.drifted[0]!).toBeCloseTo(0.55 / 1.02, 12);
    expect(r.drifted[1]!).toBeCloseTo(0.27 / 1.02, 12);
  });

  it('the turnover penalty enters the reward exactly: minus penalty x one-way turnover, costs unchanged', () => {
    // from [0.2, 0.2] (cash 0.6) to [0.5, 0.3] (cash 0.2): one-way turnover 0.5 (0.3 + 0.1 + |0.6 - 0.2|) = 0.4
    const plain = portfolioStep([0.5, 0.3], [0.2, 0.2], [1.1, 0.9], 0.001);
    const r = portfolioStep([0.5, 0.3], [0.2, 0.2], [1.1, 0.9], 0.001, 0.01);
    expect(r.turnover).toBeCloseTo(0.4, 12);
    expect(r.reward).toBeCloseTo(Math.log(0.9996 * 1.02) - 0.01 * 0.4, 14);
    expect(r.reward - plain.reward).toBeCloseTo(-0.004, 14);
    expect(r.cost).toBe(plain.cost);
    expect(r.growth).toBe(plain.growth);
  });

  it('the environment trades through the no-trade band: a trade below the band is not made', () => {
    const view = new MarketView(djiaSubset(50, 3), 20);
    const env = new PortfolioEnv(view, {
      firstDay: 10,
      lastDay: 20,
      features: { ...FEATURES, window: 5 },
      costRate: 0.001,
      noTradeBand: 0.01,
    });
    const held = [0.3, 0.3, 0.3];
    // asset 0 moves 0.005 (< band): kept at 0.3; asset 1 moves 0.02: traded; asset 2 moves 0.0099: kept
    const r = env.step(12, [0.305, 0.32, 0.3099], held);
    expect(Array.from(r.executed)).toEqual([0.3, 0.32, 0.3]);
    expect(r.cost).toBeCloseTo(0.001 * 0.02, 15);
    const x = view.relatives(13);
    const g = 0.3 * x[0]! + 0.32 * x[1]! + 0.3 * x[2]! + 0.08;
    expect(r.growth).toBeCloseTo(g, 14);
    // without a band the same target is traded as given
    const free = new PortfolioEnv(view, {
      firstDay: 10,
      lastDay: 20,
      features: { ...FEATURES, window: 5 },
      costRate: 0.001,
    });
    expect(Array.from(free.step(12, [0.305, 0.32, 0.3099], held).executed)).toEqual([0.305, 0.32, 0.3099]);
  });

  it('rebased window features are close[t-L+1+j]/close[t] - 1, scaled, reading rows <= t only', () => {
    const rows = [Float64Array.of(1, 4), Float64Array.of(2, 4), Float64Array.of(4, 2)];
    const f = windowFeatures((d) => rows[d]!, 2, 2, 3, 10);
    // asset 0: [1/4-1, 2/4-1, 0] * 10; asset 1: [4/2-1, 4/2-1, 0] * 10
    expect(Array.from(f)).toEqual([-7.5, -5, 0, 10, 10, 0]);
    const view = new MarketView(djiaSubset(50, 3), 20);
    const env = new PortfolioEnv(view, {
      firstDay: 10,
      lastDay: 20,
      features: { ...FEATURES, window: 5 },
      costRate: 0,
    });
    expect(() => env.features(21)).toThrow();
    expect(
      () => new PortfolioEnv(view, { firstDay: 10, lastDay: 21, features: { ...FEATURES, window: 5 }, costRate: 0 }),
    ).toThrow(RangeError);
  });

  it('volatility features are daily log returns over the trailing volatility, and keep their value as the window slides', () => {
    // one asset: closes 1, 2, 2, 4 -> log returns (day 1..3) ln2, 0, ln2; volatility over the last 3: std(ln2, 0, ln2)
    const rows = [1, 2, 2, 4].map((c) => Float64Array.of(c));
    const f = volatilityFeatures((d) => rows[d]!, 3, 1, 2, 3);
    const l = Math.log(2);
    const sd = Math.sqrt(((l / 3) ** 2 * 2 + ((2 * l) / 3) ** 2) / 2);
    expect(f[0]).toBeCloseTo(0 / sd, 6);
    expect(f[1]).toBeCloseTo(l / sd, 6);
    // on real prices a day's feature moves only by the change of the volatility when the window slides one day
    const m = djiaSubset(200, 3);
    const a = volatilityFeatures((d) => m.close[d]!, 150, 3, 10, 60);
    const b = volatilityFeatures((d) => m.close[d]!, 151, 3, 10, 60);
    const sigma = (t: number, i: number) => {
      const r = Array.from({ length: 60 }, (_, k) => Math.log(m.close[t - 59 + k]![i]! / m.close[t - 60 + k]![i]!));
      const mu = r.reduce((x, y) => x + y, 0) / 60;
      return Math.sqrt(r.reduce((x, y) => x + (y - mu) ** 2, 0) / 59);
    };
    for (let i = 0; i < 3; i++)
      for (let j = 1; j < 10; j++)
        expect(b[i * 10 + j - 1]! * sigma(151, i)).toBeCloseTo(a[i * 10 + j]! * sigma(150, i), 6);
    // rebased features, by contrast, all move with today's close
    const ra = windowFeatures((d) => m.close[d]!, 150, 3, 10, 10);
    const rb = windowFeatures((d) => m.close[d]!, 151, 3, 10, 10);
    expect(Math.abs(rb[0]! - ra[1]!)).toBeGreaterThan(1e-3);
  });
});

/** The features of the tiny configs below. */
const FEATURES = { window: 6, featureScale: 10, featureScaling: 'volatility' as const, volatilityWindow: 20 };

const tinyCfg = resolveSampConfig('quick', {
  window: 6,
  volatilityWindow: 20,
  upper: { dModel: 4, heads: 2, layers: 1, ffHidden: 4 },
  lower: { channels: 2, kernel: 5, smallKernel: 3, sparseTaps: 3, sparseDilation: 2, headHidden: 4 },
  critic: { hidden: 4 },
  ddpg: { batchSize: 4, warmup: 8, updateEvery: 3, bufferSize: 100 },
  stage1Episodes: 2,
  stage2Episodes: 2,
  patience: 0,
});

/** Training days 30..69 (training environment on a view at 69), validation days 69..99. */
async function trainTiny(
  engine: SampTrainEngine,
  seed: number,
  onProgress?: (p: TrainProgress) => void,
  signal?: AbortSignal,
  cfg = tinyCfg,
) {
  const m = djiaSubset(100, 4);
  const opts = { features: cfg, costRate: 0.001, turnoverPenalty: cfg.turnoverPenalty, noTradeBand: cfg.noTradeBand };
  const env = new PortfolioEnv(new MarketView(m, 69), { ...opts, firstDay: 30, lastDay: 69 });
  const validation = new PortfolioEnv(new MarketView(m, 99), { ...opts, firstDay: 69, lastDay: 99 });
  const plan = (t: number): DayPlan => ({
    m1: Float32Array.of(1, 1, 0, 0),
    m2: Float32Array.of(0, 0, 1, 1),
    c1: 0.4 + (t % 3) * 0.1,
    c2: 0.4,
  });
  return trainSampAgents({
    engine,
    env,
    validation,
    cfg,
    seed,
    kind: 'hierarchical',
    plan,
    ...(onProgress ? { onProgress } : {}),
    ...(signal ? { signal } : {}),
  });
}

describe.each(['tfjs', 'onnx'] as const)('staged training on the %s engine', (name) => {
  const engine = () => (name === 'tfjs' ? tfjsSampEngine(tf, 'test') : onnxSampEngine('cpu'));
  it('same seed, config and engine give identical weights, bit for bit; another seed does not', async () => {
    const progress: TrainProgress[] = [];
    const tensorsBefore = tf.memory().numTensors;
    const a = await trainTiny(engine(), 5, (p) => progress.push(p));
    expect(tf.memory().numTensors).toBe(tensorsBefore); // no tensor leaks across a whole training run
    const b = await trainTiny(engine(), 5);
    const c = await trainTiny(engine(), 6);
    expect([...a.actor.keys()].some((k) => k.startsWith('upper/hold_'))).toBe(true);
    expect([...a.actor.keys()].some((k) => k.startsWith('lower2/hold_'))).toBe(true);
    expect(a.updates).toBeGreaterThan(0);
    let differs = false;
    for (const [k, v] of a.actor) {
      expect(Array.from(b.actor.get(k)!.data), k).toEqual(Array.from(v.data));
      if (c.actor.get(k)!.data.some((x, i) => x !== v.data[i])) differs = true;
    }
    for (const stage of ['upper', 'lower'] as const)
      for (const [k, v] of a.critics[stage]!)
        expect(Array.from(b.critics[stage]!.get(k)!.data), `${stage} ${k}`).toEqual(Array.from(v.data));
    expect(b.history.map((h) => h.reward)).toEqual(a.history.map((h) => h.reward));
    expect(b.stages).toEqual(a.stages);
    expect(differs).toBe(true);
    // one progress report per episode per stage, with the documented fields
    expect(progress.map((p) => `${p.stage}${p.episode}`)).toEqual(['upper1', 'upper2', 'lower1', 'lower2']);
    for (const p of progress)
      for (const f of [
        'episode',
        'step',
        'reward',
        'turnover',
        'criticLoss',
        'actorLoss',
        'elapsedMs',
        'stageUpdates',
        'lrScale',
        'fraction',
      ] as const)
        expect(typeof p[f]).toBe('number');
    for (const p of progress) expect(Number.isFinite(p.validation!.sharpe)).toBe(true);
    expect(progress[3]!.step).toBe(4 * 39);
    expect(progress[3]!.fraction).toBeCloseTo(1, 12); // the run's last report (the budget was not spent: the episode cap ended it)
  });

  it('stops with an AbortError when the signal fires', async () => {
    const ac = new AbortController();
    await expect(trainTiny(engine(), 5, () => ac.abort(), ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
