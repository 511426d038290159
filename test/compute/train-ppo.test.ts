/**
 * The PPO update on the ONNX training engine (src-main/compute/train/ppo.ts), checked without a second engine:
 *   - on a tiny policy-value pair (a linear actor whose logits are the Gaussian's mean, a one-hidden-layer value
 *     network, 3 assets) recomputed in plain JavaScript (train-helpers.ts) from the parameters read back: the clipped
 *     surrogate on a minibatch whose ratios lie inside and outside the clip range with advantages of both signs (so the
 *     clip binds on some samples and not on others), the value loss, the entropy term and the total loss; the direction
 *     of every parameter's first Adam step against a finite-difference gradient of that loss; the per-minibatch
 *     advantage normalisation; and, on the learner's own samples, a ratio of 1 on the first step (no clipping, no KL,
 *     the surrogate -mean A); and A2C's rule, the plain policy gradient -mean(log pi A), on the same graph;
 *   - on the ppo-flat networks (SLaK actor, value network) over real DJIA windows: the same seed gives bit-identical
 *     weights (the rollout draws included), another seed other ones, and the exported ONNX policy decides as the
 *     engine's deterministic actor to 1e-6.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import type { OnPolicyBatch } from '../../src-main/agents/learner';
import { PPO_DEFAULTS, resolveSampConfig, type PpoSettings } from '../../src-main/agents/samp/config';
import type { ParamValues } from '../../src-main/compute/params';
import { normalizeAdvantages, OnnxPpo, ppoFlatModel } from '../../src-main/compute/train/ppo';
import { LOG_STD_PARAM } from '../../src-main/compute/train/sac';
import {
  close,
  expectExportedPolicyAgrees,
  expectFirstAdamStep,
  FLAT_ASSETS,
  flatEnv,
  jsLogits,
  jsLogStd,
  jsValue,
  LOG_2PI,
  maxDiff,
  N,
  row,
  same,
  tinyPolicyValue as tiny,
  withSeedRuns,
} from './train-helpers';

// ---------------------------------------------------------------- the tiny pair (train-helpers.ts) and PPO's loss

const B = 6;

/** settings whose entropy and value terms are large enough to move the loss measurably */
const settings: PpoSettings = {
  ...PPO_DEFAULTS,
  entCoef: 0.05,
  vfCoef: 0.7,
  lr: 1e-2,
  initStd: 0.6,
  normalizeAdvantages: false,
};
const EPS = 0.2;
const SEED = 11;

/** All parameters of a learner in one map (actor, log-std, value network). */
function allParams(e: OnnxPpo): ParamValues {
  return new Map([...e.policyParams(), ...e.valueParams()]);
}

function jsLogp(p: ParamValues, x: number[], u: number[]): number {
  const m = jsLogits(p, x);
  const ls = jsLogStd(p);
  let lp = -0.5 * N * LOG_2PI;
  for (let i = 0; i < N; i++) {
    const z = (u[i]! - m[i]!) / Math.exp(ls[i]!);
    lp += -0.5 * z * z - ls[i]!;
  }
  return lp;
}

interface JsLoss {
  loss: number;
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  ratios: number[];
}

/** The PPO loss of parameters `p` on batch `b` (advantages as given), or A2C's / an unclipped one by `surrogate`. */
function jsLoss(p: ParamValues, b: OnPolicyBatch, surrogate: 'clipped' | 'plain' = 'clipped'): JsLoss {
  let sur = 0;
  let vl = 0;
  const ratios: number[] = [];
  for (let k = 0; k < B; k++) {
    const x = row(b.s.x!, k, N);
    const r = Math.exp(jsLogp(p, x, row(b.u, k, N)) - b.logp[k]!);
    ratios.push(r);
    const A = b.adv[k]!;
    const c = Math.min(Math.max(r, 1 - EPS), 1 + EPS);
    sur += surrogate === 'clipped' ? Math.min(r * A, c * A) : r * A;
    vl += (jsValue(p, x) - b.ret[k]!) ** 2;
  }
  const entropy = jsLogStd(p).reduce((a, l) => a + l, 0) + 0.5 * N * (1 + LOG_2PI);
  const policyLoss = -sur / B;
  const valueLoss = vl / B;
  return {
    loss: policyLoss - settings.entCoef * entropy + settings.vfCoef * valueLoss,
    policyLoss,
    valueLoss,
    entropy,
    ratios,
  };
}

