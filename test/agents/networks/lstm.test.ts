/**
 * The LSTM building block (src-main/agents/networks/lstm.ts): its forward pass against a float64 reference written
 * here from the textbook equations (sigmoid as 1 / (1 + e^-x), gates i, f, g, o), the three implementations of the
 * op vocabulary against each other, the training engine's gradient against finite differences of the reference,
 * its initialisation and refusals, and a small regressor trained on the engine that forecasts a noisy sine better
 * than the last value does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { loadTf } from '../../../src-main/compute/backend';
import { dense, type Ops } from '../../../src-main/compute/ops';
import { denseSpecs, initParams, type ParamSpec, type ParamValues } from '../../../src-main/compute/params';
import { tfjsAdam } from '../../../src-main/compute/train/adam';
import {
  adamFeeds,
  finishGraph,
  flatten,
  meanAll,
  openGraph,
  optimiserStep,
  total,
} from '../../../src-main/compute/train/common';
import { Graph, Tape } from '../../../src-main/compute/train/graph';
import { paramBlock, TrainOps } from '../../../src-main/compute/train/ops';
import {
  LSTM_FORGET_BIAS,
  lstmLayerSpecs,
  lstmSpecs,
  lstmStack,
  type LstmConfig,
} from '../../../src-main/agents/networks/lstm';
import {
  dot,
  engineGradient,
  finiteDifferences,
  lossWeights,
  maxAbsDiff,
  randomParams,
  runEngineForward,
  runOnnxExport,
  runTfjs,
  uniform,
  unflatten64,
  type Forward,
  type TestInput,
} from './helpers';

let tf: typeof tfType;
beforeAll(async () => {
  tf = (await loadTf()).tf;
});

// ---------------------------------------------------------------- float64 reference

type P64 = ReadonlyMap<string, ArrayLike<number>>;
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * One layer over x [B, L, n] (flat), from h = c = 0: z = [x_t, h] W + [bi, bf, bg, bo]; i, f, o = sigmoid,
 * g = tanh; c = f c + i g; h = o tanh(c). Gives outputs [B, L, H] and the last h, c [B, H] (flat).
 */
function refLayer(p: P64, prefix: string, x: ArrayLike<number>, B: number, L: number, n: number, H: number) {
  const W = p.get(`${prefix}/W`)!;
  const bias = ['bi', 'bf', 'bg', 'bo'].flatMap((k) => Array.from(p.get(`${prefix}/${k}`)!));
  const outs = new Float64Array(B * L * H);
  const hL = new Float64Array(B * H);
  const cL = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    let h = new Array<number>(H).fill(0);
    let c = new Array<number>(H).fill(0);
    for (let t = 0; t < L; t++) {
      const v = [...Array.from({ length: n }, (_, k) => x[(b * L + t) * n + k]!), ...h];
      const z = bias.map((bj, j) => v.reduce((s, vr, r) => s + vr * W[r * 4 * H + j]!, bj));
      c = c.map((cu, u) => sigmoid(z[H + u]!) * cu + sigmoid(z[u]!) * Math.tanh(z[2 * H + u]!));
      h = c.map((cu, u) => sigmoid(z[3 * H + u]!) * Math.tanh(cu));
      outs.set(h, (b * L + t) * H);
    }
    hL.set(h, b * H);
    cL.set(c, b * H);
  }
  return { outs, h: hL, c: cL };
}

/** The stack: layer k reads layer k-1's outputs times mask k-1 (masks [B, L, H] flat, or none). */
function refStack(p: P64, cfg: LstmConfig, x: ArrayLike<number>, B: number, masks: ArrayLike<number>[] = []) {
  let seq: ArrayLike<number> = x;
  const last: { h: Float64Array; c: Float64Array }[] = [];
  for (let k = 0; k < cfg.layers; k++) {
    const m = masks[k - 1];
    if (k > 0 && m) seq = Array.from(seq, (v, i) => v * m[i]!);
    const r = refLayer(p, `lstm/l${k}`, seq, B, cfg.length, k === 0 ? cfg.inDim : cfg.hidden, cfg.hidden);
    seq = r.outs;
    last.push({ h: r.h, c: r.c });
  }
  return { outputs: seq, last };
}

