/**
 * Scoring texts with a FinBERT model in ONNX format (docs/news.md "Scoring"): the model's bytes, its vocab.txt and
 * optional tokenizer_config.json and config.json in; positive / neutral / negative probabilities out.
 *
 * The model is opened in ONNX Runtime (the engine's session options: one thread, so scores do not depend on thread
 * scheduling) and checked before any text is scored: its inputs must be among input_ids, attention_mask and
 * token_type_ids, with input_ids among them, all int64 — only the ones it declares are fed; its first output is
 * the logits [batch, 3]. config.json's `id2label` says which logit is which label; without config.json the order of
 * ProsusAI/finbert (positive, negative, neutral) is assumed, and `labelSource` says so. Probabilities are the
 * softmax of the logits, in double precision.
 *
 * Reading the files (which paths a caller may read, size limits) is not done here: data/newsScore.ts reads the
 * model directory through the import's file checks and hands the bytes over.
 */
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import { SESSION_OPTIONS } from './runtime';
import {
  DEFAULT_MAX_LENGTH,
  checkMaxLength,
  parseTokenizerConfig,
  parseVocab,
  WordPieceTokenizer,
  type EncodedBatch,
} from '../text/wordpiece';

/** The three labels, in the order a probability triple is given everywhere (the import's CSV columns too). */
export const SENTIMENT_LABELS = ['positive', 'neutral', 'negative'] as const;
export type SentimentLabel = (typeof SENTIMENT_LABELS)[number];
/** ProsusAI/finbert's logit order, assumed when a model comes without config.json. */
export const DEFAULT_LOGIT_ORDER: readonly SentimentLabel[] = ['positive', 'negative', 'neutral'];
/** Texts per ONNX Runtime call by default. */
export const DEFAULT_BATCH_SIZE = 16;
/** Largest batch accepted (a [batch, 512] BERT forward pass is a few hundred MB at this size). */
export const MAX_BATCH_SIZE = 256;

/** The inputs a BERT classifier may declare. */
const KNOWN_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;
type KnownInput = (typeof KNOWN_INPUTS)[number];

/** A model, vocabulary or configuration that cannot score. */
export class FinbertError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FinbertError';
  }
}

/** What a FinBERT model directory holds, read (the optional files null when absent). */
export interface FinbertFiles {
  model: Uint8Array;
  vocab: string;
  tokenizerConfig: string | null;
  config: string | null;
}

export interface FinbertOptions {
  /** tokens per text, [CLS] and [SEP] included (2..512; default 128) */
  maxLength?: number;
  /** texts per ONNX Runtime call (1..MAX_BATCH_SIZE; default 16) */
  batchSize?: number;
}

/** Probabilities of one text, SENTIMENT_LABELS order; they sum to 1. */
export interface SentimentProbs {
  positive: number;
  neutral: number;
  negative: number;
}

/**
 * The label of each logit from config.json's `id2label` ({"0": "positive", ...}, case ignored), or the default order
 * when there is no config.json. Gives the order and where it came from. Throws FinbertError for a config whose
 * id2label does not name exactly positive, negative and neutral for ids 0, 1, 2.
 */
export function logitOrder(config: string | null): { order: SentimentLabel[]; source: string } {
  if (config === null)
    return {
      order: [...DEFAULT_LOGIT_ORDER],
      source: 'no config.json: ProsusAI/finbert order assumed (positive, negative, neutral)',
    };
  let raw: unknown;
  try {
    raw = JSON.parse(config);
  } catch (e) {
    throw new FinbertError(`config.json is not JSON: ${(e as Error).message}`);
  }
  const id2label = (raw as { id2label?: unknown } | null)?.id2label;
  if (!id2label || typeof id2label !== 'object')
    throw new FinbertError(
      'config.json has no id2label (which logit is positive, negative, neutral); remove config.json to assume ProsusAI/finbert order',
    );
  const map = id2label as Record<string, unknown>;
  const keys = Object.keys(map).sort();
  const labels = ['0', '1', '2'].map((k) => (typeof map[k] === 'string' ? (map[k] as string).toLowerCase() : null));
  const ok =
    keys.length === 3 &&
    keys.join() === '0,1,2' &&
    [...SENTIMENT_LABELS].every((l) => labels.includes(l)) &&
    new Set(labels).size === 3;
  if (!ok)
    throw new FinbertError(
      `config.json id2label must name positive, negative and neutral for ids 0, 1, 2; it has ${JSON.stringify(map).slice(0, 200)}`,
    );
  return { order: labels as SentimentLabel[], source: 'config.json id2label' };
}

/** Softmax of logits in double precision, mapped to the labels by `order`. */
export function probsOf(logits: ArrayLike<number>, offset: number, order: readonly SentimentLabel[]): SentimentProbs {
  const a = logits[offset]!;
  const b = logits[offset + 1]!;
  const c = logits[offset + 2]!;
  const m = Math.max(a, b, c);
  const e = [Math.exp(a - m), Math.exp(b - m), Math.exp(c - m)];
  const s = e[0]! + e[1]! + e[2]!;
  const out = { positive: 0, neutral: 0, negative: 0 };
  order.forEach((label, k) => (out[label] = e[k]! / s));
  return out;
}

