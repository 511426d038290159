/**
 * The sentiment pipeline end to end on the tiny BERT-shaped model the test builds (issue 19): `hdrl news import` a
 * CSV of texts, `hdrl news score` it with the model directory, `hdrl news list`, then the sentiment module over the
 * stored rows. The stored probabilities are checked against the model's forward pass computed in plain JavaScript
 * (test/helpers/tinyBert.ts) to 1e-5, and the module's index against the index rule applied to those.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classLayout } from '../../src-main/agents/hadaps/classes';
import { sentimentIndex, sentimentModuleFor, type ScoredNewsItem } from '../../src-main/agents/mpls/sentiment';
import { parseVocab, WordPieceTokenizer } from '../../src-main/compute/text/wordpiece';
import { openDatabase } from '../../src-main/store/db';
import { sentimentInput } from '../../src-main/store/news';
import { loadPriceMatrix } from '../../src-main/store/prices';
import { tempEngine } from '../helpers/engine';
import { buildTinyBert, tinyBertForward, tinyBertWeights, TINY_VOCAB, writeTinyBertDir } from '../helpers/tinyBert';
import { rows, runCli } from './helpers';

let engine: ReturnType<typeof tempEngine>;
beforeAll(() => {
  engine = tempEngine();
  engine.close(); // the commands open the database themselves
});
afterAll(() => fs.rmSync(engine.dir, { recursive: true, force: true }));

const TEXTS: [string, string, string][] = [
  // date, ticker or ,sector, source
  ['2000-06-01', 'IBM,', 'news'],
  ['2000-06-01', 'MSFT,', 'news'],
  ['2000-06-02', ',Energy', 'social'],
  ['2000-06-03', 'XOM,', 'news'], // a Saturday: counts on Monday 5 June
  ['2000-06-05', 'INTC,', 'earnings'],
  ['2000-06-06', ',Information Technology', 'news'],
  ['2000-06-06', 'AA,', 'other'],
  ['2000-06-07', 'IBM,', 'news'],
];
const SENTENCES = [
  'The company beat, profits rose!',
  'Sales fell sharply; weak quarter.',
  'Shares up, up, up',
  'loss loss loss',
  'Strong quarter: profits beat',
  'the shares fell down',
  'Café sales unable to rise',
  'profits, sales, shares: strong',
];

describe('news -> FinBERT (tiny) -> index', () => {
  it('imports, scores with the model, lists, and feeds the module the same probabilities as the hand-computed forward', async () => {
    const w = tinyBertWeights(3);
    const modelDir = writeTinyBertDir(path.join(engine.dir, 'tiny-finbert'), buildTinyBert(w), {
      config: { id2label: { 0: 'positive', 1: 'negative', 2: 'neutral' } },
      tokenizerConfig: { do_lower_case: true },
    });
    const file = path.join(engine.dir, 'news.csv');
    fs.writeFileSync(
      file,
      ['date,ticker,sector,source,text', ...TEXTS.map(([d, t, s], i) => `${d},${t},${s},"${SENTENCES[i]}"`)].join('\n'),
    );
    const db = engine.dbPath;

    const pre = await runCli(db, ['news', 'import', file, '--universe', 'djia30', '--preview']);
    expect(pre.code).toBe(0);
    expect(pre.stdout).toMatch(/8 readable, 8 new, 0 stored already; 0 pre-scored/);
    expect(pre.stdout).toMatch(/preview: nothing written/);
    const imp = await runCli(db, ['news', 'import', file, '--universe', 'djia30']);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toMatch(/imported: news batch \d+, 8 rows into djia30/);
    const before = await runCli(db, ['news', 'list', '--universe', 'djia30']);
    expect(before.stdout).toMatch(/sentiment: off: news imported but not scored: run hdrl news score/);

    const sc = await runCli(db, ['news', 'score', '--universe', 'djia30', '--model', modelDir, '--batch-size', '3']);
    expect(sc.stderr).toBe('');
    expect(sc.code).toBe(0);
    expect(sc.stdout).toMatch(/scored 8 rows of djia30 with model [0-9a-f]{12} \(labels: config.json id2label\)/);
    const list = await runCli(db, ['news', 'list', '--universe', 'djia30']);
    expect(list.stdout).toMatch(/8 scored \(0 in the file, 8 by a model\), 0 not scored/);
    expect(list.stdout).toMatch(/sentiment: on/);
    // scoring again finds nothing left to score
    expect((await runCli(db, ['news', 'score', '--universe', 'djia30', '--model', modelDir])).stdout).toMatch(
      /scored 0 rows/,
    );

    const conn = openDatabase(db);
    try {
      const stored = rows<{ text: string; positive: number; neutral: number; negative: number; scored_by: string }>(
        conn,
        'SELECT text, positive, neutral, negative, scored_by FROM news ORDER BY id',
      );
      const tok = new WordPieceTokenizer(parseVocab(`${TINY_VOCAB.join('\n')}\n`));
      stored.forEach((r, i) => {
        expect(r.text).toBe(SENTENCES[i]);
        const z = tinyBertForward(w, tok.encode(r.text).ids);
        const m = Math.max(...z);
        const e = z.map((x) => Math.exp(x - m));
        const s = e[0]! + e[1]! + e[2]!;
        // logit order positive, negative, neutral (config.json)
        expect(r.positive).toBeCloseTo(e[0]! / s, 5);
        expect(r.negative).toBeCloseTo(e[1]! / s, 5);
        expect(r.neutral).toBeCloseTo(e[2]! / s, 5);
        expect(r.scored_by).toMatch(/^[0-9a-f]{64}$/);
      });

      const prices = loadPriceMatrix(conn, 'djia30');
      const layout = classLayout(prices.tickers, prices.assets, 'auto');
      const news = sentimentInput(conn, 'djia30');
      expect([news.total, news.unscored, news.items.length]).toEqual([8, 0, 8]);
      // a confidence the tiny model's probabilities clear in part: some rows kept, some filtered
      const confidence = 0.8;
      const kept = news.items.filter((it) => Math.max(it.positive, it.neutral, it.negative) >= confidence);
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThan(8);
      const cfg = {
        confidence,
        laggedSources: ['social', 'earnings'] as const,
        lagDays: 1,
        emaSpan: 3,
        temperature: 0.25,
        countDays: 3,
      };
      const train = { first: 0, last: prices.dates.indexOf('2000-06-30') };
      const r = sentimentModuleFor(news, prices, layout, train, { ...cfg, laggedSources: [...cfg.laggedSources] });
      if ('off' in r) throw new Error(r.reason);
      // the index from the hand-checked probabilities of the CSV's rows
      const fromProbs: ScoredNewsItem[] = stored.map((s, i) => {
        const [date, target, source] = TEXTS[i]!;
        const [ticker, sector] = target.split(',');
        return {
          date,
          ticker: ticker || null,
          sector: sector || null,
          source: source as ScoredNewsItem['source'],
          ...s,
        };
      });
      const ref = sentimentIndex(fromProbs, prices, layout, { ...cfg, laggedSources: [...cfg.laggedSources] });
      const t = prices.dates.indexOf('2000-06-09');
      expect(Array.from(r.index.ema[t]!)).toEqual(Array.from(ref.ema[t]!));
      expect(
        r.index.counted
          .slice(0, t + 1)
          .flatMap((c) => Array.from(c))
          .reduce((a, b) => a + b, 0),
      ).toBeGreaterThan(0);
    } finally {
      conn.close();
    }
  });

  it('refuses a model directory without model.onnx, naming the file', async () => {
    const dir = path.join(engine.dir, 'empty-model');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'vocab.txt'), TINY_VOCAB.join('\n'));
    const r = await runCli(engine.dbPath, ['news', 'score', '--universe', 'djia30', '--model', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /no such model.onnx in .*empty-model \(a FinBERT model directory holds model.onnx and vocab.txt/,
    );
  });
});