/**
 * A minibatch at the learner's current parameters whose ratios are `ratios` (log pi_old = log pi - log r) with
 * advantages `adv`; u = m(s) + sigma eps for seeded eps.
 */
function clipBatch(p: ParamValues, ratios: number[], adv: number[]): OnPolicyBatch {
  const rng = seedrandom('ppo-tiny');
  const x = Float32Array.from({ length: B * N }, () => rng() * 4 - 2);
  const ls = jsLogStd(p);
  const u = new Float32Array(B * N);
  for (let k = 0; k < B; k++) {
    const m = jsLogits(p, row(x, k, N));
    for (let i = 0; i < N; i++) u[k * N + i] = m[i]! + Math.exp(ls[i]!) * (rng() * 2 - 1);
  }
  const logp = Float32Array.from({ length: B }, (_, k) => jsLogp(p, row(x, k, N), row(u, k, N)) - Math.log(ratios[k]!));
  return {
    s: { x },
    u,
    logp,
    adv: Float32Array.from(adv),
    ret: Float32Array.from({ length: B }, () => rng() * 6 - 3),
  };
}

// ratios inside and outside [0.8, 1.2] with advantages of both signs: the clip binds on samples 0 (r 1.5, A > 0)
// and 3 (r 0.6, A < 0); samples 1 (r 0.6, A > 0) and 4 (r 1.45, A < 0) lie outside the range where the minimum
// takes the unclipped term; 2 and 5 lie inside
const RATIOS = [1.5, 0.6, 1.1, 0.6, 1.45, 0.9];
const ADV = [1.3, 0.8, -0.7, -1.1, -0.5, 0.9];
const BINDS = [true, false, false, true, false, false];

