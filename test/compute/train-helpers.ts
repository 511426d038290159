/**
 * What the tests of the training engine's learners (train-td3, train-sac, train-ppo) check them with:
 *   - the tiny networks over N = 3 assets, small enough to recompute by hand: a linear actor (logits x W + b, the
 *     action their softmax), a one-hidden-layer critic Q = relu([x, a] W1 + b1) W2 + b2 and a one-hidden-layer
 *     value network V = relu(x W1 + b1) W2 + b2, as engine models and as plain-JavaScript forward passes in float64
 *     over the parameters a learner reports;
 *   - the replay minibatch and the DDPG settings the TD3 and SAC tests share, and the comparisons of parameter maps;
 *   - for the flat networks over real DJIA windows: the environment, seeded replay minibatches, and the check that
 *     the exported ONNX policy decides as the engine's actor.
 */
import { expect } from 'vitest';
import seedrandom from 'seedrandom';
import type { DdpgConfig } from '../../src-main/agents/ddpg';
import type { DdpgBatchArrays, StateArrays } from '../../src-main/agents/learner';
import type { SampConfig } from '../../src-main/agents/samp/config';
import { PortfolioEnv } from '../../src-main/agents/samp/env';
import { exportPolicyOnnx, sampNets } from '../../src-main/agents/samp/policy';
import { OnnxModel } from '../../src-main/compute/onnx/runtime';
import type { ParamSpec, ParamValues } from '../../src-main/compute/params';
import type { TrainDdpgModel } from '../../src-main/compute/train/ddpg';
import type { Val } from '../../src-main/compute/train/graph';
import type { TrainOps } from '../../src-main/compute/train/ops';
import type { PpoModel } from '../../src-main/compute/train/ppo';
import { logStdOf, LOG_STD_PARAM } from '../../src-main/compute/train/sac';
import { TWIN_PREFIX } from '../../src-main/compute/train/twin';
import { MarketView } from '../../src-main/market/view';
import { djiaSubset } from '../helpers/data';

// ---------------------------------------------------------------- the tiny networks

/** assets of the tiny networks */
export const N = 3;
/** hidden units of the tiny critic and value network */
export const H = 4;
/** minibatch size of the TD3 and SAC tests */
export const B = 4;

export const tinySpecs = {
  actor: [
    { name: 'actor/W', shape: [N, N], init: { kind: 'uniform', limit: 1 } },
    { name: 'actor/b', shape: [N], init: { kind: 'uniform', limit: 0.5 } },
  ] satisfies ParamSpec[],
  critic: [
    { name: 'critic/W1', shape: [2 * N, H], init: { kind: 'uniform', limit: 1 } },
    { name: 'critic/b1', shape: [H], init: { kind: 'uniform', limit: 0.5 } },
    { name: 'critic/W2', shape: [H, 1], init: { kind: 'uniform', limit: 1 } },
    { name: 'critic/b2', shape: [1], init: { kind: 'uniform', limit: 0.5 } },
  ] satisfies ParamSpec[],
  value: [
    { name: 'value/W1', shape: [N, H], init: { kind: 'uniform', limit: 1 } },
    { name: 'value/b1', shape: [H], init: { kind: 'uniform', limit: 0.5 } },
    { name: 'value/W2', shape: [H, 1], init: { kind: 'uniform', limit: 1 } },
    { name: 'value/b2', shape: [1], init: { kind: 'uniform', limit: 0.5 } },
  ] satisfies ParamSpec[],
};

/** logits x W + b of the tiny actor over states x [B, N] */
function tinyLogits(ops: TrainOps, x: Val): Val {
  return ops.add(ops.matMul(x, ops.param('actor/W')), ops.param('actor/b'));
}

/** one hidden relu layer and a linear output: relu(f W1 + b1) W2 + b2 of the network named `net` */
function tinyHead(ops: TrainOps, f: Val, net: 'critic' | 'value'): Val {
  const h = ops.relu(ops.add(ops.matMul(f, ops.param(`${net}/W1`)), ops.param(`${net}/b1`)));
  return ops.add(ops.matMul(h, ops.param(`${net}/W2`)), ops.param(`${net}/b2`));
}

