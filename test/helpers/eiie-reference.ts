/**
 * EIIE's portfolio for one period written loop by loop in float64 from the definitions (Jiang, Xu and Liang 2017;
 * docs/drl-baselines.md "EIIE"), for each evaluator: the CNN's two valid convolutions, the tanh RNN's step
 * h = tanh([x_t, h] W + b), the LSTM's step with the textbook sigmoid 1 / (1 + e^-x) and gates i, f, g, o; then the
 * vote over [features, held weight], the cash bias and the softmax. The tests hold the training engine, tfjs and the
 * exported ONNX policy against it (test/agents/eiie.test.ts, test/compute/train-eiie.test.ts).
 */
import { convWidth, type EiieShape } from '../../src-main/agents/eiie/network';

type Params = ReadonlyMap<string, { data: ArrayLike<number> }>;

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** The evaluator's features of one asset's window `w` (n values, oldest first). */
export function evaluatorReference(s: EiieShape, params: Params, w: ArrayLike<number>): number[] {
  const g = (k: string) => params.get(k)!.data;
  const n = s.window;
  const H = s.features;
  if (s.evaluator === 'rnn') {
    const W = g('eiie/rnn/W');
    const b = g('eiie/rnn/b');
    let h = new Array<number>(H).fill(0);
    for (let t = 0; t < n; t++) {
      const v = [w[t]!, ...h];
      h = h.map((_, u) => Math.tanh(v.reduce((a, vr, r) => a + vr * W[r * H + u]!, b[u]!)));
    }
    return h;
  }
  if (s.evaluator === 'lstm') {
    const W = g('eiie/lstm/l0/W');
    const bias = ['bi', 'bf', 'bg', 'bo'].flatMap((k) => Array.from(g(`eiie/lstm/l0/${k}`)));
    let h = new Array<number>(H).fill(0);
    let c = new Array<number>(H).fill(0);
    for (let t = 0; t < n; t++) {
      const v = [w[t]!, ...h];
      const z = bias.map((bj, j) => v.reduce((a, vr, r) => a + vr * W[r * 4 * H + j]!, bj));
      c = c.map((cu, u) => sigmoid(z[H + u]!) * cu + sigmoid(z[u]!) * Math.tanh(z[2 * H + u]!));
      h = c.map((cu, u) => sigmoid(z[3 * H + u]!) * Math.tanh(cu));
    }
    return h;
  }
  const W1 = g('eiie/conv1/W');
  const b1 = g('eiie/conv1/b');
  const W2 = g('eiie/conv2/W');
  const b2 = g('eiie/conv2/b');
  const L1 = convWidth(s);
  const h1: number[] = []; // [t * maps + c]
  for (let t = 0; t < L1; t++)
    for (let c = 0; c < s.convMaps; c++) {
      let v = b1[c]!;
      for (let k = 0; k < s.convKernel; k++) v += w[t + k]! * W1[k * s.convMaps + c]!;
      h1.push(Math.max(0, v));
    }
  return Array.from({ length: H }, (_, f) => {
    let v = b2[f]!;
    for (let j = 0; j < h1.length; j++) v += h1[j]! * W2[j * H + f]!;
    return Math.max(0, v);
  });
}

/** The portfolio [cash, assets] of windows x [N * n] and held risky weights [N]. */
export function eiieReference(
  s: EiieShape,
  params: Params,
  x: ArrayLike<number>,
  held: ArrayLike<number>,
  N: number,
): number[] {
  const Wv = params.get('eiie/vote/W')!.data;
  const scores = [params.get('eiie/cash')!.data[0]!];
  for (let i = 0; i < N; i++) {
    const window = Array.from({ length: s.window }, (_, j) => x[i * s.window + j]!);
    const f = evaluatorReference(s, params, window);
    let score = params.get('eiie/vote/b')!.data[0]! + held[i]! * Wv[s.features]!;
    f.forEach((v, k) => (score += v * Wv[k]!));
    scores.push(score);
  }
  const mx = Math.max(...scores);
  const e = scores.map((v) => Math.exp(v - mx));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}
