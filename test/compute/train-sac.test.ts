/**
 * The SAC update on the ONNX training engine (src-main/compute/train/sac.ts), checked without a second engine:
 *   - on a tiny actor-critic pair (a linear actor whose logits are the Gaussian's mean, a one-hidden-layer critic, 3
 *     assets) whose forward pass is recomputed in plain JavaScript (train-helpers.ts) from the parameters read back:
 *     the critic losses against the soft target built by hand (a' sampled from the current actor with the fed draws,
 *     the smaller twin target value, minus alpha log pi), the actor loss against the updated twins, the direction of
 *     every actor parameter's first Adam step (log-std included) against a finite-difference gradient of that loss, the
 *     soft updates of both target critics, the fixed temperature staying put, and the learned temperature's two Adam
 *     steps recomputed from log pi; exploration samples softmax(mean + std eps), acting without noise is softmax(mean);
 *   - on the sac-flat networks (SLaK actor, critic) over real DJIA windows: the same seed gives bit-identical
 *     weights, another seed other ones, the learned temperature moves, and the exported ONNX policy decides as the
 *     engine's deterministic actor to 1e-6.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import type { DdpgBatchArrays } from '../../src-main/agents/learner';
import {
  resolveSampConfig,
  SAC_DEFAULTS,
  SAC_LOG_STD_RANGE,
  type SacSettings,
} from '../../src-main/agents/samp/config';
import type { ParamValues } from '../../src-main/compute/params';
import { LOG_STD_PARAM, OnnxSac, type SacDraws } from '../../src-main/compute/train/sac';
import { sampTrainModel } from '../../src-main/compute/train/samp';
import {
  B,
  close,
  expectExportedPolicyAgrees,
  expectFirstAdamStep,
  expectSoftUpdate,
  FLAT_ASSETS,
  flatReplay,
  jsAction,
  jsCriticLoss,
  jsLogStd,
  jsQ,
  LOG_2PI,
  maxDiff,
  N,
  row,
  same,
  tinyActorCritic as tiny,
  tinyBatch,
  tinyDdpgConfig as cfg,
  tinySpecs,
  tinyTwinNames,
  withSeedRuns,
} from './train-helpers';

// ---------------------------------------------------------------- the tiny pair (train-helpers.ts) as a SAC policy

/** a temperature large enough that the entropy term moves the target and the actor loss measurably */
const fixed: SacSettings = { ...SAC_DEFAULTS, alpha: 0.5, initStd: 0.7 };
const auto: SacSettings = { ...fixed, alphaTuning: 'auto', alphaLr: 0.05, targetEntropyPerAsset: -0.5 };
/** a seed whose twin critics disagree both ways on the batch below (checked in the first test) */
const SEED = 32;

/** A reparameterised sample at x with draws eps: the action and log pi (Gaussian density over the logits). */
function jsSample(policy: ParamValues, x: number[], eps: number[]): { a: number[]; logp: number } {
  const ls = jsLogStd(policy);
  const a = jsAction(
    policy,
    x,
    eps.map((e, i) => Math.exp(ls[i]!) * e),
  );
  let logp = -0.5 * N * LOG_2PI;
  eps.forEach((e, i) => (logp += -0.5 * e * e - ls[i]!));
  return { a, logp };
}

/**
 * The soft critic targets of a batch: a' sampled from `policy` at s' with `draws.next`, `pick` among the twin target
 * values, minus alpha log pi (`entropy` false leaves that term out).
 */
function jsTargets(
  b: DdpgBatchArrays,
  policy: ParamValues,
  t: { critic1: ParamValues; critic2: ParamValues },
  draws: SacDraws,
  alpha: number,
  opts: { pick?: (q1: number, q2: number) => number; entropy?: boolean } = {},
): number[] {
  const pick = opts.pick ?? Math.min;
  return Array.from({ length: B }, (_, k) => {
    const x2 = row(b.s2.x!, k, N);
    const { a, logp } = jsSample(policy, x2, row(draws.next, k, N));
    const v = pick(jsQ(t.critic1, x2, a), jsQ(t.critic2, x2, a)) - (opts.entropy === false ? 0 : alpha * logp);
    return cfg.rewardScale * b.r[k]! + cfg.gamma * (1 - b.done[k]!) * v;
  });
}

