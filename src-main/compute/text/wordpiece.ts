/**
 * BERT's tokenizer, written out (docs/news.md "Scoring"): what turns a news text into the token ids a FinBERT
 * model reads. Two stages, as in Google's original tokenization.py and Hugging Face's BertTokenizer:
 *
 * 1. The basic tokenizer: drop NUL, U+FFFD and control characters; turn every whitespace character into a space;
 *    put spaces around CJK ideographs (each becomes a word of its own); split on whitespace; when the model is
 *    uncased (`do_lower_case`, from tokenizer_config.json) lower-case each word and strip its accents (Unicode
 *    NFD, combining marks dropped — `strip_accents` overrides this when the config sets it); split every
 *    punctuation character (ASCII symbols and Unicode category P) off as a word of its own. The special tokens
 *    ([CLS], [SEP], [PAD], [UNK], [MASK]) are never split or changed when they appear in the text.
 * 2. WordPiece: each word becomes the longest vocabulary entry that starts it, then the longest `##`-prefixed entry
 *    that continues it, and so on (greedy, longest match first). A word that cannot be covered this way, or that
 *    is longer than MAX_WORD_CHARS characters, becomes one [UNK].
 *
 * Then [CLS] tokens [SEP], cut to the maximum length (the words' pieces are dropped from the end), and a batch is
 * padded with [PAD] to its longest sequence; attention mask 1 on real tokens, token types all 0 (one segment).
 * No library: the npm tokenizers either bundle native code (tokenizers) or a whole inference stack
 * (@xenova/transformers), for a job this small and this well specified.
 */

/** Words longer than this many characters (code points) become [UNK], as in BERT. */
export const MAX_WORD_CHARS = 100;
/** Default and largest sequence length (tokens, [CLS] and [SEP] included); BERT's position table has 512 rows. */
export const DEFAULT_MAX_LENGTH = 128;
export const MAX_SEQUENCE_LENGTH = 512;

/** The tokenizer's settings as tokenizer_config.json gives them (every field optional). */
export interface TokenizerConfig {
  do_lower_case?: boolean;
  /** null or absent: follows do_lower_case */
  strip_accents?: boolean | null;
  tokenize_chinese_chars?: boolean;
  unk_token?: string;
  cls_token?: string;
  sep_token?: string;
  pad_token?: string;
  mask_token?: string;
}

/** One text encoded for the model. */
export interface Encoded {
  ids: number[];
  /** the tokens behind the ids (for tests and explanations) */
  tokens: string[];
}

/** A batch as the model takes it: row-major [batch, length] int64 arrays. */
export interface EncodedBatch {
  batch: number;
  length: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
}

/** A vocabulary or configuration the tokenizer cannot use. */
export class TokenizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerError';
  }
}

const isControl = (ch: string) => ch !== '\t' && ch !== '\n' && ch !== '\r' && /[\p{Cc}\p{Cf}]/u.test(ch);
const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || /\p{Zs}/u.test(ch);

/** ASCII symbols count as punctuation (BERT's rule: $, ^, ` and the like are not Unicode P but are split too). */
function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
    return true;
  return /\p{P}/u.test(ch);
}

/** The CJK Unified Ideographs blocks BERT treats as one word per character. */
function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/**
 * Read vocab.txt: one token per line, its id the line's 0-based index (a later duplicate wins, as in Hugging Face's
 * loader). Takes the file's text; gives token -> id. Throws TokenizerError for an empty vocabulary.
 */
export function parseVocab(text: string): Map<string, number> {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((line, i) => vocab.set(line.endsWith('\r') ? line.slice(0, -1) : line, i));
  if (vocab.size === 0) throw new TokenizerError('vocab.txt is empty (one token per line expected)');
  return vocab;
}

/** A BERT WordPiece tokenizer over one vocabulary (see the file overview). */
export class WordPieceTokenizer {
  readonly lowerCase: boolean;
  readonly stripAccents: boolean;
  readonly cjk: boolean;
  readonly unk: string;
  readonly cls: string;
  readonly sep: string;
  readonly pad: string;
  private readonly special: Set<string>;
  readonly unkId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;

  /**
   * Takes the vocabulary (parseVocab) and tokenizer_config.json's settings (BERT's defaults: uncased, CJK split).
   * Throws TokenizerError when the vocabulary lacks [UNK], [CLS], [SEP] or [PAD] (under the config's names).
   */
  constructor(
    readonly vocab: ReadonlyMap<string, number>,
    config: TokenizerConfig = {},
  ) {
    this.lowerCase = config.do_lower_case ?? true;
    this.stripAccents = config.strip_accents ?? this.lowerCase;
    this.cjk = config.tokenize_chinese_chars ?? true;
    this.unk = config.unk_token ?? '[UNK]';
    this.cls = config.cls_token ?? '[CLS]';
    this.sep = config.sep_token ?? '[SEP]';
    this.pad = config.pad_token ?? '[PAD]';
    this.special = new Set([this.unk, this.cls, this.sep, this.pad, config.mask_token ?? '[MASK]']);
    const id = (t: string) => {
      const i = vocab.get(t);
      if (i === undefined) throw new TokenizerError(`vocab.txt has no ${t} token (a BERT vocabulary needs it)`);
      return i;
    };
    this.unkId = id(this.unk);
    this.clsId = id(this.cls);
    this.sepId = id(this.sep);
    this.padId = id(this.pad);
  }

