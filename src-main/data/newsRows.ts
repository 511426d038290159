/**
 * The rows of a news file checked one by one (docs/news.md "The file"), for the news import (news.ts): which column
 * holds what (header aliases), and each row's date, target (a member ticker or a sector of the universe), source,
 * text and optional probabilities, with a file:line:column problem for every cell that is wrong.
 */
import { createHash } from 'node:crypto';
import { NEWS_SOURCES, type NewsSource } from '../../src-shared/contract/news';
import {
  clip,
  DATE_ALIASES,
  normalizeHeader,
  normalizeTicker,
  parseDate,
  parseNumberCell,
  TICKER_ALIASES,
} from './cells';
import type { ProblemSink } from './problems';

/** Longest text of one row, characters: a long article; BERT reads only its first few hundred tokens anyway. */
export const MAX_NEWS_TEXT_CHARS = 100_000;
/** How far the three probabilities of a pre-scored row may sum from 1. */
export const PROB_SUM_TOLERANCE = 1e-3;

/** Header names (after normalizeHeader) of each column besides the date and the ticker. */
const COLUMN_ALIASES = {
  sector: new Set(['sector', 'industry', 'gicssector']),
  source: new Set(['source', 'sourcetype', 'type']),
  text: new Set(['text', 'headline', 'title', 'body']),
  positive: new Set(['positive', 'pos', 'ppositive']),
  neutral: new Set(['neutral', 'neu', 'pneutral']),
  negative: new Set(['negative', 'neg', 'pnegative']),
} as const;
export type Column = 'date' | 'ticker' | keyof typeof COLUMN_ALIASES;

/** One checked row, staged. */
export interface StagedRow {
  line: number;
  hash: string;
  date: string;
  ticker: string | null;
  sector: string | null;
  source: NewsSource;
  text: string;
  probs: [number, number, number] | null;
}

/** A universe's members as rows are checked against them (news.ts universeMembers). */
export interface UniverseMembers {
  /** ticker -> its asset's sector */
  tickers: Map<string, string>;
  /** sector in lower case -> the sector as stored */
  sectors: Map<string, string>;
}

/** The column of each role from the header, or the header's errors. */
export function mapHeader(
  header: readonly string[],
  problems: ProblemSink,
  file: string,
  line: number,
): Partial<Record<Column, number>> | null {
  const cols: Partial<Record<Column, number>> = {};
  const ignored: string[] = [];
  header.forEach((h, c) => {
    const n = normalizeHeader(h);
    let role: Column | null = DATE_ALIASES.has(n) ? 'date' : TICKER_ALIASES.has(n) ? 'ticker' : null;
    for (const [k, aliases] of Object.entries(COLUMN_ALIASES)) if (!role && aliases.has(n)) role = k as Column;
    if (!role) {
      ignored.push(h === '' ? `(column ${c + 1})` : clip(h, 24));
      return;
    }
    if (cols[role] !== undefined)
      problems.error('duplicate-column', file, line, c + 1, `two ${role} columns (${cols[role]! + 1} and ${c + 1})`);
    else cols[role] = c;
  });
  if (ignored.length)
    problems.warning('ignored-columns', file, line, null, `columns not imported: ${ignored.join(', ')}`);
  const missing: string[] = [];
  if (cols.date === undefined) missing.push('date');
  if (cols.ticker === undefined && cols.sector === undefined) missing.push('ticker or sector');
  if (cols.source === undefined) missing.push('source');
  if (cols.text === undefined) missing.push('text');
  if (missing.length)
    problems.error(
      'missing-columns',
      file,
      line,
      null,
      `no ${missing.join(', ')} column (a news file has date, ticker or sector, source, text, and optionally positive, neutral, negative)`,
    );
  const probCols = (['positive', 'neutral', 'negative'] as const).filter((k) => cols[k] !== undefined);
  if (probCols.length > 0 && probCols.length < 3)
    problems.error(
      'partial-probabilities',
      file,
      line,
      null,
      `only ${probCols.join(', ')} of the probability columns: give positive, neutral and negative, or none`,
    );
  return problems.hasErrors ? null : cols;
}

