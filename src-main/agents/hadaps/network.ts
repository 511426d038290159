/**
 * HADAPS's networks (docs/hadaps.md "Networks"), written once against the op vocabulary:
 *
 *   MLP layer        h = Dropout(ReLU(BN(Linear(x))))  five times (widths `hidden`, the paper's 256..16)
 *   policy layer     mu = tanh(Linear(MLP(x)))  — the Gaussian's mean; a sample u = mu + sigma eps (SAC) or mu
 *   inter-class      on the volatility state of every asset and the class weights held -> mu_inter [C]
 *   intra-class c    on the price states of the class's assets and their weights held -> mu_c [n_c]; a class of
 *                    one asset has no layer (its weight inside the class is 1)
 *   weights          class = softmax(beta u_inter), inside c = softmax(beta u_c), asset i of class c:
 *                    w_i = class_c x inside_c,i; cash is the last class and has no assets (w_cash = class_cash)
 *   flat (ablation)  one layer on both states and every weight held -> softmax(beta u) over the assets and cash
 *   critic           Q(s, w) = Linear(ReLU(concat(MLP_s(s), MLP_w(w))))  (the paper's action and state branches)
 * The ablations 'intra-only' and 'inter-only' replace the inter-class layer by equal class weights, or the
 * intra-class layers by equal weights inside each class.
 *
 * Batch norm has two forms. In training (`mlpTrain`, TrainOps only) it normalises by the minibatch's mean and
 * (biased) variance and reports them, so the update graph keeps running estimates (PyTorch's rule: running =
 * (1 - momentum) running + momentum batch, the unbiased variance); dropout multiplies by fed masks. For
 * decisions (`mlpInfer`, any Ops: the acting graph, the exported ONNX policy) each layer is Linear, then
 * x * scale + shift with scale = gamma / sqrt(running var + eps) and shift = beta - running mean * scale
 * ({@link inferValues}), then ReLU, and no dropout — the running statistics are folded into two vectors, which
 * is exactly batch norm in evaluation mode. The critics are only ever run inside an update; by default they
 * normalise each sample's features (layer norm) rather than over the minibatch, and have no dropout (config.ts
 * criticNorm and docs/hadaps.md say why); with batch norm they use the minibatch's statistics and keep none.
 *
 * The policy returns the risky weights [B, N] (cash is what they leave), the portfolio the environment and the
 * critic read; class weights follow from them exactly (`classWeights`).
 */
import { dense, type Ops } from '../../compute/ops';
import { denseSpecs, paramOffsets, type ParamSlot, type ParamSpec, type ParamValues } from '../../compute/params';
import type { TrainOps } from '../../compute/train/ops';
import type { Val } from '../../compute/train/graph';
import { classCount, type ClassLayout } from './classes';
import type { HadapsConfig } from './config';

/** What fixes the networks' shapes. */
export interface HadapsShape {
  /** number of assets */
  n: number;
  layout: ClassLayout;
  cfg: Pick<HadapsConfig, 'window' | 'hidden' | 'policy' | 'actionScale' | 'bnEpsilon'>;
}

/** One policy layer (an MLP with its tanh head): its name, input width and number of outputs. */
export interface PolicyNet {
  name: string;
  inDim: number;
  outDim: number;
  /** intra-class layers: the class index */
  cls?: number;
}

/** The policy layers a shape has, in parameter order. */
export function policyNets(sh: HadapsShape): PolicyNet[] {
  const { n, layout } = sh;
  const k = sh.cfg.window;
  const C = classCount(layout);
  if (sh.cfg.policy === 'flat') return [{ name: 'flat', inDim: 2 * n * k + n + 1, outDim: n + 1 }];
  const nets: PolicyNet[] = [];
  if (sh.cfg.policy !== 'intra-only') nets.push({ name: 'inter', inDim: n * k + C, outDim: C });
  if (sh.cfg.policy !== 'inter-only')
    layout.classes.forEach((c, i) => {
      const m = c.members.length;
      if (m >= 2) nets.push({ name: `intra${i}`, inDim: m * k + m, outDim: m, cls: i });
    });
  return nets;
}

/** The number of Gaussian entries of the policy (the pre-softmax actions of all its layers). */
export function actionEntries(sh: HadapsShape): number {
  return policyNets(sh).reduce((a, p) => a + p.outDim, 0);
}