const asP64 = (p: ParamValues): P64 => new Map([...p].map(([k, v]) => [k, v.data]));

/** The stack as a network under test: inputs x and masks m0.., outputs `outputs`, `h<k>`, `c<k>`. */
function stackForward(cfg: LstmConfig, masked: boolean): Forward {
  return <T>(ops: Ops<T>, i: Record<string, T>) => {
    const masks = masked ? Array.from({ length: cfg.layers - 1 }, (_, k) => i[`m${k}`]!) : undefined;
    const r = lstmStack(ops, cfg, i.x!, 'lstm', masks);
    const out: Record<string, T> = { outputs: r.outputs };
    r.last.forEach((s, k) => {
      out[`h${k}`] = s.h;
      out[`c${k}`] = s.c;
    });
    return out;
  };
}

/** A fed dropout mask: each entry 0 with probability `rate`, else 1 / (1 - rate). */
function dropMask(n: number, rate: number, rng: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng() < rate ? 0 : 1 / (1 - rate)));
}

// ---------------------------------------------------------------- forward

describe('LSTM forward', () => {
  const cfg: LstmConfig = { length: 2, inDim: 1, hidden: 2, layers: 1 };
  const specs = lstmSpecs(cfg, 'lstm');
  const x: TestInput = { name: 'x', shape: [1, 2, 1], data: Float32Array.of(0.8, -0.5), batched: true };
  const outRanks = { outputs: 3, h0: 2, c0: 2 };

  /** The three implementations' outputs. */
  async function allThree(p: ParamValues) {
    const f = stackForward(cfg, false);
    return {
      tfjs: runTfjs(tf, p, [x], f),
      onnx: await runOnnxExport(p, [x], outRanks, f),
      engine: runEngineForward(specs, p, [x], Object.keys(outRanks), f),
    };
  }

  it('by hand: with W = 0 the gates are the biases, taken in the order i, f, g, o, from the zero state', async () => {
    const p = initParams(specs, 1);
    p.get('lstm/l0/W')!.data.fill(0);
    const bias = { bi: [0.5, -1], bf: [1, 2], bg: [0.3, -0.7], bo: [-0.2, 0.4] };
    for (const [k, v] of Object.entries(bias)) p.get(`lstm/l0/${k}`)!.data.set(v);
    // per unit u: i = s(bi), f = s(bf), g = tanh(bg), o = s(bo); c1 = i g, c2 = f c1 + i g, h = o tanh(c)
    const want = { c1: [0, 0], c2: [0, 0], h1: [0, 0], h2: [0, 0] };
    for (let u = 0; u < 2; u++) {
      const i = sigmoid(bias.bi[u]!);
      const f = sigmoid(bias.bf[u]!);
      const g = Math.tanh(bias.bg[u]!);
      const o = sigmoid(bias.bo[u]!);
      want.c1[u] = i * g;
      want.c2[u] = f * i * g + i * g;
      want.h1[u] = o * Math.tanh(want.c1[u]!);
      want.h2[u] = o * Math.tanh(want.c2[u]!);
    }
    for (const got of Object.values(await allThree(p))) {
      expect(maxAbsDiff(got.outputs!, [...want.h1, ...want.h2])).toBeLessThan(1e-6);
      expect(maxAbsDiff(got.h0!, want.h2)).toBeLessThan(1e-6);
      expect(maxAbsDiff(got.c0!, want.c2)).toBeLessThan(1e-6);
    }
  });

  it('a 2-step sequence of 2 units matches the float64 reference to 1e-6 in all three implementations', async () => {
    const p = initParams(specs, 2);
    // rows: x_t, then h_{t-1} of units 0 and 1; columns: i, f, g, o, two units each
    p.get('lstm/l0/W')!.data.set(
      [
        [0.9, -0.6, 0.4, 0.7, 1.2, -0.8, 0.5, 1.1],
        [1.5, -1.2, 0.8, -0.9, 1.3, 0.6, -1.4, 0.7],
        [-1.1, 0.9, 1.4, -0.5, -0.7, 1.6, 1.0, -1.3],
      ].flat(),
    );
    p.get('lstm/l0/bi')!.data.set([0.2, -0.3]);
    p.get('lstm/l0/bg')!.data.set([0.1, 0.4]);
    p.get('lstm/l0/bo')!.data.set([0.3, -0.2]);
    const want = refStack(asP64(p), cfg, x.data, 1);
    // the recurrence matters here: without W's rows that read h, the second step differs
    const noRecurrence = new Map(asP64(p));
    noRecurrence.set(
      'lstm/l0/W',
      Array.from(p.get('lstm/l0/W')!.data, (v, i) => (i < 8 ? v : 0)),
    );
    expect(maxAbsDiff(refStack(noRecurrence, cfg, x.data, 1).outputs, want.outputs)).toBeGreaterThan(0.01);
    for (const got of Object.values(await allThree(p))) {
      expect(maxAbsDiff(got.outputs!, want.outputs)).toBeLessThan(1e-6);
      expect(maxAbsDiff(got.h0!, want.last[0]!.h)).toBeLessThan(1e-6);
      expect(maxAbsDiff(got.c0!, want.last[0]!.c)).toBeLessThan(1e-6);
    }
  });

  it('tfjs, the ONNX export and the training engine agree to 1e-5 on a random 2-layer stack with dropout masks', async () => {
    const big: LstmConfig = { length: 7, inDim: 3, hidden: 5, layers: 2 };
    const B = 4;
    const rng = seedrandom('lstm-agree');
    const p = randomParams(lstmSpecs(big, 'lstm'), 3);
    const inputs: TestInput[] = [
      { name: 'x', shape: [B, 7, 3], data: uniform(B * 7 * 3, rng, 2), batched: true },
      { name: 'm0', shape: [B, 7, 5], data: dropMask(B * 7 * 5, 0.3, rng), batched: true },
    ];
    const f = stackForward(big, true);
    const ranks = { outputs: 3, h0: 2, c0: 2, h1: 2, c1: 2 };
    const tfjs = runTfjs(tf, p, inputs, f);
    const onnx = await runOnnxExport(p, inputs, ranks, f);
    const engine = runEngineForward(lstmSpecs(big, 'lstm'), p, inputs, Object.keys(ranks), f);
    const ref = refStack(asP64(p), big, inputs[0]!.data, B, [inputs[1]!.data]);
    for (const k of Object.keys(ranks)) {
      expect(maxAbsDiff(onnx[k]!, tfjs[k]!), k).toBeLessThan(1e-5);
      expect(maxAbsDiff(engine[k]!, tfjs[k]!), k).toBeLessThan(1e-5);
    }
    expect(maxAbsDiff(tfjs.outputs!, ref.outputs)).toBeLessThan(1e-5);
    expect(maxAbsDiff(tfjs.c0!, ref.last[0]!.c)).toBeLessThan(1e-5);
    // the mask reaches the second layer: an all-ones mask gives other outputs
    const unmasked = refStack(asP64(p), big, inputs[0]!.data, B, [new Float32Array(B * 7 * 5).fill(1)]);
    expect(maxAbsDiff(tfjs.outputs!, unmasked.outputs)).toBeGreaterThan(1e-2);
  });
});