  /** Stage 1 (see the file overview): the words of a text. */
  basicTokens(text: string): string[] {
    let clean = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
      if (isWhitespace(ch)) clean += ' ';
      else if (this.cjk && isCjk(cp)) clean += ` ${ch} `;
      else clean += ch;
    }
    const out: string[] = [];
    for (let word of clean.split(' ')) {
      if (word === '') continue;
      if (this.special.has(word)) {
        out.push(word);
        continue;
      }
      if (this.lowerCase) word = word.toLowerCase();
      if (this.stripAccents) word = word.normalize('NFD').replace(/\p{Mn}/gu, '');
      let cur = '';
      for (const ch of word) {
        if (isPunctuation(ch)) {
          if (cur) out.push(cur);
          out.push(ch);
          cur = '';
        } else cur += ch;
      }
      if (cur) out.push(cur);
    }
    return out;
  }

  /** Stage 2: the WordPiece pieces of one word. */
  wordPieces(word: string): string[] {
    if (this.special.has(word)) return [word];
    const chars = Array.from(word);
    if (chars.length > MAX_WORD_CHARS) return [this.unk];
    const pieces: string[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: string | null = null;
      while (start < end) {
        const sub = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        if (this.vocab.has(sub)) {
          found = sub;
          break;
        }
        end--;
      }
      if (found === null) return [this.unk];
      pieces.push(found);
      start = end;
    }
    return pieces;
  }

  /** The pieces of a text, without [CLS] and [SEP]. */
  tokenize(text: string): string[] {
    return this.basicTokens(text).flatMap((w) => this.wordPieces(w));
  }

  /**
   * One text as [CLS] pieces [SEP], at most `maxLength` tokens (2..MAX_SEQUENCE_LENGTH; pieces past the limit are
   * dropped). Gives the ids and tokens.
   */
  encode(text: string, maxLength = DEFAULT_MAX_LENGTH): Encoded {
    checkMaxLength(maxLength);
    const pieces = this.tokenize(text).slice(0, maxLength - 2);
    const tokens = [this.cls, ...pieces, this.sep];
    return { tokens, ids: tokens.map((t) => this.vocab.get(t) ?? this.unkId) };
  }

  /** Several texts, padded with [PAD] to the longest (see {@link EncodedBatch}). */
  encodeBatch(texts: readonly string[], maxLength = DEFAULT_MAX_LENGTH): EncodedBatch {
    const enc = texts.map((t) => this.encode(t, maxLength));
    const length = enc.reduce((m, e) => Math.max(m, e.ids.length), 2);
    const n = enc.length * length;
    const inputIds = new BigInt64Array(n).fill(BigInt(this.padId));
    const attentionMask = new BigInt64Array(n);
    enc.forEach((e, b) =>
      e.ids.forEach((id, j) => {
        inputIds[b * length + j] = BigInt(id);
        attentionMask[b * length + j] = 1n;
      }),
    );
    return { batch: enc.length, length, inputIds, attentionMask, tokenTypeIds: new BigInt64Array(n) };
  }
}

/** Refuse a maximum length outside 2..MAX_SEQUENCE_LENGTH (RangeError). */
export function checkMaxLength(maxLength: number): void {
  if (!(Number.isInteger(maxLength) && maxLength >= 2 && maxLength <= MAX_SEQUENCE_LENGTH))
    throw new RangeError(
      `maximum sequence length must be an integer from 2 to ${MAX_SEQUENCE_LENGTH}, got ${maxLength}`,
    );
}

/**
 * tokenizer_config.json's text as TokenizerConfig: only the fields the tokenizer reads, each checked for its type.
 * Throws TokenizerError for text that is not a JSON object or a field of the wrong type.
 */
export function parseTokenizerConfig(text: string): TokenizerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TokenizerError(`tokenizer_config.json is not JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new TokenizerError('tokenizer_config.json is not a JSON object');
  const o = raw as Record<string, unknown>;
  const out: TokenizerConfig = {};
  for (const k of ['do_lower_case', 'tokenize_chinese_chars'] as const) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== 'boolean') throw new TokenizerError(`tokenizer_config.json: ${k} must be true or false`);
    out[k] = o[k];
  }
  if (o.strip_accents !== undefined && o.strip_accents !== null) {
    if (typeof o.strip_accents !== 'boolean')
      throw new TokenizerError('tokenizer_config.json: strip_accents must be true, false or null');
    out.strip_accents = o.strip_accents;
  }
  for (const k of ['unk_token', 'cls_token', 'sep_token', 'pad_token', 'mask_token'] as const) {
    const v = o[k];
    // newer configs may hold an AddedToken object {content: "[UNK]", ...}
    const s = typeof v === 'string' ? v : v && typeof v === 'object' ? (v as { content?: unknown }).content : undefined;
    if (typeof s === 'string') out[k] = s;
  }
  return out;
}
