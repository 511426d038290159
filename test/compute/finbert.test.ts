/**
 * FinBERT scoring (compute/onnx/finbert.ts) on the tiny BERT-shaped model the tests build (test/helpers/tinyBert.ts):
 * the probabilities ONNX Runtime gives against the same network computed in plain JavaScript, padding within a
 * batch, the label order, and the refusals of models that are not a BERT classifier.
 */
import { describe, expect, it } from 'vitest';
import { FinbertError, FinbertScorer, type FinbertFiles } from '../../src-main/compute/onnx/finbert';
import { TokenizerError } from '../../src-main/compute/text/wordpiece';
import { buildTinyBert, tinyBertForward, tinyBertWeights, TINY_VOCAB } from '../helpers/tinyBert';

const w = tinyBertWeights(7);
const vocab = `${TINY_VOCAB.join('\n')}\n`;
const files = (over: Partial<FinbertFiles> = {}): FinbertFiles => ({
  model: buildTinyBert(w),
  vocab,
  tokenizerConfig: null,
  config: JSON.stringify({ id2label: { 0: 'positive', 1: 'negative', 2: 'neutral' } }),
  ...over,
});

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

describe('scoring with the tiny model', () => {
  it('gives the softmax of the same network computed by hand, to 1e-5', async () => {
    const s = await FinbertScorer.open(files());
    try {
      const text = 'The company beat, profits rose!';
      const ids = s.tokenizer.encode(text).ids;
      expect(ids.length).toBe(9);
      const [pos, neg, neu] = softmax(tinyBertForward(w, ids));
      const [got] = await s.score([text]);
      expect(got!.positive).toBeCloseTo(pos!, 5);
      expect(got!.negative).toBeCloseTo(neg!, 5);
      expect(got!.neutral).toBeCloseTo(neu!, 5);
      // a probability away from a third: the check would catch a swapped or constant output
      expect(Math.max(pos!, neg!, neu!)).toBeGreaterThan(0.4);
      expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await s.dispose();
    }
  });

  it('scores texts of different lengths in one padded batch as it scores each alone', async () => {
    const texts = ['the', 'sales fell sharply down', 'weak quarter .', 'strong profits , up up up !', 'loss'];
    const batched = await FinbertScorer.open(files(), { batchSize: 5 });
    const single = await FinbertScorer.open(files(), { batchSize: 1 });
    try {
      let batches = 0;
      const a = await batched.score(texts, { onBatch: () => batches++ });
      expect(batches).toBe(1);
      const b = await single.score(texts);
      for (let i = 0; i < texts.length; i++) {
        const ref = softmax(tinyBertForward(w, single.tokenizer.encode(texts[i]!).ids));
        expect(b[i]!.positive).toBeCloseTo(ref[0]!, 5);
        for (const k of ['positive', 'neutral', 'negative'] as const) expect(a[i]![k]).toBeCloseTo(b[i]![k], 5);
      }
    } finally {
      await batched.dispose();
      await single.dispose();
    }
  });

  it('maps the logits by config.json id2label, and assumes ProsusAI/finbert order without it', async () => {
    const text = 'profits rose';
    const z = softmax(tinyBertForward(w, [2, 9 + 1, 11, 3]));
    const reordered = await FinbertScorer.open(
      files({ config: JSON.stringify({ id2label: { 0: 'Negative', 1: 'Neutral', 2: 'Positive' } }) }),
    );
    const none = await FinbertScorer.open(files({ config: null }));
    try {
      const [r] = await reordered.score([text]);
      expect([r!.negative, r!.neutral, r!.positive].map((x) => +x.toFixed(6))).toEqual(z.map((x) => +x.toFixed(6)));
      const [d] = await none.score([text]);
      expect([d!.positive, d!.negative, d!.neutral].map((x) => +x.toFixed(6))).toEqual(z.map((x) => +x.toFixed(6)));
      expect(none.labelSource).toMatch(/no config.json.*positive, negative, neutral/);
      expect(reordered.labelSource).toBe('config.json id2label');
    } finally {
      await reordered.dispose();
      await none.dispose();
    }
  });

  it('feeds only the inputs the model declares', async () => {
    const s = await FinbertScorer.open(files({ model: buildTinyBert(w, { inputs: ['input_ids'] }) }));
    try {
      expect(s.inputs).toEqual(['input_ids']);
      const [got] = await s.score(['weak sales']);
      const ref = softmax(tinyBertForward(w, s.tokenizer.encode('weak sales').ids));
      expect(got!.positive).toBeCloseTo(ref[0]!, 5);
    } finally {
      await s.dispose();
    }
  });
});

describe('refusals', () => {
  it('refuses float inputs, a wrong number of classes, and bytes that are no model', async () => {
    await expect(FinbertScorer.open(files({ model: buildTinyBert(w, { floatInputs: true }) }))).rejects.toThrow(
      /input input_ids is float32; BERT's inputs are int64/,
    );
    await expect(FinbertScorer.open(files({ model: buildTinyBert(w, { classes: 2 }) }))).rejects.toThrow(
      /first output logits has shape \[batch, 2\].*\[batch, 3\]/,
    );
    await expect(FinbertScorer.open(files({ model: new TextEncoder().encode('not a model') }))).rejects.toThrow(
      FinbertError,
    );
  });

  it('refuses a config.json whose id2label is not the three labels, a vocabulary without [CLS], bad options', async () => {
    await expect(
      FinbertScorer.open(files({ config: JSON.stringify({ id2label: { 0: 'up', 1: 'down', 2: 'flat' } }) })),
    ).rejects.toThrow(/id2label must name positive, negative and neutral/);
    await expect(FinbertScorer.open(files({ config: '{}' }))).rejects.toThrow(/no id2label/);
    await expect(FinbertScorer.open(files({ vocab: '[PAD]\n[UNK]\n[SEP]\n' }))).rejects.toThrow(TokenizerError);
    await expect(FinbertScorer.open(files(), { batchSize: 0 })).rejects.toThrow(/batch size/);
  });
});