function bodySpecs(prefix: string, inDim: number, hidden: readonly number[], bn: 'train' | 'infer'): ParamSpec[] {
  const out: ParamSpec[] = [];
  let d = inDim;
  hidden.forEach((h, l) => {
    out.push(...denseSpecs(`${prefix}/l${l}`, d, h));
    if (bn === 'train')
      out.push(
        { name: `${prefix}/l${l}/bn/gamma`, shape: [h], init: { kind: 'ones' } },
        { name: `${prefix}/l${l}/bn/beta`, shape: [h], init: { kind: 'zeros' } },
      );
    else
      out.push(
        { name: `${prefix}/l${l}/bn/scale`, shape: [h], init: { kind: 'ones' } },
        { name: `${prefix}/l${l}/bn/shift`, shape: [h], init: { kind: 'zeros' } },
      );
    d = h;
  });
  return out;
}

function netSpecs(sh: HadapsShape, bn: 'train' | 'infer'): ParamSpec[] {
  const hidden = sh.cfg.hidden;
  const last = hidden[hidden.length - 1]!;
  return policyNets(sh).flatMap((p) => [
    ...bodySpecs(p.name, p.inDim, hidden, bn),
    ...denseSpecs(`${p.name}/head`, last, p.outDim),
  ]);
}

/** The policy's trained parameters (Linear, batch-norm gamma and beta, heads), without SAC's log-std vectors. */
export function policyTrainSpecs(sh: HadapsShape): ParamSpec[] {
  return netSpecs(sh, 'train');
}

/** The policy's decision-time parameters: batch norm folded into a scale and a shift per layer. */
export function policyInferSpecs(sh: HadapsShape): ParamSpec[] {
  return netSpecs(sh, 'infer');
}

/** The batch-norm running statistics of the policy (mean zeros and variance ones at the start). */
export function policyStatSpecs(sh: HadapsShape): ParamSpec[] {
  return policyNets(sh).flatMap((p) =>
    sh.cfg.hidden.flatMap((h, l): ParamSpec[] => [
      { name: `${p.name}/l${l}/bn/mean`, shape: [h], init: { kind: 'zeros' } },
      { name: `${p.name}/l${l}/bn/var`, shape: [h], init: { kind: 'ones' } },
    ]),
  );
}

/**
 * Batch norm in evaluation mode as two vectors (the file overview): scale = gamma / sqrt(var + eps), then shift =
 * beta - mean x scale with the scale as stored (float32), written into `scale` and `shift`.
 */
export function foldBatchNorm(
  bn: { gamma: Float32Array; beta: Float32Array; mean: Float32Array; vr: Float32Array },
  eps: number,
  scale: Float32Array,
  shift: Float32Array,
): void {
  const { gamma, beta, mean, vr } = bn;
  for (let i = 0; i < gamma.length; i++) scale[i] = gamma[i]! / Math.sqrt(vr[i]! + eps);
  for (let i = 0; i < beta.length; i++) shift[i] = beta[i]! - mean[i]! * scale[i]!;
}

/** The decision-time parameters of trained parameters `train` and running statistics `stats` (file overview). */
export function inferValues(sh: HadapsShape, train: ParamValues, stats: ParamValues): ParamValues {
  const out: ParamValues = new Map();
  const get = (m: ParamValues, k: string) => {
    const v = m.get(k);
    if (!v) throw new Error(`HADAPS policy: no value for ${k}`);
    return v;
  };
  for (const sp of policyInferSpecs(sh)) {
    const m = BN_FOLDED.exec(sp.name);
    if (!m) {
      const v = get(train, sp.name);
      out.set(sp.name, { shape: [...v.shape], data: v.data.slice() });
      continue;
    }
    if (m[2] === 'shift') continue; // written with its layer's scale
    const layer = m[1]!;
    const scale = new Float32Array(sp.shape[0]!);
    const shift = new Float32Array(sp.shape[0]!);
    const bn = {
      gamma: get(train, `${layer}/bn/gamma`).data,
      beta: get(train, `${layer}/bn/beta`).data,
      mean: get(stats, `${layer}/bn/mean`).data,
      vr: get(stats, `${layer}/bn/var`).data,
    };
    foldBatchNorm(bn, sh.cfg.bnEpsilon, scale, shift);
    out.set(`${layer}/bn/scale`, { shape: [...sp.shape], data: scale });
    out.set(`${layer}/bn/shift`, { shape: [...sp.shape], data: shift });
  }
  return new Map(policyInferSpecs(sh).map((sp) => [sp.name, out.get(sp.name)!]));
}

/** A decision-time parameter folded from batch norm: its layer and which vector it is. */
const BN_FOLDED = /^(.*)\/bn\/(scale|shift)$/;

