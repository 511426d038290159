/**
 * PPN's policy and loss written loop by loop in float64 straight from their definitions (docs/drl-baselines.md
 * "PPN"), independent of the op vocabulary: the LSTM step by step, each causal dilated convolution as the sum over
 * its taps at t, t - d, ..., t - (K - 1) d (nothing before day 1 of the window), the correlational mixing as a sum
 * over the assets, and the cost-sensitive loss over a minibatch. The tests compare the training engine and the
 * exported ONNX policy with it.
 */
import type { ParamValues } from '../../src-main/compute/params';
import { tccbDilation, type PpnShape } from '../../src-main/agents/ppn/network';

const relu = (v: number) => Math.max(0, v);
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** The portfolio [cash, assets] of one period: x [N * n] windows (asset-major), held [N] the risky weights held. */
export function ppnReference(
  s: PpnShape,
  N: number,
  params: ParamValues,
  x: ArrayLike<number>,
  held: ArrayLike<number>,
): number[] {
  const g = (k: string) => {
    const v = params.get(k);
    if (!v) throw new Error(`no parameter ${k}`);
    return v.data;
  };
  const n = s.window;
  const H = s.lstmHidden;
  const K = s.tccbKernel;

  // sequential branch: one LSTM per asset (shared weights), last hidden state
  const W = g('ppn/lstm/l0/W');
  const bias = [...g('ppn/lstm/l0/bi'), ...g('ppn/lstm/l0/bf'), ...g('ppn/lstm/l0/bg'), ...g('ppn/lstm/l0/bo')];
  const seq: number[][] = [];
  for (let i = 0; i < N; i++) {
    let h = new Array<number>(H).fill(0);
    let c = new Array<number>(H).fill(0);
    for (let t = 0; t < n; t++) {
      const input = [x[i * n + t]!, ...h];
      const z = bias.map((b, col) => input.reduce((a, v, row) => a + v * W[row * 4 * H + col]!, b));
      const gi = z.slice(0, H).map(sigmoid);
      const gf = z.slice(H, 2 * H).map(sigmoid);
      const gg = z.slice(2 * H, 3 * H).map(Math.tanh);
      const go = z.slice(3 * H).map(sigmoid);
      c = c.map((cv, u) => gf[u]! * cv + gi[u]! * gg[u]!);
      h = c.map((cv, u) => go[u]! * Math.tanh(cv));
    }
    seq.push(h);
  }

  // correlation branch: h[i][t][c]
  let hs: number[][][] = Array.from({ length: N }, (_, i) => Array.from({ length: n }, (_, t) => [x[i * n + t]!]));
  let cin = 1;
  const conv = (prefix: string, inp: number[][][], ci: number, co: number, d: number) => {
    const taps = g(`${prefix}/taps`);
    const mw = g(`${prefix}/mix/W`);
    const mb = g(`${prefix}/mix/b`);
    return inp.map((rows) =>
      rows.map((_, t) => {
        const dw = Array.from({ length: ci }, (_, c) => {
          let v = 0;
          for (let j = 0; j < K; j++) {
            const src = t - (K - 1 - j) * d;
            if (src >= 0) v += taps[j * ci + c]! * rows[src]![c]!;
          }
          return v;
        });
        return Array.from({ length: co }, (_, o) => relu(dw.reduce((a, v, c) => a + v * mw[c * co + o]!, mb[o]!)));
      }),
    );
  };
  s.tccbChannels.forEach((cout, k) => {
    const p = `ppn/tccb${k}`;
    const d = tccbDilation(k);
    const a = conv(`${p}/conv1`, hs, cin, cout, d);
    const b = conv(`${p}/conv2`, a, cout, cout, d);
    const A = g(`${p}/corr/assets`);
    const CW = g(`${p}/corr/W`);
    const cb = g(`${p}/corr/b`);
    const byChannel = b.map((rows) =>
      rows.map((v) => Array.from({ length: cout }, (_, o) => v.reduce((acc, u, c) => acc + u * CW[c * cout + o]!, 0))),
    );
    const res = cin === cout ? hs : null;
    const rw = cin === cout ? null : g(`${p}/res/W`);
    const rb = cin === cout ? null : g(`${p}/res/b`);
    hs = Array.from({ length: N }, (_, i) =>
      Array.from({ length: n }, (_, t) =>
        Array.from({ length: cout }, (_, o) => {
          let mix = cb[o]!;
          for (let j = 0; j < N; j++) mix += A[j * N + i]! * byChannel[j]![t]![o]!;
          const r = res ? res[i]![t]![o]! : hs[i]![t]!.reduce((acc, v, c) => acc + v * rw![c * cout + o]!, rb![o]!);
          return relu(r + relu(mix));
        }),
      ),
    );
    cin = cout;
  });
  const F = s.corrFeatures;
  const colW = g('ppn/collapse/W');
  const colB = g('ppn/collapse/b');
  const corr = hs.map((rows) => {
    const flat = rows.flat();
    return Array.from({ length: F }, (_, q) => relu(flat.reduce((a, v, r) => a + v * colW[r * F + q]!, colB[q]!)));
  });

  // decision: [corr, seq, held] -> score, cash bias, softmax
  const V = g('ppn/vote/W');
  const vb = g('ppn/vote/b')[0]!;
  const scores = [g('ppn/cash')[0]!];
  for (let i = 0; i < N; i++) {
    const feat = [...corr[i]!, ...seq[i]!, held[i]!];
    scores.push(feat.reduce((a, v, r) => a + v * V[r]!, vb));
  }
  const mx = Math.max(...scores);
  const e = scores.map((v) => Math.exp(v - mx));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/** The loss of the update over a minibatch: x [B * N * n], held and y [B * (N + 1)] cash first. */
export function ppnReferenceLoss(
  s: PpnShape,
  N: number,
  B: number,
  params: ParamValues,
  x: ArrayLike<number>,
  held: ArrayLike<number>,
  y: ArrayLike<number>,
  o: { costRate: number; turnoverWeight: number; riskWeight: number },
): number {
  const r: number[] = [];
  const traded: number[] = [];
  const n = s.window;
  for (let b = 0; b < B; b++) {
    const h = Array.from({ length: N + 1 }, (_, i) => held[b * (N + 1) + i]!);
    const xs = Array.from({ length: N * n }, (_, i) => x[b * N * n + i]!);
    const w = ppnReference(s, N, params, xs, h.slice(1));
    let tr = 0;
    let growth = 0;
    for (let i = 0; i <= N; i++) {
      growth += w[i]! * y[b * (N + 1) + i]!;
      if (i > 0) tr += Math.abs(w[i]! - h[i]!);
    }
    traded.push(tr);
    r.push(Math.log((1 - o.costRate * tr) * growth));
  }
  const mean = (v: number[]) => v.reduce((a, c) => a + c, 0) / v.length;
  const mr = mean(r);
  return -mr + o.turnoverWeight * mean(traded) + o.riskWeight * mean(r.map((v) => (v - mr) ** 2));
}