// ---------------------------------------------------------------- gradients

describe('LSTM gradients on the training engine', () => {
  it('every parameter of a 2-layer stack, through all steps and the dropout mask, matches finite differences of the float64 reference', () => {
    const cfg: LstmConfig = { length: 5, inDim: 2, hidden: 3, layers: 2 };
    const B = 2;
    const specs = lstmSpecs(cfg, 'lstm');
    const p = randomParams(specs, 4);
    const rng = seedrandom('lstm-grad');
    // a [B, 1, H] mask: the same units dropped at every step (unit 1 in both samples)
    const mask = Float32Array.of(1.25, 0, 1.25, 1.25, 0, 1.25);
    const inputs: TestInput[] = [
      { name: 'x', shape: [B, 5, 2], data: uniform(B * 5 * 2, rng, 1.5), batched: true },
      { name: 'm0', shape: [B, 1, 3], data: mask, batched: true },
    ];
    // the loss reads only the last states, so every gradient comes back through all five steps
    const R = lossWeights({ h1: [B, 3], c0: [B, 3] });
    const got = engineGradient(specs, p, inputs, R, stackForward(cfg, true));
    const perStep = Array.from({ length: B * 5 * 3 }, (_, i) => mask[Math.floor(i / 15) * 3 + (i % 3)]!);
    const loss = (flat: Float64Array) => {
      const r = refStack(unflatten64(specs, flat), cfg, inputs[0]!.data, B, [perStep]);
      return dot(r.last[1]!.h, R.h1!) + dot(r.last[0]!.c, R.c0!);
    };
    const flat = Float64Array.from(flatten(specs, p, 'test'));
    const all = Array.from({ length: flat.length }, (_, i) => i);
    const want = finiteDifferences(loss, flat, all);
    // tolerance 1e-5 of the largest entry: the engine works in float32 (rounding 6e-8 per op, a few hundred ops
    // on each path here: about 1e-7 relative, as measured), finite differences of the float64 reference with
    // step 1e-6 are good to about 1e-10; a wrong gradient rule or a step left out is off by far more.
    const scale = Math.max(...want.map(Math.abs));
    expect(scale).toBeGreaterThan(0.1);
    for (let i = 0; i < all.length; i++)
      expect(Math.abs(got[i]! - want[i]!), `parameter ${i}`).toBeLessThan(1e-5 * scale);
    // unit 1 of the first layer is dropped in every sample, so the second layer's row of W reading it gets none
    const w1 = specs.findIndex((s) => s.name === 'lstm/l1/W');
    const o = specs.slice(0, w1).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0) + 1 * 12;
    expect(Array.from(got.subarray(o, o + 12))).toEqual(new Array(12).fill(0));
    expect(Array.from(got.subarray(o + 12, o + 24)).some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });
});