/**
 * {@link inferValues} on flat vectors, for the learner, which refreshes its decision-time parameters after every
 * update: `write(train, stats, out)` reads the trained parameters (policyTrainSpecs order, optionally followed by
 * other values) and the statistics (policyStatSpecs order) and fills `out` (policyInferSpecs order) with the same
 * values as flattening inferValues' maps, without building them.
 */
export function inferVectorWriter(sh: HadapsShape): {
  size: number;
  write(train: Float32Array, stats: Float32Array, out: Float32Array): void;
} {
  const tr = paramOffsets(policyTrainSpecs(sh));
  const st = paramOffsets(policyStatSpecs(sh));
  const inf = paramOffsets(policyInferSpecs(sh));
  const at = (m: Map<string, ParamSlot>, k: string) => {
    const o = m.get(k);
    if (!o) throw new Error(`HADAPS policy: no value for ${k}`);
    return o;
  };
  const view = (v: Float32Array, o: ParamSlot) => v.subarray(o.at, o.at + o.n);
  // where every copied vector and every folded layer's six vectors lie, found once
  const copies: { from: ParamSlot; to: number }[] = [];
  const folds: {
    gamma: ParamSlot;
    beta: ParamSlot;
    mean: ParamSlot;
    vr: ParamSlot;
    scale: ParamSlot;
    shift: ParamSlot;
  }[] = [];
  let size = 0;
  for (const [name, o] of inf) {
    size += o.n;
    const m = BN_FOLDED.exec(name);
    if (!m) copies.push({ from: at(tr, name), to: o.at });
    else if (m[2] === 'scale') {
      const layer = m[1]!;
      folds.push({
        gamma: at(tr, `${layer}/bn/gamma`),
        beta: at(tr, `${layer}/bn/beta`),
        mean: at(st, `${layer}/bn/mean`),
        vr: at(st, `${layer}/bn/var`),
        scale: o,
        shift: at(inf, `${layer}/bn/shift`),
      });
    }
  }
  return {
    size,
    write(train, stats, out) {
      for (const c of copies) out.set(view(train, c.from), c.to);
      for (const f of folds)
        foldBatchNorm(
          { gamma: view(train, f.gamma), beta: view(train, f.beta), mean: view(stats, f.mean), vr: view(stats, f.vr) },
          sh.cfg.bnEpsilon,
          view(out, f.scale),
          view(out, f.shift),
        );
    },
  };
}

/** The critic's parameters: state branch, action branch (five layers each, batch norm) and the output layer. */
export function criticSpecs(sh: HadapsShape): ParamSpec[] {
  const { n } = sh;
  const k = sh.cfg.window;
  const hidden = sh.cfg.hidden;
  const last = hidden[hidden.length - 1]!;
  return [
    ...bodySpecs('q/s', 2 * n * k + n, hidden, 'train'),
    ...bodySpecs('q/w', n, hidden, 'train'),
    ...denseSpecs('q/out', 2 * last, 1),
  ];
}

/** Per-sample state shapes (without the batch axis): price and volatility states [N, k], weights held [N]. */
export function stateShapes(sh: HadapsShape): Record<string, number[]> {
  return { p: [sh.n, sh.cfg.window], v: [sh.n, sh.cfg.window], wprev: [sh.n] };
}

/** A batch of states as values of some op vocabulary. */
export interface States<T> {
  /** normalised prices [B, N, k] */
  p: T;
  /** signed rolling volatility [B, N, k] */
  v: T;
  /** drifted weights held [B, N] */
  wprev: T;
}

/** Constant matrices of the class layout, cached per ops instance by key. */
function membership<T>(ops: Ops<T>, sh: HadapsShape): T {
  // M [N, C - 1]: M[i, c] = 1 when asset i is in risky class c
  const C1 = sh.layout.classes.length;
  const m = new Float32Array(sh.n * C1);
  sh.layout.classOf.forEach((c, i) => (m[i * C1 + c] = 1));
  return ops.constant(`hadaps:membership:${sh.n}x${C1}:${sh.layout.classOf.join(',')}`, m, [sh.n, C1]);
}

function placement<T>(ops: Ops<T>, sh: HadapsShape, cls: number): T {
  // P_c [n_c, N]: P[j, members[j]] = 1
  const mem = sh.layout.classes[cls]!.members;
  const m = new Float32Array(mem.length * sh.n);
  mem.forEach((i, j) => (m[j * sh.n + i] = 1));
  return ops.constant(`hadaps:place:${sh.n}:${mem.join(',')}`, m, [mem.length, sh.n]);
}

function transposeConst<T>(
  ops: Ops<T>,
  key: string,
  rows: number,
  cols: number,
  fill: (r: number, c: number) => number,
): T {
  const m = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m[r * cols + c] = fill(r, c);
  return ops.constant(key, m, [rows, cols]);
}

