/** BERT's tokenizer (compute/text/wordpiece.ts) against examples worked out by hand from BERT's rules. */
import { describe, expect, it } from 'vitest';
import {
  MAX_SEQUENCE_LENGTH,
  parseTokenizerConfig,
  parseVocab,
  TokenizerError,
  WordPieceTokenizer,
} from '../../src-main/compute/text/wordpiece';
import { TINY_VOCAB } from '../helpers/tinyBert';

const vocab = parseVocab(`${TINY_VOCAB.join('\n')}\n`);
const tok = new WordPieceTokenizer(vocab);
const id = (t: string) => TINY_VOCAB.indexOf(t);

describe('the basic tokenizer', () => {
  it('lower-cases, splits punctuation off and wraps the ids in [CLS] ... [SEP]', () => {
    const e = tok.encode('The profits ROSE!');
    expect(e.tokens).toEqual(['[CLS]', 'the', 'profits', 'rose', '!', '[SEP]']);
    expect(e.ids).toEqual([2, 8, 10, 11, 7, 3]);
  });

  it('treats every whitespace as a separator and drops control and format characters', () => {
    // \u200b (zero-width space) is a format character: removed, so "profit\u200brose" is one word
    expect(tok.basicTokens('the\tprofit\nrose\u0000 up\u00a0down')).toEqual(['the', 'profit', 'rose', 'up', 'down']);
    expect(tok.basicTokens('profit\u200brose')).toEqual(['profitrose']);
  });

  it('splits ASCII symbols that are not Unicode punctuation too ($, ^, `), and each CJK ideograph', () => {
    expect(tok.basicTokens('$up^down`')).toEqual(['$', 'up', '^', 'down', '`']);
    expect(tok.basicTokens('the利润rose')).toEqual(['the', '利', '润', 'rose']);
  });

  it('strips accents when uncased, keeps case and accents when cased', () => {
    expect(tok.tokenize('Café')).toEqual(['cafe']);
    const cased = new WordPieceTokenizer(vocab, { do_lower_case: false });
    expect(cased.tokenize('Café cafe')).toEqual(['[UNK]', 'cafe']);
    // strip_accents given alone: accents go, case stays
    const strip = new WordPieceTokenizer(vocab, { do_lower_case: false, strip_accents: true });
    expect(strip.tokenize('café Café')).toEqual(['cafe', '[UNK]']);
  });

  it('never splits a special token of the text', () => {
    expect(tok.tokenize('[MASK] rose')).toEqual(['[MASK]', 'rose']);
  });
});

describe('WordPiece', () => {
  it('takes the longest match first, then ## continuations', () => {
    expect(tok.wordPieces('unable')).toEqual(['un', '##able']);
    expect(tok.wordPieces('unables')).toEqual(['un', '##able', '##s']);
    // greedy: after un + ##able the rest "d" has no ##d, so the whole word is unknown (no backtracking)
    expect(tok.wordPieces('unabled')).toEqual(['[UNK]']);
    // "profits" is in the vocabulary whole: preferred to profit + ##s
    expect(tok.wordPieces('profits')).toEqual(['profits']);
    expect(tok.wordPieces('sharesing')).toEqual(['shares', '##ing']);
  });

  it('gives one [UNK] for a word it cannot cover, or one over 100 characters', () => {
    expect(tok.wordPieces('profitx')).toEqual(['[UNK]']);
    expect(tok.tokenize("sales' up")).toEqual(['sales', '[UNK]', 'up']);
    const long = new WordPieceTokenizer(parseVocab(`${[...TINY_VOCAB, 'a'.repeat(101)].join('\n')}\n`));
    expect(long.wordPieces('a'.repeat(101))).toEqual(['[UNK]']);
  });
});

describe('sequences and batches', () => {
  it('cuts to the maximum length, keeping [CLS] and [SEP]', () => {
    expect(tok.encode('the profit rose', 4).tokens).toEqual(['[CLS]', 'the', 'profit', '[SEP]']);
    expect(() => tok.encode('x', 1)).toThrow(RangeError);
    expect(() => tok.encode('x', MAX_SEQUENCE_LENGTH + 1)).toThrow(/2 to 512/);
  });

  it('pads a batch with [PAD] to its longest text, mask 1 on real tokens', () => {
    const b = tok.encodeBatch(['the', 'the profit rose']);
    expect([b.batch, b.length]).toEqual([2, 5]);
    expect([...b.inputIds].map(Number)).toEqual([2, 8, 3, 0, 0, 2, 8, id('profit'), id('rose'), 3]);
    expect([...b.attentionMask].map(Number)).toEqual([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
    expect([...b.tokenTypeIds].every((x) => x === 0n)).toBe(true);
  });
});

describe('vocabulary and config files', () => {
  it('numbers vocab.txt lines from 0, CRLF or LF', () => {
    const v = parseVocab('[PAD]\r\n[UNK]\r\nx\r\n');
    expect([...v]).toEqual([
      ['[PAD]', 0],
      ['[UNK]', 1],
      ['x', 2],
    ]);
    expect(() => parseVocab('')).toThrow(TokenizerError);
  });

  it('refuses a vocabulary without the special tokens', () => {
    expect(() => new WordPieceTokenizer(parseVocab('[PAD]\n[UNK]\n[SEP]\nthe\n'))).toThrow(/no \[CLS\] token/);
  });

  it('reads the fields of tokenizer_config.json it uses and refuses wrong types', () => {
    expect(
      parseTokenizerConfig(
        '{"do_lower_case": false, "strip_accents": null, "unk_token": {"content": "[UNK]"}, "x": 1}',
      ),
    ).toEqual({ do_lower_case: false, unk_token: '[UNK]' });
    expect(() => parseTokenizerConfig('{"do_lower_case": "yes"}')).toThrow(/true or false/);
    expect(() => parseTokenizerConfig('[1]')).toThrow(/not a JSON object/);
    expect(() => parseTokenizerConfig('{')).toThrow(/not JSON/);
  });
});