describe('one PPO step against a plain-JS computation (tiny policy-value pair)', () => {
  it('clipped surrogate, value loss, entropy and total loss; the clip binds exactly where it should', () => {
    const eng = new OnnxPpo(tiny, { kind: 'ppo', clipEps: EPS }, settings, 0, SEED);
    try {
      const p0 = allParams(eng);
      for (const ls of jsLogStd(p0)) expect(Math.abs(ls - Math.log(settings.initStd))).toBeLessThan(1e-6);
      const b = clipBatch(p0, RATIOS, ADV);
      const want = jsLoss(p0, b);
      want.ratios.forEach((r, k) => close(r, RATIOS[k]!, `ratio ${k}`));
      // the case has the clip binding on some samples and not on others
      want.ratios.forEach((r, k) => {
        const c = Math.min(Math.max(r, 1 - EPS), 1 + EPS);
        expect(c * ADV[k]! < r * ADV[k]! - 1e-3, `sample ${k} binds`).toBe(BINDS[k]);
      });
      const got = eng.update(b);
      close(got.policyLoss, want.policyLoss, 'policy loss');
      close(got.valueLoss, want.valueLoss, 'value loss');
      close(got.entropy, want.entropy, 'entropy');
      close(got.loss, want.loss, 'loss');
      close(got.clipFraction, 4 / 6, 'clip fraction (samples outside the range)');
      close(got.approxKl, -RATIOS.reduce((a, r) => a + Math.log(r), 0) / B, 'approx KL');
      // without the clip it would be another number
      expect(Math.abs(jsLoss(p0, b, 'plain').policyLoss - got.policyLoss)).toBeGreaterThan(1e-2);
      expect(eng.updates).toBe(1);
    } finally {
      eng.dispose();
    }
  });

  it('the first Adam step moves every parameter against the finite-difference gradient of that loss', () => {
    const eng = new OnnxPpo(tiny, { kind: 'ppo', clipEps: EPS }, settings, 0, SEED);
    try {
      const p0 = allParams(eng);
      const b = clipBatch(p0, RATIOS, ADV);
      eng.update(b);
      const checked = expectFirstAdamStep(p0, allParams(eng), (p) => jsLoss(p, b).loss, settings.lr);
      expect(checked.length).toBeGreaterThan(12);
      const seen = new Set(checked);
      // the actor, the log-std (entropy and surrogate) and the value network all moved
      for (const k of ['actor/W', LOG_STD_PARAM, 'value/W2']) expect(seen.has(k), k).toBe(true);
    } finally {
      eng.dispose();
    }
  });

  it('normalises each minibatch’s advantages (sample std) when the setting says so', () => {
    const norm = normalizeAdvantages(Float32Array.from(ADV));
    const mean = ADV.reduce((a, x) => a + x, 0) / B;
    const sd = Math.sqrt(ADV.reduce((a, x) => a + (x - mean) ** 2, 0) / (B - 1));
    norm.forEach((a, k) => close(a, (ADV[k]! - mean) / sd, `normalised ${k}`));
    expect(Array.from(normalizeAdvantages(Float32Array.of(2.5)))).toEqual([2.5]);
    const eng = new OnnxPpo(tiny, { kind: 'ppo', clipEps: EPS }, { ...settings, normalizeAdvantages: true }, 0, SEED);
    try {
      const p0 = allParams(eng);
      const b = clipBatch(p0, RATIOS, ADV);
      const got = eng.update(b);
      close(got.policyLoss, jsLoss(p0, { ...b, adv: norm }).policyLoss, 'policy loss on normalised advantages');
      expect(Math.abs(jsLoss(p0, b).policyLoss - got.policyLoss)).toBeGreaterThan(1e-2);
    } finally {
      eng.dispose();
    }
  });

  it('on its own samples the first step has ratio 1: no clipping, no KL, the surrogate -mean A', () => {
    const eng = new OnnxPpo(tiny, { kind: 'ppo', clipEps: EPS }, settings, 0, SEED);
    try {
      const p0 = allParams(eng);
      const rng = seedrandom('ppo-own');
      const xs = Array.from({ length: B }, () => Float32Array.from({ length: N }, () => rng() * 4 - 2));
      const samples = xs.map((x) => eng.sample({ x }));
      // the sample is u = m + sigma eps, action softmax(u), log pi and V as the plain-JS pass gives them
      samples.forEach((smp, k) => {
        const x = Array.from(xs[k]!);
        close(smp.logp, jsLogp(p0, x, Array.from(smp.u)), `log pi ${k}`);
        close(smp.value, jsValue(p0, x), `V ${k}`);
        const e = Array.from(smp.u, Math.exp);
        const z = e.reduce((a, c) => a + c, 0);
        smp.action.forEach((w, i) => close(w, e[i]! / z, `action ${k}[${i}]`));
        close(smp.std, settings.initStd, 'mean std');
      });
      const b: OnPolicyBatch = {
        s: { x: Float32Array.from(xs.flatMap((x) => Array.from(x))) },
        u: Float32Array.from(samples.flatMap((smp) => Array.from(smp.u))),
        logp: Float32Array.from(samples, (smp) => smp.logp),
        adv: Float32Array.from(ADV),
        ret: Float32Array.from({ length: B }, () => 1),
      };
      const got = eng.update(b);
      expect(got.clipFraction).toBe(0);
      expect(Math.abs(got.approxKl)).toBeLessThan(1e-6);
      close(got.policyLoss, -ADV.reduce((a, x) => a + x, 0) / B, 'surrogate at ratio 1');
      // acting without noise is the deterministic policy softmax(m) of the stepped parameters
      const p1 = allParams(eng);
      const m = jsLogits(p1, Array.from(xs[0]!)).map(Math.exp);
      const z = m.reduce((a, c) => a + c, 0);
      eng.act({ x: xs[0]! }, []).forEach((w, i) => close(w, m[i]! / z, `deterministic action ${i}`));
    } finally {
      eng.dispose();
    }
  });

  it("A2C's rule: the same step with the plain policy gradient -mean(log pi A), no ratio and no clip", () => {
    const eng = new OnnxPpo(tiny, { kind: 'a2c' }, settings, 0, SEED);
    try {
      const p0 = allParams(eng);
      const b = clipBatch(p0, RATIOS, ADV);
      let want = 0;
      for (let k = 0; k < B; k++) want -= (jsLogp(p0, row(b.s.x!, k, N), row(b.u, k, N)) * ADV[k]!) / B;
      const got = eng.update(b);
      close(got.policyLoss, want, 'policy loss');
      close(got.valueLoss, jsLoss(p0, b).valueLoss, 'value loss');
      close(got.loss, want - settings.entCoef * got.entropy + settings.vfCoef * got.valueLoss, 'loss');
      expect(got.clipFraction).toBe(0);
    } finally {
      eng.dispose();
    }
  });

  it('refuses what it cannot use, without moving', () => {
    const eng = new OnnxPpo(tiny, { kind: 'ppo', clipEps: EPS }, settings, 0, SEED);
    try {
      const before = allParams(eng);
      const b = clipBatch(before, RATIOS, ADV);
      expect(() => eng.update({ ...b, ret: b.ret.subarray(1) })).toThrow(/update: ret has 5 values, adv 6/);
      expect(() => eng.update({ ...b, s: {} })).toThrow(/batch state x missing/);
      expect(() => eng.update({ ...b, u: b.u.subarray(1) })).toThrow(/u: 17 values, expected \[6,3\]/);
      expect(() => eng.sample({ x: new Float32Array(N) }, new Float32Array(2))).toThrow(
        /sample: 2 draws, the action has 3 entries/,
      );
      expect(eng.updates).toBe(0);
      expect(same(allParams(eng), before)).toBe(true);
    } finally {
      eng.dispose();
    }
    expect(() => new OnnxPpo(tiny, { kind: 'ppo', clipEps: 0 }, settings, 0, 1)).toThrow(
      /ppo.clipEps must be a number in \(0, 1\)/,
    );
    expect(() => new OnnxPpo(tiny, { kind: 'ppo', clipEps: EPS }, { ...settings, gamma: 1 }, 0, 1)).toThrow(
      /ppo.gamma must be a number in \[0, 1\)/,
    );
    expect(() => new OnnxPpo({ ...tiny, action: [N, 1] }, { kind: 'ppo', clipEps: EPS }, settings, 0, 1)).toThrow(
      /needs a vector action/,
    );
  });
});