// ---------------------------------------------------------------- specs and refusals

describe('LSTM parameters and refusals', () => {
  it('W is Glorot over [in + H, 4H]; the biases start at 0 except the forget gate at 1', () => {
    const specs = lstmLayerSpecs('l', 3, 4);
    expect(specs.map((s) => [s.name, s.shape])).toEqual([
      ['l/W', [7, 16]],
      ['l/bi', [4]],
      ['l/bf', [4]],
      ['l/bg', [4]],
      ['l/bo', [4]],
    ]);
    const p = initParams(specs, 9);
    expect(Array.from(p.get('l/bf')!.data)).toEqual([LSTM_FORGET_BIAS, 1, 1, 1]);
    for (const k of ['l/bi', 'l/bg', 'l/bo']) expect(Array.from(p.get(k)!.data)).toEqual([0, 0, 0, 0]);
    const limit = Math.sqrt(6 / (7 + 16));
    const w = Array.from(p.get('l/W')!.data);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.8 * limit);
    // a stack's second layer reads H inputs
    expect(
      lstmSpecs({ length: 3, inDim: 3, hidden: 4, layers: 2 }, 's').find((s) => s.name === 's/l1/W')!.shape,
    ).toEqual([8, 16]);
  });

  it('refuses a bad shape or the wrong number of dropout masks, saying which', () => {
    expect(() => lstmSpecs({ length: 0, inDim: 1, hidden: 2, layers: 1 }, 'x')).toThrow(
      /length must be a positive integer, got 0/,
    );
    expect(() => lstmSpecs({ length: 3, inDim: 1, hidden: 2.5, layers: 1 }, 'x')).toThrow(/hidden/);
    const cfg: LstmConfig = { length: 2, inDim: 1, hidden: 2, layers: 3 };
    const g = new Graph();
    const ops = new TrainOps(
      g,
      paramBlock(g, lstmSpecs(cfg, 'lstm'), g.input('p', [total(lstmSpecs(cfg, 'lstm'))]), null),
    );
    const x = g.input('x', [1, 2, 1]);
    expect(() => lstmStack(ops, cfg, x, 'lstm', [g.input('m', [1, 2, 2])])).toThrow(
      /3 layers take 2 dropout masks \(one per gap between layers\), got 1/,
    );
  });
});

// ---------------------------------------------------------------- training