/** Class weights [B, C] of risky weights `w` [B, N]: each risky class's sum, then cash = 1 - sum of all. */
export function classWeights<T>(ops: Ops<T>, sh: HadapsShape, w: T): T {
  const risky = ops.matMul(w, membership(ops, sh));
  return ops.concat([risky, ops.sub(ops.scalar(1), ops.sum(w, 1, true))], 1);
}

/** Each policy layer's input, by layer name (file overview). */
export function policyInputs<T>(ops: Ops<T>, sh: HadapsShape, s: States<T>): Map<string, T> {
  const { n } = sh;
  const k = sh.cfg.window;
  const out = new Map<string, T>();
  for (const net of policyNets(sh)) {
    if (net.name === 'flat') {
      const cash = ops.sub(ops.scalar(1), ops.sum(s.wprev, 1, true));
      out.set(net.name, ops.concat([ops.reshape(s.p, [-1, n * k]), ops.reshape(s.v, [-1, n * k]), s.wprev, cash], 1));
    } else if (net.name === 'inter') {
      out.set(net.name, ops.concat([ops.reshape(s.v, [-1, n * k]), classWeights(ops, sh, s.wprev)], 1));
    } else {
      const cls = net.cls!;
      const mem = sh.layout.classes[cls]!.members;
      // select the class's assets: [B, k, N] x P_c^T [N, n_c] -> [B, k, n_c]
      const pick = transposeConst(ops, `hadaps:pick:${n}:${mem.join(',')}`, n, mem.length, (r, c) =>
        mem[c] === r ? 1 : 0,
      );
      const prices = ops.reshape(ops.matMul(ops.transpose(s.p, [0, 2, 1]), pick), [-1, k * mem.length]);
      out.set(net.name, ops.concat([prices, ops.matMul(s.wprev, pick)], 1));
    }
  }
  return out;
}

/** Decision-time MLP body (folded batch norm, no dropout) over any op vocabulary. */
export function mlpInfer<T>(ops: Ops<T>, prefix: string, x: T, layers: number): T {
  let h = x;
  for (let l = 0; l < layers; l++) {
    const z = dense(ops, `${prefix}/l${l}`, h);
    h = ops.relu(ops.add(ops.mul(z, ops.param(`${prefix}/l${l}/bn/scale`)), ops.param(`${prefix}/l${l}/bn/shift`)));
  }
  return h;
}

/** What a training-mode MLP pass takes besides its input (see {@link mlpTrain}). */
export interface TrainPass {
  /** normalisation epsilon */
  eps: number;
  /**
   * 'batch' (default): batch norm over the minibatch; 'layer': layer norm over each sample's features (the same
   * gamma and beta), the critics' default (config.ts criticNorm says why)
   */
  norm?: 'batch' | 'layer';
  /** dropout: the fed mask [B, units] of this pass and each layer's first column in it; none = no dropout */
  dropout?: { mask: Val; offset: (layer: string) => number };
  /** where the layers' batch means and unbiased variances are put, by `<prefix>/l<l>` (the actor step's pass) */
  stats?: Map<string, { mean: Val; variance: Val }>;
}

/** Training-mode MLP body: Linear, batch norm over the minibatch, ReLU, dropout (file overview). */
export function mlpTrain(ops: TrainOps, prefix: string, x: Val, hidden: readonly number[], pass: TrainPass): Val {
  const g = ops.graph;
  let h = x;
  hidden.forEach((width, l) => {
    const layer = `${prefix}/l${l}`;
    const z = dense(ops, layer, h);
    const B = z.shape[0]!;
    if (pass.stats) {
      const mean = g.node1('ReduceMean', [z], [width], { axes: [0], keepdims: 0 });
      const d = g.node1('Sub', [z, mean], [B, width]);
      const biased = g.node1('ReduceMean', [g.node1('Mul', [d, d], [B, width])], [width], { axes: [0], keepdims: 0 });
      pass.stats.set(layer, { mean, variance: g.node1('Mul', [biased, g.scalar(B / (B - 1))], [width]) });
    }
    const gamma = ops.param(`${layer}/bn/gamma`);
    const beta = ops.param(`${layer}/bn/beta`);
    if (pass.norm === 'layer') h = ops.relu(ops.layerNorm(z, gamma, beta, pass.eps));
    else {
      // normalise each column over the batch: layer norm of the transposed [width, B] matrix, then gamma and beta
      const ones = ops.constant(`ones:${B}`, new Float32Array(B).fill(1), [B]);
      const zeros = ops.constant(`zeros:${B}`, new Float32Array(B), [B]);
      const zn = ops.transpose(ops.layerNorm(ops.transpose(z, [1, 0]), ones, zeros, pass.eps), [1, 0]);
      h = ops.relu(ops.add(ops.mul(zn, gamma), beta));
    }
    if (pass.dropout) {
      const o = pass.dropout.offset(layer);
      const mask = g.node1('Slice', [pass.dropout.mask, g.ints([o]), g.ints([o + width]), g.ints([1])], [B, width]);
      h = ops.mul(h, mask);
    }
  });
  return h;
}

