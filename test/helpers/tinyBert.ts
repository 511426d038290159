/**
 * A tiny BERT-shaped sentiment classifier the tests build themselves (issue 19: the FinBERT loading and scoring
 * code is tested without downloading FinBERT), written with the project's ONNX graph builder
 * (compute/train/graph.ts `Graph`, `finishGraph` in common.ts):
 *
 *   x   = LayerNorm(word[input_ids] + position[0..L-1] + segment[token_type_ids])
 *   q,k,v = x Wq + bq, x Wk + bk, x Wv + bv              (one head of width H)
 *   a   = softmax(q k^T / sqrt(H) + (mask - 1) * 10000)  (attention_mask: padding gets no weight)
 *   y   = LayerNorm(x + (a v) Wo + bo)
 *   logits = tanh(y[:, 0] Wp + bp) Wc + bc                ([CLS] pooler, 3-way classifier)
 *
 * The inputs are int64 [batch, sequence] with symbolic dims, as an exported BERT's are (the builder declares
 * float32 inputs of fixed shape, so the encoded model's input types are rewritten after encoding). Weights are
 * random but seeded. `tinyBertForward` computes the same network in plain float64 JavaScript for one sentence:
 * the independent reference the ONNX Runtime result is checked against.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as OnnxProtoModule from 'onnx-proto';
import seedrandom from 'seedrandom';
import { finishGraph } from '../../src-main/compute/train/common';
import { Graph, type Val } from '../../src-main/compute/train/graph';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as typeof OnnxProtoModule;

/** hidden width, position table rows, classes */
export const TINY_H = 8;
export const TINY_POSITIONS = 32;
const CLASSES = 3;
const LN_EPS = 1e-5;

/** The vocabulary the tests write as vocab.txt (id = index). */
export const TINY_VOCAB = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  '.',
  ',',
  '!',
  'the',
  'profit',
  'profits',
  'rose',
  'fell',
  'loss',
  'strong',
  'weak',
  'shares',
  'company',
  'quarter',
  'sales',
  'up',
  'down',
  'un',
  '##able',
  '##s',
  '##ed',
  '##ing',
  'beat',
  'miss',
  'cafe',
];

/** One weight matrix or vector, row-major. */
export interface Tensor {
  data: Float32Array;
  shape: number[];
}

export type TinyBertWeights = Record<
  | 'word'
  | 'position'
  | 'segment'
  | 'ln0g'
  | 'ln0b'
  | 'wq'
  | 'bq'
  | 'wk'
  | 'bk'
  | 'wv'
  | 'bv'
  | 'wo'
  | 'bo'
  | 'ln1g'
  | 'ln1b'
  | 'wp'
  | 'bp'
  | 'wc'
  | 'bc',
  Tensor
>;

/** Seeded weights: uniform in ±scale (the classifier's larger, so the probabilities spread out). */
export function tinyBertWeights(seed: number, vocabSize = TINY_VOCAB.length): TinyBertWeights {
  const rng = seedrandom(`tiny-bert-${seed}`);
  const t = (shape: number[], scale: number, offset = 0): Tensor => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = offset + (rng() * 2 - 1) * scale;
    return { data, shape };
  };
  const H = TINY_H;
  return {
    word: t([vocabSize, H], 1),
    position: t([TINY_POSITIONS, H], 0.3),
    segment: t([2, H], 0.3),
    ln0g: t([H], 0.2, 1),
    ln0b: t([H], 0.1),
    wq: t([H, H], 0.6),
    bq: t([H], 0.1),
    wk: t([H, H], 0.6),
    bk: t([H], 0.1),
    wv: t([H, H], 0.6),
    bv: t([H], 0.1),
    wo: t([H, H], 0.6),
    bo: t([H], 0.1),
    ln1g: t([H], 0.2, 1),
    ln1b: t([H], 0.1),
    wp: t([H, H], 0.8),
    bp: t([H], 0.1),
    wc: t([H, CLASSES], 3),
    bc: t([CLASSES], 0.3),
  };
}