/** The tiny actor-critic pair: action softmax(x W + b [+ noise]); Q = relu([x, a] W1 + b1) W2 + b2. */
export const tinyActorCritic: TrainDdpgModel = {
  actorSpecs: tinySpecs.actor,
  criticSpecs: tinySpecs.critic,
  state: { x: [N] },
  action: [N],
  noiseInputs: 1,
  actor: (ops, s) => ({ action: ops.softmax(tinyLogits(ops, s.x!)) }),
  act: (ops, s, noise) => ops.softmax(noise[0] ? ops.add(tinyLogits(ops, s.x!), noise[0]) : tinyLogits(ops, s.x!)),
  critic: (ops, s, a) => tinyHead(ops, ops.concat([s.x!, a], 1), 'critic'),
};

/** The tiny policy-value pair: logits m = x W + b (the Gaussian's mean); V = relu(x W1 + b1) W2 + b2. */
export const tinyPolicyValue: PpoModel = {
  actorSpecs: tinySpecs.actor,
  valueSpecs: tinySpecs.value,
  state: { x: [N] },
  action: [N],
  logits: (ops, s) => tinyLogits(ops, s.x!),
  value: (ops, s) => tinyHead(ops, s.x!, 'value'),
};

/** DDPG settings of the TD3 and SAC tests: no clipping, a reward scale and rates that move the tiny pair visibly. */
export const tinyDdpgConfig: DdpgConfig = {
  actorLr: 1e-2,
  criticLr: 2e-2,
  gamma: 0.9,
  tau: 0.05,
  batchSize: B,
  bufferSize: 100,
  warmup: 0,
  updateEvery: 1,
  gradClipNorm: 0,
  rewardScale: 100,
  noise: { kind: 'gaussian', sigma: 0.5, sigmaDecay: 1, sigmaMin: 0.5, theta: 0.15 },
};

// ---------------------------------------------------------------- their plain-JS forward passes (float64)

export const LOG_2PI = Math.log(2 * Math.PI);

/** The values of parameter `k`. */
export const P = (p: ParamValues, k: string): Float32Array => p.get(k)!.data;
/** Row `b` of a [rows, n] array. */
export const row = (v: Float32Array, b: number, n: number): number[] => Array.from(v.subarray(b * n, (b + 1) * n));

/** The tiny actor's logits x W + b + noise. */
export function jsLogits(actor: ParamValues, x: number[], noise: number[] = [0, 0, 0]): number[] {
  const W = P(actor, 'actor/W');
  return Array.from({ length: N }, (_, j) => {
    let s = P(actor, 'actor/b')[j]! + noise[j]!;
    for (let i = 0; i < N; i++) s += x[i]! * W[i * N + j]!;
    return s;
  });
}