/** Each policy layer's mean tanh(Linear(body(input))), by layer name, with `body` the training or decision MLP. */
export function policyMeans<T>(
  ops: Ops<T>,
  sh: HadapsShape,
  s: States<T>,
  body: (prefix: string, x: T) => T,
): Map<string, T> {
  const inputs = policyInputs(ops, sh, s);
  const out = new Map<string, T>();
  for (const net of policyNets(sh))
    out.set(net.name, ops.tanh(dense(ops, `${net.name}/head`, body(net.name, inputs.get(net.name)!))));
  return out;
}

/** The risky weights [B, N] of the policy layers' actions `u` (means or samples) by layer name (file overview). */
export function policyWeights<T>(ops: Ops<T>, sh: HadapsShape, u: ReadonlyMap<string, T>): T {
  const { n, layout } = sh;
  const beta = ops.scalar(sh.cfg.actionScale);
  const soft = (x: T) => ops.softmax(ops.mul(beta, x));
  const C = classCount(layout);
  if (sh.cfg.policy === 'flat') {
    // drop the cash column: [B, N + 1] x S [N + 1, N]
    const S = transposeConst(ops, `hadaps:dropcash:${n}`, n + 1, n, (r, c) => (r === c ? 1 : 0));
    return ops.matMul(soft(u.get('flat')!), S);
  }
  // class weight of each asset's class, [B, N] (or [1, N] for equal class weights)
  const toAssets = transposeConst(ops, `hadaps:spread:${n}:${layout.classOf.join(',')}`, C, n, (r, c) =>
    layout.classOf[c] === r ? 1 : 0,
  );
  const classes =
    sh.cfg.policy === 'intra-only'
      ? ops.constant(`hadaps:equal-classes:${C}`, new Float32Array(C).fill(1 / C), [1, C])
      : soft(u.get('inter')!);
  const perAsset = ops.matMul(classes, toAssets);
  // weight inside its class of each asset: learned softmax per class of two or more, 1 for a single asset
  const fixed = new Float32Array(n);
  const parts: T[] = [];
  layout.classes.forEach((c, i) => {
    const m = c.members.length;
    if (m >= 2 && sh.cfg.policy !== 'inter-only')
      parts.push(ops.matMul(soft(u.get(`intra${i}`)!), placement(ops, sh, i)));
    else for (const a of c.members) fixed[a] = 1 / m;
  });
  let inside: T = ops.constant(`hadaps:fixed-inside:${n}:${Array.from(fixed).join(',')}`, fixed, [1, n]);
  for (const p of parts) inside = ops.add(inside, p);
  return ops.mul(perAsset, inside);
}

/** Q(s, w) [B, 1] (layer norm, or batch norm over the minibatch: `norm`; no dropout). */
export function criticForward(
  ops: TrainOps,
  sh: HadapsShape,
  s: States<Val>,
  w: Val,
  eps: number,
  norm: 'batch' | 'layer',
): Val {
  const { n } = sh;
  const k = sh.cfg.window;
  const sIn = ops.concat([ops.reshape(s.p, [-1, n * k]), ops.reshape(s.v, [-1, n * k]), s.wprev], 1);
  const hs = mlpTrain(ops, 'q/s', sIn, sh.cfg.hidden, { eps, norm });
  const hw = mlpTrain(ops, 'q/w', w, sh.cfg.hidden, { eps, norm });
  return dense(ops, 'q/out', ops.relu(ops.concat([hs, hw], 1)));
}

/** The dropout units of one pass over the policy (every layer of every policy MLP), and each layer's offset. */
export function dropoutLayout(sh: HadapsShape): { units: number; offset: (layer: string) => number } {
  const offsets = new Map<string, number>();
  let o = 0;
  for (const net of policyNets(sh))
    sh.cfg.hidden.forEach((h, l) => {
      offsets.set(`${net.name}/l${l}`, o);
      o += h;
    });
  return {
    units: o,
    offset: (layer) => {
      const v = offsets.get(layer);
      if (v === undefined) throw new Error(`no dropout units for ${layer}`);
      return v;
    },
  };
}