export interface TinyBertOptions {
  /** the int64 inputs the model declares (default all three) */
  inputs?: readonly ('input_ids' | 'attention_mask' | 'token_type_ids')[];
  /** declare the inputs as float32 instead (a model with the wrong inputs) */
  floatInputs?: boolean;
  /** classes of the output (default 3; another number makes a model with the wrong output) */
  classes?: number;
}

/** The tiny model as ONNX bytes (see the file overview). */
export function buildTinyBert(w: TinyBertWeights, opts: TinyBertOptions = {}): Uint8Array {
  const declared = opts.inputs ?? ['input_ids', 'attention_mask', 'token_type_ids'];
  const classes = opts.classes ?? CLASSES;
  const H = TINY_H;
  const g = new Graph();
  const p = (k: keyof TinyBertWeights) => g.constant(k, w[k].data, w[k].shape);
  const any = [1, 1, H]; // the builder wants a shape per value; these are only bookkeeping here
  const ids = g.input('input_ids', [1, 1]);
  const mask = declared.includes('attention_mask') ? g.input('attention_mask', [1, 1]) : null;
  const types = declared.includes('token_type_ids') ? g.input('token_type_ids', [1, 1]) : null;
  const ln = (x: Val, gk: keyof TinyBertWeights, bk: keyof TinyBertWeights) =>
    g.node1('LayerNormalization', [x, p(gk), p(bk)], any, { axis: -1, epsilon: { f: LN_EPS } });
  const dense = (x: Val, wk: keyof TinyBertWeights, bk: keyof TinyBertWeights) =>
    g.node1('Add', [g.node1('MatMul', [x, p(wk)], any), p(bk)], any);

  // a float-input model (for the refusal test) casts to int64 itself, so ONNX Runtime opens it
  const idx = (v: Val) => (opts.floatInputs ? g.node1('Cast', [v], [1, 1], { to: 7 }) : v);
  const word = g.node1('Gather', [p('word'), idx(ids)], any, { axis: 0 });
  // without token_type_ids every token is segment 0
  const seg = types
    ? g.node1('Gather', [p('segment'), idx(types)], any, { axis: 0 })
    : g.node1('Gather', [p('segment'), g.ints([0])], [1, H], { axis: 0 });
  const len = g.node1('Slice', [g.node1('Shape', [ids], [2]), g.ints([1]), g.ints([2])], [1]);
  const pos = g.node1('Slice', [p('position'), g.ints([0]), len, g.ints([0])], [1, H]);
  const x = ln(g.node1('Add', [g.node1('Add', [word, pos], any), seg], any), 'ln0g', 'ln0b');
  const q = dense(x, 'wq', 'bq');
  const k = dense(x, 'wk', 'bk');
  const v = dense(x, 'wv', 'bv');
  let scores = g.node1(
    'Mul',
    [g.node1('MatMul', [q, g.node1('Transpose', [k], any, { perm: [0, 2, 1] })], any), g.scalar(1 / Math.sqrt(H))],
    any,
  );
  if (mask) {
    const m = g.node1('Cast', [mask], [1, 1], { to: 1 });
    const bias = g.node1('Mul', [g.node1('Sub', [m, g.scalar(1)], [1, 1]), g.scalar(10000)], [1, 1]);
    scores = g.node1('Add', [scores, g.node1('Unsqueeze', [bias, g.ints([1])], any)], any);
  }
  const att = g.node1('Softmax', [scores], any, { axis: -1 });
  const y = ln(g.node1('Add', [x, dense(g.node1('MatMul', [att, v], any), 'wo', 'bo')], any), 'ln1g', 'ln1b');
  const cls = g.node1('Reshape', [g.node1('Gather', [y, g.ints([0])], any, { axis: 1 }), g.ints([-1, H])], [1, H]);
  const pooled = g.node1('Tanh', [dense(cls, 'wp', 'bp')], [1, H]);
  let wc = w.wc;
  let bc = w.bc;
  if (classes !== CLASSES) {
    wc = { data: new Float32Array(H * classes).fill(0.1), shape: [H, classes] };
    bc = { data: new Float32Array(classes), shape: [classes] };
  }
  const logits = g.node1(
    'Add',
    [
      g.node1('MatMul', [pooled, g.constant('wc*', wc.data, wc.shape)], [1, classes]),
      g.constant('bc*', bc.data, bc.shape),
    ],
    [1, classes],
  );
  g.output('logits', logits);
  const bytes = finishGraph(g, 'tiny_bert', 'a tiny BERT-shaped classifier for tests').bytes;
  // the builder declares float32 inputs of fixed shape: make them BERT's (int64 or float32, [batch, sequence])
  const model = onnx.ModelProto.decode(bytes);
  for (const inp of model.graph!.input!) {
    inp.type!.tensorType!.elemType = opts.floatInputs ? 1 : 7;
    inp.type!.tensorType!.shape!.dim = [{ dimParam: 'batch' }, { dimParam: 'sequence' }];
  }
  model.graph!.output![0]!.type!.tensorType!.shape!.dim = [{ dimParam: 'batch' }, { dimValue: classes }];
  return onnx.ModelProto.encode(model).finish();
}