/** The actor loss mean(alpha log pi - min(Q1, Q2)) of `policy` against the critics `twin`, with draws eps. */
function jsActorLoss(
  b: DdpgBatchArrays,
  policy: ParamValues,
  twin: { critic1: ParamValues; critic2?: ParamValues },
  eps: Float32Array,
  alpha: number,
): number {
  let s = 0;
  for (let k = 0; k < B; k++) {
    const x = row(b.s.x!, k, N);
    const { a, logp } = jsSample(policy, x, row(eps, k, N));
    const q1 = jsQ(twin.critic1, x, a);
    s += alpha * logp - (twin.critic2 ? Math.min(q1, jsQ(twin.critic2, x, a)) : q1);
  }
  return s / B;
}

/** Mean log pi of the actor step's sample. */
function jsMeanLogp(b: DdpgBatchArrays, policy: ParamValues, eps: Float32Array): number {
  let s = 0;
  for (let k = 0; k < B; k++) s += jsSample(policy, row(b.s.x!, k, N), row(eps, k, N)).logp;
  return s / B;
}

function tinyDraws(seed: string): SacDraws {
  const rng = seedrandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return {
    eps: Float32Array.from({ length: B * N }, normal),
    next: Float32Array.from({ length: B * N }, normal),
  };
}

// ---------------------------------------------------------------- the tiny pair