/** softmax(x W + b + noise). */
export function jsAction(actor: ParamValues, x: number[], noise: number[] = [0, 0, 0]): number[] {
  const z = jsLogits(actor, x, noise);
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** relu(f W1 + b1) W2 + b2 of the tiny network `net` whose input f has `n` entries. */
function jsHead(p: ParamValues, f: number[], net: 'critic' | 'value'): number {
  const W1 = P(p, `${net}/W1`);
  const W2 = P(p, `${net}/W2`);
  let q = P(p, `${net}/b2`)[0]!;
  for (let j = 0; j < H; j++) {
    let h = P(p, `${net}/b1`)[j]!;
    for (let i = 0; i < f.length; i++) h += f[i]! * W1[i * H + j]!;
    q += Math.max(0, h) * W2[j]!;
  }
  return q;
}

/** Q(x, a) of the tiny critic. */
export const jsQ = (critic: ParamValues, x: number[], a: number[]): number => jsHead(critic, [...x, ...a], 'critic');

/** V(x) of the tiny value network. */
export const jsValue = (p: ParamValues, x: number[]): number => jsHead(p, x, 'value');

/** A Gaussian policy's log standard deviations from its raw parameter (the scaled tanh of sac.ts). */
export const jsLogStd = (policy: ParamValues): number[] => Array.from(P(policy, LOG_STD_PARAM), logStdOf);

/** mean (Q(s, a) - y)^2 of the tiny critic over a minibatch with targets `y`. */
export function jsCriticLoss(b: DdpgBatchArrays, critic: ParamValues, y: number[]): number {
  let s = 0;
  for (let k = 0; k < y.length; k++) s += (jsQ(critic, row(b.s.x!, k, N), row(b.a, k, N)) - y[k]!) ** 2;
  return s / y.length;
}

/** A seeded minibatch of B samples for the tiny pair: states in [-2, 2), actions on the simplex, sample 2 terminal. */
export function tinyBatch(seed: string): DdpgBatchArrays {
  const rng = seedrandom(seed);
  const simplex = () => {
    const v = Array.from({ length: N }, () => rng() + 0.1);
    const s = v.reduce((a, c) => a + c, 0);
    return v.map((x) => x / s);
  };
  return {
    s: { x: Float32Array.from({ length: B * N }, () => rng() * 4 - 2) },
    s2: { x: Float32Array.from({ length: B * N }, () => rng() * 4 - 2) },
    a: Float32Array.from(Array.from({ length: B }, simplex).flat()),
    r: Float32Array.from({ length: B }, () => (rng() - 0.5) * 0.04),
    done: Float32Array.from({ length: B }, (_, k) => (k === 2 ? 1 : 0)),
  };
}

// ---------------------------------------------------------------- comparing parameters

/** The largest absolute difference between two parameter maps (over the names of `a`). */
export function maxDiff(a: ParamValues, b: ParamValues): number {
  let worst = 0;
  for (const [k, v] of a) {
    const w = b.get(k)!.data;
    v.data.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - w[i]!))));
  }
  return worst;
}

/** Whether two parameter maps hold the same values bit for bit (over the names of `a`). */
export function same(a: ParamValues, b: ParamValues): boolean {
  return [...a].every(([k, v]) => v.data.every((x, i) => Object.is(x, b.get(k)!.data[i])));
}

/** A copy of `p` with entry i of parameter k moved by h (float64 values, for finite differences). */
export function nudged(p: ParamValues, k: string, i: number, h: number): ParamValues {
  const out: ParamValues = new Map();
  for (const [name, v] of p)
    out.set(name, { shape: v.shape, data: Float64Array.from(v.data) as unknown as Float32Array });
  out.get(k)!.data[i]! += h;
  return out;
}

/** Every value of the target network `target` is tau (its online network) + (1 - tau) (its old value), to 1e-6. */
export function expectSoftUpdate(
  what: string,
  target: ParamValues,
  online: ParamValues,
  old: ParamValues,
  tau: number,
): void {
  for (const [k, v] of target)
    v.data.forEach((x, i) =>
      expect(Math.abs(x - (tau * P(online, k)[i]! + (1 - tau) * P(old, k)[i]!)), `${what} ${k}`).toBeLessThan(1e-6),
    );
}

/**
 * A first Adam step from `before` to `after` with learning rate `lr`: every entry whose central-difference gradient
 * of `loss` (step 1e-4) is clearly non-zero moved by lr against that gradient's sign. Gives the parameter name of
 * each entry it checked, so a caller can ask that enough were, and which.
 */
export function expectFirstAdamStep(
  before: ParamValues,
  after: ParamValues,
  loss: (p: ParamValues) => number,
  lr: number,
): string[] {
  const h = 1e-4;
  const checked: string[] = [];
  for (const [k, v] of before)
    v.data.forEach((x, i) => {
      const grad = (loss(nudged(before, k, i, h)) - loss(nudged(before, k, i, -h))) / (2 * h);
      if (Math.abs(grad) < 1e-3) return;
      const step = P(after, k)[i]! - x;
      expect(Math.sign(step), `${k}[${i}] against gradient ${grad}`).toBe(-Math.sign(grad));
      expect(Math.abs(Math.abs(step) - lr), `${k}[${i}] step ${step}`).toBeLessThan(1e-5);
      checked.push(k);
    });
  return checked;
}

