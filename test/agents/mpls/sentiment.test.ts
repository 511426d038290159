/**
 * MPLS's sentiment index and module (agents/mpls/sentiment.ts) against values worked out by hand: the confidence
 * filter, the lag of social and earnings rows, non-trading days, the EMA, the proposal and features; causality (rows
 * dated after t change nothing at t); the off reasons; and a stored module deciding as the fitted one.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import type { NewsSource } from '../../../src-shared/contract/news';
import { classLayout } from '../../../src-main/agents/hadaps/classes';
import {
  DEFAULT_SENTIMENT_CONFIG,
  sentimentArtifact,
  sentimentIndex,
  sentimentModuleFor,
  sentimentModuleFrom,
  type ScoredNewsItem,
  type SentimentInput,
} from '../../../src-main/agents/mpls/sentiment';

// Mon 3 .. Fri 7, Mon 10 January 2000
const dates = ['2000-01-03', '2000-01-04', '2000-01-05', '2000-01-06', '2000-01-07', '2000-01-10'];
const tickers = ['A', 'B', 'C'];
const assets = [
  { ticker: 'A', name: 'A', class: 'Equity', sector: 'Tech' },
  { ticker: 'B', name: 'B', class: 'Equity', sector: 'Tech' },
  { ticker: 'C', name: 'C', class: 'Equity', sector: 'Energy' },
];
const prices = { dates, tickers, assets };
// one class, so classes by sector, in name order: Energy 0, Tech 1
const layout = classLayout(tickers, assets, 'auto');

const item = (
  date: string,
  target: { ticker?: string; sector?: string },
  source: NewsSource,
  [positive, neutral, negative]: [number, number, number],
): ScoredNewsItem => ({
  date,
  ticker: target.ticker ?? null,
  sector: target.sector ?? null,
  source,
  positive,
  neutral,
  negative,
});

const items: ScoredNewsItem[] = [
  item('2000-01-03', { ticker: 'A' }, 'news', [0.8, 0.1, 0.1]), // Tech day 0: +0.7
  item('2000-01-03', { ticker: 'B' }, 'news', [0.1, 0.2, 0.7]), // Tech day 0: -0.6
  item('2000-01-03', { sector: 'energy' }, 'social', [0.9, 0.05, 0.05]), // lagged: Energy day 1: +0.85
  item('2000-01-08', { ticker: 'C' }, 'news', [0.1, 0.2, 0.7]), // Saturday: Energy day 5 (Mon 10): -0.6
  item('2000-01-04', { ticker: 'A' }, 'news', [0.5, 0.3, 0.2]), // largest 0.5 < 0.6: filtered out
  item('2000-01-07', { ticker: 'A' }, 'earnings', [0.6, 0.3, 0.1]), // 0.6 passes; lagged: Tech day 5: +0.5
  item('1999-12-31', { ticker: 'A' }, 'news', [0.9, 0.05, 0.05]), // before the prices: nowhere
  item('2000-01-10', { ticker: 'A' }, 'social', [0.9, 0.05, 0.05]), // lagged past the last day: nowhere
];
const input = (its: readonly ScoredNewsItem[], total = its.length): SentimentInput => ({
  universe: 'u',
  total,
  unscored: total - its.length,
  items: its,
});
const all = { first: 0, last: dates.length - 1 };

const near = (a: ArrayLike<number>, b: readonly number[]) =>
  expect(Array.from(a).map((x) => +x.toFixed(9))).toEqual(b.map((x) => +x.toFixed(9)));

describe('the daily index', () => {
  it('filters, lags, moves non-trading days forward, averages and smooths as worked out by hand', () => {
    expect(layout.classes.map((c) => c.name)).toEqual(['Energy', 'Tech']);
    const ix = sentimentIndex(items, prices, layout);
    const raw = ix.raw.map((r) => Array.from(r));
    expect(raw).toEqual(
      [
        [0, 0.05],
        [0.85, 0],
        [0, 0],
        [0, 0],
        [0, 0],
        [-0.6, 0.5],
      ].map((r) => r.map((x) => expect.closeTo(x, 12))),
    );
    expect(ix.counted.map((r) => Array.from(r))).toEqual([
      [0, 2],
      [1, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [1, 1],
    ]);
    // alpha = 2 / (3 + 1) = 0.5
    near(
      ix.ema.map((r) => r[0]!),
      [0, 0.425, 0.2125, 0.10625, 0.053125, -0.2734375],
    );
    near(
      ix.ema.map((r) => r[1]!),
      [0.05, 0.025, 0.0125, 0.00625, 0.003125, 0.2515625],
    );
  });

  it('counts a sector row for every class holding an asset of that sector', () => {
    const mixed = [
      { ticker: 'A', name: 'A', class: 'Equity', sector: 'Tech' },
      { ticker: 'B', name: 'B', class: 'Bond', sector: 'Tech' },
      { ticker: 'C', name: 'C', class: 'Bond', sector: 'Energy' },
    ];
    const l = classLayout(tickers, mixed, 'auto');
    expect(l.classes.map((c) => c.name)).toEqual(['Bond', 'Equity']);
    const ix = sentimentIndex(
      [item('2000-01-03', { sector: 'Tech' }, 'news', [0.8, 0.1, 0.1])],
      { ...prices, assets: mixed },
      l,
    );
    near(ix.raw[0]!, [0.7, 0.7]);
  });
});

describe('the module', () => {
  it('proposes the softmax of index / temperature and gives [index, log1p(rows over 3 days)] per sector', () => {
    const r = sentimentModuleFor(input(items), prices, layout, all);
    if ('off' in r) throw new Error(r.reason);
    const m = r.module;
    expect([m.name, m.sectorWidth, m.assetWidth, m.firstDay]).toEqual(['sentiment', 2, 0, 0]);
    const d5 = m.day(5);
    const z = [-0.2734375 / 0.25, 0.2515625 / 0.25].map(Math.exp);
    near(d5.proposal, [z[0]! / (z[0]! + z[1]!), z[1]! / (z[0]! + z[1]!)]);
    // days 3..5: one row each; float32 features
    expect(Array.from(d5.sectorFeatures)).toEqual([
      Math.fround(-0.2734375),
      Math.fround(Math.log(2)),
      Math.fround(0.2515625),
      Math.fround(Math.log(2)),
    ]);
    // day 2 looks back over days 0..2: Energy 1 row, Tech 2
    expect(Array.from(m.day(2).sectorFeatures)).toEqual([
      Math.fround(0.2125),
      Math.fround(Math.log(2)),
      Math.fround(0.0125),
      Math.fround(Math.log(3)),
    ]);
    expect(m.day(5).assetFeatures.length).toBe(0);
    expect(() => m.day(6)).toThrow(RangeError);
  });

  it('is causal: rows dated after day t change nothing at t', () => {
    const rng = seedrandom('sentiment-lookahead');
    const sources: NewsSource[] = ['news', 'social', 'earnings', 'other'];
    const many: ScoredNewsItem[] = Array.from({ length: 300 }, () => {
      const p = [rng(), rng(), rng()];
      const s = p[0]! + p[1]! + p[2]!;
      const day = 3 + Math.floor(rng() * 9); // 3..11 January, weekend days included
      return item(
        `2000-01-${String(day).padStart(2, '0')}`,
        rng() < 0.5 ? { ticker: tickers[Math.floor(rng() * 3)]! } : { sector: rng() < 0.5 ? 'Tech' : 'Energy' },
        sources[Math.floor(rng() * 4)]!,
        [p[0]! / s, p[1]! / s, p[2]! / s],
      );
    });
    const full = sentimentModuleFor(input(many), prices, layout, all);
    if ('off' in full) throw new Error(full.reason);
    for (let t = 0; t < dates.length; t++) {
      const known = many.filter((it) => it.date <= dates[t]!);
      // the stored-model form has no training-days condition: only what is known by t
      const cut = sentimentModuleFrom(sentimentArtifact(), input(known), prices, layout);
      if ('off' in cut) throw new Error(cut.reason);
      expect(cut.module.day(t)).toEqual(full.module.day(t));
    }
    // and the check has teeth: rows of the last day do change its reading
    const early = many.filter((it) => it.date < dates[5]!);
    const cut = sentimentModuleFor(input(early), prices, layout, all);
    if ('off' in cut) throw new Error(cut.reason);
    expect(cut.module.day(5)).not.toEqual(full.module.day(5));
  });

  it('says why it is off: no news, news not scored, nothing confident in the training days', () => {
    expect(sentimentModuleFor(input([]), prices, layout, all)).toEqual({ off: true, reason: 'no news imported for u' });
    expect(sentimentModuleFor(input([], 4), prices, layout, all)).toEqual({
      off: true,
      reason: 'news imported but not scored: run hdrl news score --universe u --model DIR (or import pre-scored rows)',
    });
    const r = sentimentModuleFor(input(items), prices, layout, { first: 2, last: 4 });
    expect(r).toEqual({
      off: true,
      reason:
        'no news in the training days (2000-01-05 .. 2000-01-07) passes the confidence filter (largest probability >= 0.6) for a sector of the universe',
    });
  });

  it('rebuilt from its artifact over the same news, decides as the fitted module', () => {
    const cfg = { ...DEFAULT_SENTIMENT_CONFIG, temperature: 0.5, lagDays: 2 };
    const fitted = sentimentModuleFor(input(items), prices, layout, all, cfg);
    const art = JSON.parse(JSON.stringify(sentimentArtifact(cfg))) as ReturnType<typeof sentimentArtifact>;
    const stored = sentimentModuleFrom(art, input(items), prices, layout);
    if ('off' in fitted || 'off' in stored) throw new Error('off');
    for (let t = 0; t < dates.length; t++) expect(stored.module.day(t)).toEqual(fitted.module.day(t));
    expect(() => sentimentIndex(items, prices, layout, { ...cfg, temperature: 0 })).toThrow(/temperature/);
  });
});