describe('one SAC update against a plain-JS computation (tiny actor-critic pair)', () => {
  const b = tinyBatch('sac-tiny');
  const d1 = tinyDraws('sac-draws-1');
  const d2 = tinyDraws('sac-draws-2');

  it('critic targets: a sampled from the current actor at s, the smaller twin target, minus alpha log pi', () => {
    const eng = new OnnxSac(tiny, cfg, fixed, SEED, { batchSize: B });
    try {
      const policy0 = eng.policyParams();
      const twin0 = eng.twinParams();
      const t0 = eng.targetParams();
      // independent twins, targets equal to the online critics, the log-std at initStd, alpha as set
      expect(maxDiff(twin0.critic1, twin0.critic2)).toBeGreaterThan(0.1);
      expect(same(t0.critic1, twin0.critic1) && same(t0.critic2, twin0.critic2)).toBe(true);
      for (const ls of jsLogStd(policy0)) expect(Math.abs(ls - Math.log(fixed.initStd))).toBeLessThan(1e-6);
      const alpha = eng.alpha();
      expect(Math.abs(alpha - fixed.alpha)).toBeLessThan(1e-7);

      // the case distinguishes the rules: each of the twins is the smaller one on some sample
      const q = Array.from({ length: B }, (_, k) => {
        const x2 = row(b.s2.x!, k, N);
        const { a } = jsSample(policy0, x2, row(d1.next, k, N));
        return [jsQ(t0.critic1, x2, a), jsQ(t0.critic2, x2, a)] as const;
      });
      expect(q.some(([q1, q2]) => q1 < q2 - 0.05) && q.some(([q1, q2]) => q2 < q1 - 0.05)).toBe(true);

      const y = jsTargets(b, policy0, t0, d1, alpha);
      const got = eng.update(b, d1);
      close(got.critic1Loss, jsCriticLoss(b, twin0.critic1, y), 'critic 1 loss');
      close(got.critic2Loss, jsCriticLoss(b, twin0.critic2, y), 'critic 2 loss');
      close(got.criticLoss, (got.critic1Loss + got.critic2Loss) / 2, 'reported critic loss');
      close(got.alpha, alpha, 'reported alpha');

      // without the entropy term, with Q1' alone, or with the draws at s instead of s' it would be other numbers
      for (const [what, yy] of [
        ['no entropy term', jsTargets(b, policy0, t0, d1, alpha, { entropy: false })],
        ["Q1' alone", jsTargets(b, policy0, t0, d1, alpha, { pick: (q1) => q1 })],
        ["Q2' alone", jsTargets(b, policy0, t0, d1, alpha, { pick: (_q1, q2) => q2 })],
        ['draws of s', jsTargets(b, policy0, t0, { eps: d1.next, next: d1.eps }, alpha)],
      ] as const)
        expect(Math.abs(jsCriticLoss(b, twin0.critic1, yy) - got.critic1Loss), what).toBeGreaterThan(1e-3);

      // both target critics moved by exactly the soft update from the updated online critics
      const twin1 = eng.twinParams();
      const t1 = eng.targetParams();
      for (const [what, target, online, old] of [
        ['critic 1', t1.critic1, twin1.critic1, t0.critic1],
        ['critic 2', t1.critic2, twin1.critic2, t0.critic2],
      ] as const) {
        expect(maxDiff(online, old), `${what} stepped`).toBeGreaterThan(1e-3);
        expectSoftUpdate(`${what} target`, target, online, old, cfg.tau);
      }
      // a fixed temperature stays where it was
      expect(eng.alpha()).toBe(alpha);
      expect(eng.updates).toBe(1);
    } finally {
      eng.dispose();
    }
  });

  it('actor step: mean(alpha log pi - min(Q1, Q2)) against the updated twins, every parameter stepped downhill', () => {
    const eng = new OnnxSac(tiny, cfg, fixed, SEED, { batchSize: B });
    try {
      const policy0 = eng.policyParams();
      const twin0 = eng.twinParams();
      const alpha = eng.alpha();
      const got = eng.update(b, d1);
      const twin1 = eng.twinParams();
      const want = jsActorLoss(b, policy0, twin1, d1.eps, alpha);
      close(got.actorLoss, want, 'actor loss');
      close(got.logProb, jsMeanLogp(b, policy0, d1.eps), 'mean log pi');
      // against the critics before their step, against Q1 alone, or without the entropy term: other numbers
      expect(Math.abs(jsActorLoss(b, policy0, twin0, d1.eps, alpha) - got.actorLoss)).toBeGreaterThan(1e-3);
      expect(
        Math.abs(jsActorLoss(b, policy0, { critic1: twin1.critic1 }, d1.eps, alpha) - got.actorLoss),
      ).toBeGreaterThan(1e-3);
      expect(Math.abs(jsActorLoss(b, policy0, twin1, d1.eps, 0) - got.actorLoss)).toBeGreaterThan(1e-3);

      // the first Adam step moves each parameter by the learning rate against its gradient's sign; the gradient
      // here is a central difference of the plain-JS loss, so the reparameterisation through sigma, the log-std
      // term and the minimum are all checked, not only the loss's value
      const checked = expectFirstAdamStep(
        policy0,
        eng.policyParams(),
        (p) => jsActorLoss(b, p, twin1, d1.eps, alpha),
        cfg.actorLr,
      );
      expect(checked.length).toBeGreaterThan(8);
      expect(checked.filter((k) => k === LOG_STD_PARAM).length).toBe(N);
    } finally {
      eng.dispose();
    }
  });

  it('learned temperature: two Adam steps on -log alpha (mean log pi + target), the second update using the first step', () => {
    const eng = new OnnxSac(tiny, cfg, auto, SEED, { batchSize: B });
    try {
      const target = auto.targetEntropyPerAsset * N;
      const adam = { m: 0, v: 0 };
      let logAlpha = Math.fround(Math.log(auto.alpha));
      for (const [t, d] of [
        [1, d1],
        [2, d2],
      ] as const) {
        const policy = eng.policyParams();
        const t0 = eng.targetParams();
        const twin = eng.twinParams();
        const alpha = eng.alpha();
        close(alpha, Math.exp(logAlpha), `alpha before update ${t}`);
        const got = eng.update(b, d);
        // the target and the actor loss use the temperature as the update found it
        close(got.alpha, alpha, `alpha used by update ${t}`);
        close(
          got.critic1Loss,
          jsCriticLoss(b, twin.critic1, jsTargets(b, policy, t0, d, alpha)),
          `critic 1, update ${t}`,
        );
        close(got.actorLoss, jsActorLoss(b, policy, eng.twinParams(), d.eps, alpha), `actor loss, update ${t}`);
        // tfjs Adam on the scalar, from the gradient -(mean log pi + target)
        const grad = -(jsMeanLogp(b, policy, d.eps) + target);
        adam.m = 0.9 * adam.m + 0.1 * grad;
        adam.v = 0.999 * adam.v + 0.001 * grad * grad;
        logAlpha -= (auto.alphaLr * (adam.m / (1 - 0.9 ** t))) / (Math.sqrt(adam.v / (1 - 0.999 ** t)) + 1e-7);
        expect(Math.abs(Math.log(eng.alpha()) - logAlpha), `log alpha after update ${t}`).toBeLessThan(1e-6);
      }
      // it moved, by about two learning rates
      expect(Math.abs(logAlpha - Math.log(auto.alpha))).toBeGreaterThan(auto.alphaLr);
    } finally {
      eng.dispose();
    }
  });

  it('explores by sampling softmax(mean + std eps); acts without noise as softmax(mean)', () => {
    const eng = new OnnxSac(tiny, cfg, fixed, SEED, { batchSize: B });
    const twin = new OnnxSac(tiny, cfg, fixed, SEED, { batchSize: B });
    try {
      const policy = eng.policyParams();
      const x = Float32Array.from([0.3, -1.2, 0.8]);
      const eps = Float32Array.from([1.1, -0.4, 0.25]);
      const std = jsLogStd(policy).map(Math.exp);
      const got = eng.explore({ x }, eps);
      const want = jsAction(
        policy,
        Array.from(x),
        Array.from(eps, (e, i) => std[i]! * e),
      );
      got.action.forEach((w, i) => expect(Math.abs(w - want[i]!)).toBeLessThan(1e-6));
      close(got.std, fixed.initStd, 'mean std');
      const det = eng.act({ x }, [new Float32Array(N)]);
      jsAction(policy, Array.from(x)).forEach((w, i) => expect(Math.abs(det[i]! - w)).toBeLessThan(1e-6));
      // the learner's own draws: a seeded stream, so a learner of the same seed explores alike, and not deterministically
      const a = [eng.explore({ x }).action, eng.explore({ x }).action];
      const c = [twin.explore({ x }).action, twin.explore({ x }).action];
      expect(Array.from(a[0]!)).toEqual(Array.from(c[0]!));
      expect(Array.from(a[1]!)).toEqual(Array.from(c[1]!));
      expect(Math.max(...a[0]!.map((w, i) => Math.abs(w - a[1]![i]!)))).toBeGreaterThan(1e-3);
    } finally {
      eng.dispose();
      twin.dispose();
    }
  });

  it('stores both critics and the exported actor without the log-std; refuses what it cannot use without moving', () => {
    const eng = new OnnxSac(tiny, cfg, fixed, SEED, { batchSize: B });
    try {
      expect([...eng.criticParams().keys()]).toEqual(tinyTwinNames);
      expect([...eng.actorParams().keys()]).toEqual(tinySpecs.actor.map((s) => s.name));
      expect([...eng.policyParams().keys()]).toEqual([...tinySpecs.actor.map((s) => s.name), LOG_STD_PARAM]);
      const before = eng.policyParams();
      expect(() => eng.update(b, { eps: d1.eps.subarray(1), next: d1.next })).toThrow(
        /eps: 11 values, expected \[4,3\]/,
      );
      expect(() => eng.update({ ...b, s: {} }, d1)).toThrow(/batch state x missing/);
      expect(() => eng.explore({ x: new Float32Array(N) }, new Float32Array(2))).toThrow(
        /explore: 2 draws, the action has 3 entries/,
      );
      expect(eng.updates).toBe(0);
      expect(same(eng.policyParams(), before)).toBe(true);
    } finally {
      eng.dispose();
    }
    expect(() => new OnnxSac({ ...tiny, noiseInputs: 2 }, cfg, fixed, 1)).toThrow(
      /SAC needs an actor with one noise input/,
    );
    expect(() => new OnnxSac(tiny, cfg, { ...fixed, alpha: 0 }, 1)).toThrow(/sac.alpha must be a number in \(0, 100\]/);
    expect(() => new OnnxSac(tiny, cfg, { ...fixed, initStd: Math.exp(SAC_LOG_STD_RANGE.max) }, 1)).toThrow(
      /sac.initStd must lie strictly between/,
    );
    expect(() => new OnnxSac(tiny, cfg, { ...fixed, alphaTuning: 'learned' as 'auto' }, 1)).toThrow(
      /sac.alphaTuning must be 'fixed' or 'auto'/,
    );
  });
});