/** The names a learner with twin tiny critics stores its critics under: Q1's, then Q2's prefixed. */
export const tinyTwinNames = [
  ...tinySpecs.critic.map((s) => s.name),
  ...tinySpecs.critic.map((s) => `${TWIN_PREFIX}${s.name}`),
];

/** `got` within 1e-5 of `want`, relative above 1. */
export const close = (got: number, want: number, what: string) =>
  expect(Math.abs(got - want), `${what}: ${got} vs ${want}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(want)));

/**
 * Three learners from `train`, seed 3 twice and seed 4 once, handed to `check` as (seed 3, seed 3 again, seed 4)
 * and disposed after it, whatever it throws.
 */
export function withSeedRuns<E extends { dispose(): void }>(
  train: (seed: number) => E,
  check: (a: E, again: E, other: E) => void,
): void {
  const a = train(3);
  const b = train(3);
  const o = train(4);
  try {
    check(a, b, o);
  } finally {
    for (const e of [a, b, o]) e.dispose();
  }
}

// ---------------------------------------------------------------- the flat networks over DJIA windows

/** assets of the flat-network tests */
export const FLAT_ASSETS = 6;

/** The flat agent's environment over the first 300 days of 6 DJIA assets (days 80 to 299). */
export function flatEnv(c: SampConfig): PortfolioEnv {
  return new PortfolioEnv(new MarketView(djiaSubset(300, FLAT_ASSETS), 299), {
    firstDay: 80,
    lastDay: 299,
    features: c,
    costRate: 0.001,
  });
}

/**
 * Seeded replay data for the flat networks: `states(days)` (the features of those days, random holdings) and
 * `batches`, four minibatches of `size` samples between days 100 and 249 with s' the next day. Both draw from one
 * stream seeded by `seed`, the batches first.
 */
export function flatReplay(
  c: SampConfig,
  seed: string,
  size: number,
): { states: (days: number[]) => StateArrays; batches: DdpgBatchArrays[] } {
  const NA = FLAT_ASSETS;
  const env = flatEnv(c);
  const rng = seedrandom(seed);
  const simplex = (rows: number) =>
    Float32Array.from({ length: rows * NA }, () => rng()).map((v, i, a) => {
      const r = Math.floor(i / NA) * NA;
      let s = 0;
      for (let j = r; j < r + NA; j++) s += a[j]!;
      return v / s;
    });
  const states = (days: number[]) => {
    const x = new Float32Array(days.length * NA * c.window);
    days.forEach((t, k) => x.set(env.features(t), k * NA * c.window));
    return { x, wprev: simplex(days.length) };
  };
  const batches = Array.from({ length: 4 }, () => {
    const days = Array.from({ length: size }, () => 100 + Math.floor(rng() * 150));
    return {
      s: states(days),
      s2: states(days.map((d) => d + 1)),
      a: simplex(size),
      r: Float32Array.from({ length: size }, () => (rng() - 0.5) * 0.04),
      done: new Float32Array(size),
    } satisfies DdpgBatchArrays;
  });
  return { states, batches };
}

/**
 * The flat policy exported to ONNX from the parameters `actor` gives, on each state, the engine actor's decision
 * `want` to 1e-6; each decision must be far from uniform, so the comparison sees the trained weights.
 */
export async function expectExportedPolicyAgrees(
  c: SampConfig,
  actor: ParamValues,
  cases: { label: string; s: StateArrays; want: Float32Array }[],
): Promise<void> {
  const NA = FLAT_ASSETS;
  const model = await OnnxModel.create(exportPolicyOnnx('flat', sampNets(c), NA, actor));
  try {
    for (const { label, s, want } of cases) {
      const got = model.runSync({
        x: { data: s.x!, dims: [1, NA, c.window] },
        wprev: { data: s.wprev!, dims: [1, NA] },
      }).w!.data;
      expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(1e-3);
      want.forEach((w, i) => expect(Math.abs(got[i]! - w), `${label} asset ${i}`).toBeLessThan(1e-6));
    }
  } finally {
    await model.dispose();
  }
}
