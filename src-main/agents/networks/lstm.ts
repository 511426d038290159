/**
 * A long short-term memory layer (Hochreiter and Schmidhuber 1997, with the forget gate of Gers et al. 2000) and a
 * stack of them, written once against the op vocabulary (compute/ops.ts), so one definition trains on the ONNX
 * training engine, runs in tfjs and exports to ONNX. It is the recurrent building block of the MPLS volatility
 * module (issue 19: two layers of 64 units, dropout 0.3 between them) and the PPN's recurrent branch (issue 21).
 *
 * One layer over a batch-first sequence x [B, L, in], from the zero state h = c = 0:
 *   z_t = [x_t, h_{t-1}] W + b                     W [in + H, 4H], b [4H]: one matrix product per step
 *   i, f, g, o = the four H-wide blocks of z_t in that order (PyTorch's nn.LSTM order), as
 *   i = sigma(z_i), f = sigma(z_f), g = tanh(z_g), o = sigma(z_o)
 *   c_t = f * c_{t-1} + i * g;  h_t = o * tanh(c_t)
 * giving every h_t as outputs [B, L, H] and the last state (h_L, c_L), each [B, H]. Rows 0..in-1 of W read x_t,
 * the next H rows read h_{t-1}; columns k H .. (k + 1) H - 1 feed gate k.
 *
 * How it is written with the vocabulary's ops only:
 *   - the sequence is unrolled over its length L, which is fixed when the graph is built (the window);
 *   - sigma(x) = 0.5 (tanh(x / 2) + 1), so all four gates come from ONE tanh over z_t: tanh(z_t * s) * s + s0 with
 *     s = 1/2 and s0 = 1/2 on the sigmoid blocks and s = 1, s0 = 0 on g (tanh has a gradient rule everywhere);
 *   - there is no slice op, so a time step or a gate block is picked by multiplying with a constant one-hot vector
 *     along its axis and summing that axis (exact: every other term is a product with 0);
 *     picking a step reads the whole sequence, B L in products, small beside the step's B (in + H) 4H for the
 *     windows of tens of days used here (two layers of 64 units over 60 days, minibatch 64: 7,700 nodes forward
 *     and backward, about 70 ms a pass on the CPU provider of this 2-core machine);
 *   - the zero first state is x_0 times a zero matrix, which has the batch's size without the batch being known.
 *
 * Parameters of a layer `p` (spec order): `p/W` [in + H, 4H], Glorot uniform over the whole matrix (fan in
 * in + H, fan out 4H, as Keras's kernel; no orthogonal recurrent block, compute/params.ts has no such
 * initialiser and the windows here are short), and the bias as four vectors [H] joined in gate order, `p/bi`,
 * `p/bf`, `p/bg`, `p/bo`: zeros except the forget gate's, which starts at 1 (Gers et al. 2000; Jozefowicz et al.
 * 2015): the cell then keeps most of its content at the start of training, so the gradient reaches the early
 * steps of the window instead of being halved at every step by f = sigma(0) = 1/2. Four vectors rather than one
 * because each initialiser fills a whole parameter.
 *
 * A stack (`lstmStack`) feeds each layer's outputs to the next (`${prefix}/l<k>` for layer k); in training graphs
 * an optional fed dropout mask per gap between layers multiplies the sequence that crosses it (as PyTorch's
 * `dropout` argument: not after the last layer). A mask holds 0 or 1 / (1 - rate) per unit (inverted dropout, as
 * the HADAPS MLP's masks, agents/hadaps/network.ts) and broadcasts against [B, L, H]: [B, L, H] drops each step
 * on its own, [B, 1, H] the same units at every step.
 */
import type { Ops } from '../../compute/ops';
import type { ParamSpec } from '../../compute/params';

/** The gate blocks of z_t, in the order their columns sit in W and b (PyTorch's). */
export const LSTM_GATES = ['i', 'f', 'g', 'o'] as const;

/** The forget gate's starting bias (file overview: why 1). */
export const LSTM_FORGET_BIAS = 1;

/** Shape of an LSTM stack. */
export interface LstmConfig {
  /** L, time steps of every input sequence (the window); the graph is unrolled over them */
  length: number;
  /** features of each time step of the input */
  inDim: number;
  /** H, units of every layer */
  hidden: number;
  /** stacked layers (1: a single LSTM layer) */
  layers: number;
}

/** The last state of one layer. */
export interface LstmState<T> {
  /** h_L [B, H] (equal to the last step of the layer's outputs) */
  h: T;
  /** c_L [B, H] */
  c: T;
}

const positiveInt = (v: number) => Number.isInteger(v) && v >= 1;

/** Refuse a config no graph can be built for, naming the setting. */
export function checkLstmConfig(cfg: LstmConfig): void {
  for (const k of ['length', 'inDim', 'hidden', 'layers'] as const)
    if (!positiveInt(cfg[k])) throw new RangeError(`lstm: ${k} must be a positive integer, got ${cfg[k]}`);
}