/** A FinBERT model opened for scoring (see the file overview). */
export class FinbertScorer {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly tokenizer: WordPieceTokenizer,
    /** the inputs the model declares, in its order */
    readonly inputs: readonly KnownInput[],
    readonly output: string,
    readonly order: readonly SentimentLabel[],
    readonly labelSource: string,
    /** sha256 of model.onnx: which model scored a row */
    readonly sha256: string,
    readonly maxLength: number,
    readonly batchSize: number,
  ) {}

  /**
   * Open a model for scoring. Takes the directory's files and the options; gives the scorer. Throws FinbertError
   * for a model ONNX Runtime cannot open or whose inputs or outputs are not a BERT classifier's, TokenizerError
   * (text/wordpiece.ts) for an unusable vocabulary or tokenizer config, RangeError for bad options.
   */
  static async open(files: FinbertFiles, opts: FinbertOptions = {}): Promise<FinbertScorer> {
    const maxLength = opts.maxLength ?? DEFAULT_MAX_LENGTH;
    checkMaxLength(maxLength);
    const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= MAX_BATCH_SIZE))
      throw new RangeError(`batch size must be an integer from 1 to ${MAX_BATCH_SIZE}, got ${batchSize}`);
    const tokenizer = new WordPieceTokenizer(
      parseVocab(files.vocab),
      files.tokenizerConfig === null ? {} : parseTokenizerConfig(files.tokenizerConfig),
    );
    const { order, source } = logitOrder(files.config);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(files.model, SESSION_OPTIONS);
    } catch (e) {
      throw new FinbertError(`ONNX Runtime cannot open model.onnx: ${(e as Error).message.slice(0, 300)}`);
    }
    try {
      const inputs = checkInputs(session);
      const output = checkOutput(session);
      const sha256 = createHash('sha256').update(files.model).digest('hex');
      return new FinbertScorer(session, tokenizer, inputs, output, order, source, sha256, maxLength, batchSize);
    } catch (e) {
      await session.release();
      throw e;
    }
  }

  /** The feeds of one encoded batch: only the inputs the model declares. */
  private feeds(b: EncodedBatch): Record<string, ort.Tensor> {
    const data: Record<KnownInput, BigInt64Array> = {
      input_ids: b.inputIds,
      attention_mask: b.attentionMask,
      token_type_ids: b.tokenTypeIds,
    };
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of this.inputs) feeds[name] = new ort.Tensor('int64', data[name], [b.batch, b.length]);
    return feeds;
  }

  /** Score at most batchSize texts in one call. */
  private async scoreBatch(texts: readonly string[]): Promise<SentimentProbs[]> {
    const enc = this.tokenizer.encodeBatch(texts, this.maxLength);
    const res = await this.session.run(this.feeds(enc));
    const out = res[this.output]!;
    const dims = [...out.dims].map(Number);
    if (dims.length !== 2 || dims[0] !== texts.length || dims[1] !== 3)
      throw new FinbertError(
        `the model's output ${this.output} has shape [${dims}], a FinBERT classifier gives [${texts.length}, 3] logits`,
      );
    const logits = out.data as Float32Array;
    return texts.map((_, i) => probsOf(logits, i * 3, this.order));
  }

  /**
   * Probabilities of each text, scored batchSize at a time; `onBatch(done)` after each batch, and `signal` checked
   * between batches (its reason thrown when it aborted).
   */
  async score(
    texts: readonly string[],
    run: { signal?: AbortSignal; onBatch?: (done: number) => void } = {},
  ): Promise<SentimentProbs[]> {
    const out: SentimentProbs[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      run.signal?.throwIfAborted();
      out.push(...(await this.scoreBatch(texts.slice(i, i + this.batchSize))));
      run.onBatch?.(out.length);
    }
    return out;
  }

  /** Release the ONNX Runtime session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** The declared inputs, checked (see the file overview). */
function checkInputs(session: ort.InferenceSession): KnownInput[] {
  const names = session.inputNames;
  const unknown = names.filter((n) => !(KNOWN_INPUTS as readonly string[]).includes(n));
  if (unknown.length || !names.includes('input_ids'))
    throw new FinbertError(
      `the model's inputs are ${names.join(', ') || 'none'}; a BERT classifier takes input_ids and optionally attention_mask and token_type_ids (int64 [batch, length])`,
    );
  for (const m of session.inputMetadata) {
    if (m.isTensor && m.type !== 'int64')
      throw new FinbertError(`the model's input ${m.name} is ${m.type}; BERT's inputs are int64 token ids`);
  }
  return names as KnownInput[];
}

/** The first output's name, checked: a tensor whose last axis, when the model states it, is 3. */
function checkOutput(session: ort.InferenceSession): string {
  const name = session.outputNames[0];
  if (name === undefined) throw new FinbertError('the model has no output');
  const m = session.outputMetadata[0];
  if (m && m.isTensor) {
    const last = m.shape[m.shape.length - 1];
    if (m.shape.length !== 2 || (typeof last === 'number' && last !== 3))
      throw new FinbertError(
        `the model's first output ${name} has shape [${m.shape.join(', ')}]; a FinBERT classifier gives logits [batch, 3]`,
      );
  }
  return name;
}