describe('LSTM training on the engine', () => {
  it('a one-layer regressor learns the next value of a noisy sine better than the last value predicts it', () => {
    const L = 12;
    const cfg: LstmConfig = { length: L, inDim: 1, hidden: 8, layers: 1 };
    const specs: ParamSpec[] = [...lstmSpecs(cfg, 'lstm'), ...denseSpecs('head', 8, 1)];
    const predict = <T>(ops: Ops<T>, x: T) => dense(ops, 'head', lstmStack(ops, cfg, x, 'lstm').last[0]!.h); // [B, 1]

    // s_t = sin(2 pi t / 16) + 0.1 e_t, e_t standard normal (seeded)
    const rng = seedrandom('noisy-sine');
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const series = Array.from({ length: 700 }, (_, t) => Math.sin((2 * Math.PI * t) / 16) + 0.1 * normal());
    // window ending at t -> s_{t+1}; training windows end before 500, test windows after
    const windows = (from: number, to: number) => {
      const ends = Array.from({ length: to - from }, (_, i) => from + i);
      return {
        n: ends.length,
        x: Float32Array.from(ends.flatMap((t) => series.slice(t - L + 1, t + 1))),
        y: Float32Array.from(ends.map((t) => series[t + 1]!)),
        last: ends.map((t) => series[t]!),
      };
    };
    const train = windows(L - 1, 499);
    const test = windows(510, 699);

    const B = 32;
    const lr = 1e-2;
    const g = new Graph();
    const P = total(specs);
    const pIn = g.input('params', [P]);
    const mIn = g.input('adam_m', [P]);
    const vIn = g.input('adam_v', [P]);
    const params = paramBlock(g, specs, pIn, new Tape('lstm'));
    const ops = new TrainOps(g, params);
    const err = ops.sub(predict(ops, g.input('x', [B, L, 1])), g.input('y', [B, 1]));
    const loss = meanAll(ops, ops.mul(err, err));
    const step = optimiserStep(g, specs, params, loss, {
      lr,
      clip: 1,
      p: pIn,
      m: mIn,
      v: vIn,
      c1: g.input('adam_c1', []),
      c2: g.input('adam_c2', []),
    });
    g.output('params_next', step.p);
    g.output('adam_m_next', step.m);
    g.output('adam_v_next', step.v);
    const update = openGraph(finishGraph(g, 'lstm_update', 'noisy sine regressor'), {});

    const fg = new Graph();
    const fops = new TrainOps(fg, paramBlock(fg, specs, fg.input('params', [P]), null));
    fg.output('y', predict(fops, fg.input('x', [test.n, L, 1])));
    const forward = openGraph(finishGraph(fg, 'lstm_forward', 'noisy sine forecasts'), {});

    let p: Float32Array = flatten(specs, initParams(specs, 7), 'regressor');
    let m: Float32Array = new Float32Array(P);
    let v: Float32Array = new Float32Array(P);
    const pick = seedrandom('minibatches');
    try {
      for (let t = 1; t <= 400; t++) {
        const rows = Array.from({ length: B }, () => Math.floor(pick() * train.n));
        const out = update.run({
          params: p,
          adam_m: m,
          adam_v: v,
          ...adamFeeds(tfjsAdam(lr), t, 1),
          x: Float32Array.from(rows.flatMap((r) => Array.from(train.x.subarray(r * L, (r + 1) * L)))),
          y: Float32Array.from(rows.map((r) => train.y[r]!)),
        });
        p = out.params_next!;
        m = out.adam_m_next!;
        v = out.adam_v_next!;
      }
      const yhat = forward.run({ params: p, x: test.x }).y!;
      const mse = (f: (i: number) => number) =>
        Array.from({ length: test.n }, (_, i) => (f(i) - test.y[i]!) ** 2).reduce((a, b) => a + b, 0) / test.n;
      const lstm = mse((i) => yhat[i]!);
      const lastValue = mse((i) => test.last[i]!);
      // last value: the sine's own step (about 0.076) plus twice the noise variance (0.02); the best forecast
      // leaves about the noise variance, 0.01
      expect(lastValue).toBeGreaterThan(0.07);
      expect(lstm).toBeLessThan(0.3 * lastValue);
    } finally {
      update.dispose();
      forward.dispose();
    }
  });
});