/** Check one data row; gives it staged-ready, or null with its problems reported. */
export function checkRow(
  rec: readonly string[],
  width: number,
  cols: Partial<Record<Column, number>>,
  members: UniverseMembers,
  P: ProblemSink,
  file: string,
  line: number,
): StagedRow | null {
  if (rec.length !== width) {
    P.error('ragged-row', file, line, Math.min(rec.length, width) + 1, `${rec.length} fields, the header has ${width}`);
    return null;
  }
  const cell = (c: Column) => (cols[c] === undefined ? '' : rec[cols[c]!]!);
  const at = (c: Column) => cols[c]! + 1;
  let ok = true;
  const err = (code: string, c: Column | null, message: string) => {
    P.error(code, file, line, c === null ? null : at(c), message);
    ok = false;
  };
  const pd = parseDate(cell('date'));
  if (!pd.ok) err('bad-date', 'date', pd.message);
  const tickerText = cell('ticker');
  const sectorText = cell('sector');
  let ticker: string | null = null;
  let sector: string | null = null;
  if (tickerText && sectorText)
    err('ticker-and-sector', 'sector', 'a row names a ticker or a sector, not both (leave one of them empty)');
  else if (!tickerText && !sectorText)
    err(
      'no-target',
      cols.ticker !== undefined ? 'ticker' : 'sector',
      'no ticker and no sector: a row needs one of them',
    );
  else if (tickerText) {
    ticker = normalizeTicker(tickerText);
    if (!ticker || !members.tickers.has(ticker))
      err('unknown-ticker', 'ticker', `ticker ${clip(tickerText)} is not a member of the universe`);
  } else {
    sector = members.sectors.get(sectorText.trim().toLowerCase()) ?? null;
    if (!sector)
      err(
        'unknown-sector',
        'sector',
        `sector "${clip(sectorText)}" is not the sector of any asset of the universe (${[...members.sectors.values()].slice(0, 8).join(', ') || 'its assets have no sectors'})`,
      );
  }
  const source = cell('source').toLowerCase();
  if (!(NEWS_SOURCES as readonly string[]).includes(source))
    err('bad-source', 'source', `source "${clip(cell('source'))}" is not one of ${NEWS_SOURCES.join(', ')}`);
  const text = cell('text');
  if (text.length > MAX_NEWS_TEXT_CHARS)
    err(
      'text-too-long',
      'text',
      `text of ${text.length.toLocaleString('en-US')} characters, more than ${MAX_NEWS_TEXT_CHARS.toLocaleString('en-US')}`,
    );
  let probs: [number, number, number] | null = null;
  if (cols.positive !== undefined) {
    const raw = (['positive', 'neutral', 'negative'] as const).map((c) => cell(c));
    const given = raw.filter((x) => x !== '').length;
    if (given === 3) {
      const vals = (['positive', 'neutral', 'negative'] as const).map((c) => {
        const n = parseNumberCell(cell(c));
        if (n.kind !== 'value' || !(n.value >= 0 && n.value <= 1)) {
          err('bad-probability', c, `${c} "${clip(cell(c))}" is not a probability (a number from 0 to 1)`);
          return NaN;
        }
        return n.value;
      });
      const sum = vals[0]! + vals[1]! + vals[2]!;
      if (vals.every(Number.isFinite) && Math.abs(sum - 1) > PROB_SUM_TOLERANCE)
        err(
          'probabilities-sum',
          'positive',
          `positive, neutral and negative sum to ${+sum.toFixed(6)}, not 1 (within ${PROB_SUM_TOLERANCE})`,
        );
      probs = vals as [number, number, number];
    } else if (given > 0) {
      err('partial-probabilities', 'positive', 'give all three probabilities (positive, neutral, negative) or none');
    }
  }
  if (!probs && text === '' && ok)
    err('empty-text', 'text', 'no text and no probabilities: a row needs a text to score, or its probabilities');
  if (!ok || !pd.ok) return null;
  const hash = createHash('sha256')
    .update(JSON.stringify([pd.date, ticker, sector, source, text, probs]))
    .digest('hex');
  return { line, hash, date: pd.date, ticker, sector, source: source as NewsSource, text, probs };
}