// ---------------------------------------------------------------- the ppo-flat networks

describe('PPO on the ppo-flat networks (quick preset, 6 DJIA assets)', () => {
  const c = resolveSampConfig('quick', { ppo: {} });
  const NA = FLAT_ASSETS;
  const BF = 8;
  const env = flatEnv(c);
  const rng = seedrandom('ppo-flat-states');
  const days = Array.from({ length: 3 * BF }, () => 100 + Math.floor(rng() * 150));
  const holdings = days.map(() => {
    const v = Array.from({ length: NA }, () => rng());
    const s = v.reduce((a, x) => a + x, 0);
    return Float32Array.from(v, (x) => x / s);
  });
  const state = (k: number) => ({ x: env.features(days[k]!), wprev: holdings[k]! });
  const stackRows = (rows: Float32Array[]) => {
    const out = new Float32Array(rows.length * rows[0]!.length);
    rows.forEach((r, i) => out.set(r, i * r.length));
    return out;
  };

  /** three minibatches of the learner's own samples, each learned from right after it is drawn */
  const train = (seed: number) => {
    const eng = new OnnxPpo(
      ppoFlatModel(c, NA),
      { kind: 'ppo', clipEps: c.ppo!.clipEps },
      c.ppo!,
      c.ddpg.gradClipNorm,
      seed,
    );
    for (let m = 0; m < 3; m++) {
      const ks = Array.from({ length: BF }, (_, i) => m * BF + i);
      const smp = ks.map((k) => eng.sample(state(k)));
      eng.update({
        s: { x: stackRows(ks.map((k) => state(k).x)), wprev: stackRows(ks.map((k) => state(k).wprev)) },
        u: stackRows(smp.map((x) => x.u)),
        logp: Float32Array.from(smp, (x) => x.logp),
        adv: Float32Array.from(smp, (_, i) => Math.sin(i + m)),
        ret: Float32Array.from(smp, (_, i) => Math.cos(i)),
      });
    }
    return eng;
  };

  it('the same seed gives bit-identical weights (rollout draws included), another seed other weights', () => {
    expect(c.ppo).toEqual(PPO_DEFAULTS);
    withSeedRuns(train, (a, b, o) => {
      expect(a.updates).toBe(3);
      expect(same(allParams(a), allParams(b))).toBe(true);
      expect(maxDiff(a.policyParams(), o.policyParams())).toBeGreaterThan(1e-4);
      expect(maxDiff(a.valueParams(), o.valueParams())).toBeGreaterThan(1e-4);
      // the log-std learned
      expect(Math.max(...a.std().map((s) => Math.abs(s - c.ppo!.initStd)))).toBeGreaterThan(1e-5);
    });
  });

  it('the exported ONNX policy gives the engine deterministic actor outputs to 1e-6', async () => {
    const eng = train(3);
    try {
      const cases = [0, 7, 15].map((k) => {
        const s = state(k);
        return { label: `state ${k}`, s, want: eng.act(s, []) };
      });
      await expectExportedPolicyAgrees(c, eng.actorParams(), cases);
    } finally {
      eng.dispose();
    }
  });
});