/** Parameter specs of one layer over `inDim` inputs with `hidden` units, names `${prefix}/...` (file overview). */
export function lstmLayerSpecs(prefix: string, inDim: number, hidden: number): ParamSpec[] {
  const rows = inDim + hidden;
  return [
    { name: `${prefix}/W`, shape: [rows, 4 * hidden], init: { kind: 'glorot', fanIn: rows, fanOut: 4 * hidden } },
    ...LSTM_GATES.map((gate): ParamSpec => ({
      name: `${prefix}/b${gate}`,
      shape: [hidden],
      init: gate === 'f' ? { kind: 'constant', value: LSTM_FORGET_BIAS } : { kind: 'zeros' },
    })),
  ];
}

/** Parameter specs of a stack: layer k as `${prefix}/l<k>`. */
export function lstmSpecs(cfg: LstmConfig, prefix: string): ParamSpec[] {
  checkLstmConfig(cfg);
  return Array.from({ length: cfg.layers }, (_, k) =>
    lstmLayerSpecs(`${prefix}/l${k}`, k === 0 ? cfg.inDim : cfg.hidden, cfg.hidden),
  ).flat();
}

/**
 * Entry `index` along axis 1 of x [B, count, ...rest] (rest of `trailing` axes): x times a one-hot, summed. The
 * plain RNN (rnn.ts) picks its time steps with it too.
 */
export function pick<T>(ops: Ops<T>, x: T, index: number, count: number, trailing: number): T {
  const shape = [count, ...Array<number>(trailing).fill(1)];
  const hot = new Float32Array(count);
  hot[index] = 1;
  return ops.sum(ops.mul(x, ops.constant(`onehot:${count}:${index}:${trailing}`, hot, shape)), 1, false);
}

/**
 * One LSTM layer (file overview) over x [B, length, inDim] from the zero state, parameters `${prefix}/...`.
 * Gives every step's h as outputs [B, length, hidden] and the last state.
 */
export function lstmLayer<T>(
  ops: Ops<T>,
  prefix: string,
  x: T,
  length: number,
  inDim: number,
  hidden: number,
): { outputs: T; last: LstmState<T> } {
  checkLstmConfig({ length, inDim, hidden, layers: 1 });
  const H = hidden;
  const W = ops.param(`${prefix}/W`);
  const b = ops.concat(
    LSTM_GATES.map((gate) => ops.param(`${prefix}/b${gate}`)),
    0,
  );
  // tanh(z s) s + s0 gives sigma on the i, f, o blocks and tanh on g
  const scale = new Float32Array(4 * H).fill(0.5);
  const shift = new Float32Array(4 * H).fill(0.5);
  const g0 = LSTM_GATES.indexOf('g') * H;
  scale.fill(1, g0, g0 + H);
  shift.fill(0, g0, g0 + H);
  const s = ops.constant(`lstm:scale:${H}`, scale, [4 * H]);
  const s0 = ops.constant(`lstm:shift:${H}`, shift, [4 * H]);
  const gate = (a: T, name: (typeof LSTM_GATES)[number]) => pick(ops, a, LSTM_GATES.indexOf(name), 4, 1);

  let h: T | null = null;
  let c: T | null = null;
  const hs: T[] = [];
  for (let t = 0; t < length; t++) {
    const xt = pick(ops, x, t, length, 1); // [B, in]
    const hPrev = h ?? ops.matMul(xt, ops.constant(`zeros:${inDim}x${H}`, new Float32Array(inDim * H), [inDim, H]));
    const z = ops.add(ops.matMul(ops.concat([xt, hPrev], 1), W), b); // [B, 4H]
    const a = ops.reshape(ops.add(ops.mul(ops.tanh(ops.mul(z, s)), s), s0), [-1, 4, H]);
    const ig = ops.mul(gate(a, 'i'), gate(a, 'g'));
    c = c === null ? ig : ops.add(ops.mul(gate(a, 'f'), c), ig);
    h = ops.mul(gate(a, 'o'), ops.tanh(c));
    hs.push(ops.reshape(h, [-1, 1, H]));
  }
  return { outputs: hs.length === 1 ? hs[0]! : ops.concat(hs, 1), last: { h: h!, c: c! } };
}

/**
 * A stack of `cfg.layers` LSTM layers over x [B, length, inDim], parameters `${prefix}/l<k>/...`. `dropout`, when
 * given, holds one fed mask per gap between layers (layers - 1 of them, each broadcasting against [B, length,
 * hidden]; file overview). Gives the last layer's outputs [B, length, hidden] and every layer's last state.
 */
export function lstmStack<T>(
  ops: Ops<T>,
  cfg: LstmConfig,
  x: T,
  prefix: string,
  dropout?: readonly T[],
): { outputs: T; last: LstmState<T>[] } {
  checkLstmConfig(cfg);
  if (dropout && dropout.length !== cfg.layers - 1)
    throw new RangeError(
      `lstm: ${cfg.layers} layers take ${cfg.layers - 1} dropout masks (one per gap between layers), got ${dropout.length}`,
    );
  let seq = x;
  const last: LstmState<T>[] = [];
  for (let k = 0; k < cfg.layers; k++) {
    if (k > 0 && dropout) seq = ops.mul(seq, dropout[k - 1]!);
    const r = lstmLayer(ops, `${prefix}/l${k}`, seq, cfg.length, k === 0 ? cfg.inDim : cfg.hidden, cfg.hidden);
    seq = r.outputs;
    last.push(r.last);
  }
  return { outputs: seq, last };
}