// ---------------------------------------------------------------- the sac-flat networks

describe('SAC on the sac-flat networks (quick preset, 6 DJIA assets)', () => {
  const c = resolveSampConfig('quick', { sac: {} });
  const NA = FLAT_ASSETS;
  const BF = 8;
  const { states, batches } = flatReplay(c, 'sac-flat-batch', BF);
  const train = (seed: number, sac: SacSettings = c.sac!) => {
    const eng = new OnnxSac(sampTrainModel('flat', c, NA), c.ddpg, sac, seed, { batchSize: BF });
    for (const b of batches) eng.update(b);
    return eng;
  };

  it('the same seed gives bit-identical weights (draws included), another seed other weights', () => {
    expect(c.sac).toEqual(SAC_DEFAULTS);
    withSeedRuns(train, (a, b, o) => {
      expect(a.updates).toBe(4);
      for (const [what, x, y] of [
        ['actor and log-std', a.policyParams(), b.policyParams()],
        ['critics', a.criticParams(), b.criticParams()],
        ['critic 1 target', a.targetParams().critic1, b.targetParams().critic1],
        ['critic 2 target', a.targetParams().critic2, b.targetParams().critic2],
      ] as const)
        expect(same(x, y), what).toBe(true);
      expect(maxDiff(a.policyParams(), o.policyParams())).toBeGreaterThan(1e-4);
      expect(maxDiff(a.criticParams(), o.criticParams())).toBeGreaterThan(1e-4);
      // the log-std learned: four steps moved it from the start
      expect(Math.max(...a.std().map((s) => Math.abs(s - c.sac!.initStd)))).toBeGreaterThan(1e-4);
    });
  });

  it('the learned temperature moves and trains other weights than the fixed one', () => {
    const f = train(3);
    const t = train(3, { ...c.sac!, alphaTuning: 'auto' });
    try {
      // fixed: log alpha is the float32 of log(alpha) it started at, bit for bit
      expect(f.alpha()).toBe(Math.exp(Math.fround(Math.log(c.sac!.alpha))));
      expect(Math.abs(Math.log(t.alpha()) - Math.log(c.sac!.alpha))).toBeGreaterThan(c.sac!.alphaLr);
      expect(maxDiff(f.policyParams(), t.policyParams())).toBeGreaterThan(1e-6);
    } finally {
      f.dispose();
      t.dispose();
    }
  });

  it('the exported ONNX policy gives the engine deterministic actor outputs to 1e-6', async () => {
    const eng = train(3);
    try {
      const cases = [120, 180, 240].map((t) => {
        const s = states([t]);
        return { label: `day ${t}`, s, want: eng.act(s, [new Float32Array(NA)]) };
      });
      await expectExportedPolicyAgrees(c, eng.actorParams(), cases);
    } finally {
      eng.dispose();
    }
  });
});