/** Write a model directory: model.onnx, vocab.txt and, when given, config.json and tokenizer_config.json. */
export function writeTinyBertDir(
  dir: string,
  model: Uint8Array,
  extra: { config?: unknown; tokenizerConfig?: unknown; vocab?: readonly string[] } = {},
): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), model);
  fs.writeFileSync(path.join(dir, 'vocab.txt'), `${(extra.vocab ?? TINY_VOCAB).join('\n')}\n`);
  if (extra.config !== undefined) fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(extra.config));
  if (extra.tokenizerConfig !== undefined)
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(extra.tokenizerConfig));
  return dir;
}

// ---------------------------------------------------------------- the plain-JavaScript forward pass

const at = (t: Tensor, r: number, c: number) => t.data[r * t.shape[1]! + c]!;

function dense(x: number[][], w: Tensor, b: Tensor): number[][] {
  return x.map((row) =>
    Array.from({ length: w.shape[1]! }, (_, j) => row.reduce((s, xi, i) => s + xi * at(w, i, j), b.data[j]!)),
  );
}

function layerNorm(x: number[][], gamma: Tensor, beta: Tensor): number[][] {
  return x.map((row) => {
    const mean = row.reduce((a, b) => a + b, 0) / row.length;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + LN_EPS)) * gamma.data[i]! + beta.data[i]!);
  });
}

/**
 * The tiny model's logits for one sentence of token ids (no padding: every mask entry 1, segment 0), computed in
 * float64 without ONNX.
 */
export function tinyBertForward(w: TinyBertWeights, ids: readonly number[]): number[] {
  const H = TINY_H;
  const emb = ids.map((id, j) =>
    Array.from({ length: H }, (_, h) => at(w.word, id, h) + at(w.position, j, h) + at(w.segment, 0, h)),
  );
  const x = layerNorm(emb, w.ln0g, w.ln0b);
  const q = dense(x, w.wq, w.bq);
  const k = dense(x, w.wk, w.bk);
  const v = dense(x, w.wv, w.bv);
  const ctx = q.map((qi) => {
    const s = k.map((kj) => qi.reduce((a, qv, h) => a + qv * kj[h]!, 0) / Math.sqrt(H));
    const m = Math.max(...s);
    const e = s.map((z) => Math.exp(z - m));
    const total = e.reduce((a, b) => a + b, 0);
    return Array.from({ length: H }, (_, h) => e.reduce((a, ej, j) => a + (ej / total) * v[j]![h]!, 0));
  });
  const o = dense(ctx, w.wo, w.bo);
  const y = layerNorm(
    x.map((row, j) => row.map((xv, h) => xv + o[j]![h]!)),
    w.ln1g,
    w.ln1b,
  );
  const pooled = dense([y[0]!], w.wp, w.bp)[0]!.map(Math.tanh);
  return dense([pooled], w.wc, w.bc)[0]!;
}
