/**
 * A book's opening positions, entered or read from a CSV file, checked the way price imports are: every problem
 * is reported with where it is (line, ticker) and nothing is stored while any remains.
 *
 * - The CSV has a header row with a ticker column (the import's ticker aliases: ticker, symbol, ...) and either a
 *   shares column (shares, quantity, qty, units) or a weight column (weight, weights, allocation, pct, percent).
 *   Comma, semicolon or tab separated; fields may be double-quoted. A weight may be a fraction (0.05) or a
 *   percentage (5%).
 * - Refused: a ticker that is not a member of the book's universe, a ticker given twice, a negative or
 *   non-finite amount, a weight above 1, weights summing to more than 1 (the rest of the value is cash, so less
 *   than 1 is fine).
 * - Shares are valued at the closes of the book's data date; weights are turned into shares at those closes.
 */
import { normalizeHeader, normalizeTicker, parseNumberCell, TICKER_ALIASES } from '../data/cells';
import { sniffDelimiter } from '../data/reader';

export type PositionUnit = 'shares' | 'weights';

export interface PositionInput {
  ticker: string;
  amount: number;
  /** where it came from, for messages: "line 3" or "entry 2" */
  where: string;
}

export interface Problem {
  path: string;
  message: string;
}

/** Tolerance of "weights sum to at most 1". */
export const WEIGHT_SUM_TOLERANCE = 1e-9;

const SHARE_ALIASES: ReadonlySet<string> = new Set([
  'shares',
  'share',
  'quantity',
  'qty',
  'units',
  'holding',
  'holdings',
]);
const WEIGHT_ALIASES: ReadonlySet<string> = new Set(['weight', 'weights', 'allocation', 'pct', 'percent', 'w']);

/** Split one CSV line on `delim`, honouring double quotes ("" inside quotes is a quote). */
export function splitCsvLine(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delim) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/** A number cell, or a percentage ("5%" -> 0.05) where `percent` allows it; a message when it is neither. */
function amountOf(text: string, percent: boolean): { value: number } | { message: string } {
  const pct = percent && text.endsWith('%');
  const cell = parseNumberCell(pct ? text.slice(0, -1).trim() : text);
  if (cell.kind === 'value') return { value: pct ? cell.value / 100 : cell.value };
  if (cell.kind === 'missing') return { message: 'no amount' };
  return { message: cell.message };
}

/**
 * Read a positions CSV (see the file overview). Takes the text; gives the unit its header names, the entries and
 * the problems found while reading (a file with problems still gives every readable entry, for the preview).
 */
export function parsePositionsCsv(text: string): {
  unit: PositionUnit | null;
  entries: PositionInput[];
  problems: Problem[];
} {
  const problems: Problem[] = [];
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  const headAt = lines.findIndex((l) => l.trim() !== '');
  if (headAt < 0) return { unit: null, entries: [], problems: [{ path: 'file', message: 'the file is empty' }] };
  const delim = sniffDelimiter(lines[headAt]!);
  const header = splitCsvLine(lines[headAt]!, delim).map(normalizeHeader);
  const tickerCol = header.findIndex((h) => TICKER_ALIASES.has(h));
  const sharesCol = header.findIndex((h) => SHARE_ALIASES.has(h));
  const weightCol = header.findIndex((h) => WEIGHT_ALIASES.has(h));
  const where = `line ${headAt + 1}`;
  if (tickerCol < 0) problems.push({ path: where, message: 'the header has no ticker column (ticker, symbol, ...)' });
  if (sharesCol >= 0 && weightCol >= 0)
    problems.push({ path: where, message: 'the header has both a shares and a weight column: give one' });
  if (sharesCol < 0 && weightCol < 0)
    problems.push({
      path: where,
      message: 'the header has no shares column (shares, quantity, ...) and no weight column (weight, allocation, ...)',
    });
  if (problems.length) return { unit: null, entries: [], problems };
  const unit: PositionUnit = sharesCol >= 0 ? 'shares' : 'weights';
  const amountCol = sharesCol >= 0 ? sharesCol : weightCol;
  const entries: PositionInput[] = [];
  for (let k = headAt + 1; k < lines.length; k++) {
    const line = lines[k]!;
    if (line.trim() === '') continue;
    const at = `line ${k + 1}`;
    const cells = splitCsvLine(line, delim);
    const ticker = normalizeTicker(cells[tickerCol] ?? '');
    if (!ticker) {
      problems.push({ path: at, message: `not a ticker: "${(cells[tickerCol] ?? '').slice(0, 40)}"` });
      continue;
    }
    const a = amountOf(cells[amountCol] ?? '', unit === 'weights');
    if ('message' in a) {
      problems.push({ path: at, message: `${ticker}: ${a.message}` });
      continue;
    }
    entries.push({ ticker, amount: a.value, where: at });
  }
  return { unit, entries, problems };
}

/**
 * Check entries against the universe (see the file overview). Takes the unit, the entries and the universe's
 * tickers; gives the amounts (shares or weights) in the universe's order and the problems found.
 */
export function checkPositions(
  unit: PositionUnit,
  entries: readonly PositionInput[],
  tickers: readonly string[],
): { amounts: Float64Array; problems: Problem[] } {
  const problems: Problem[] = [];
  const col = new Map(tickers.map((t, i) => [t, i]));
  const amounts = new Float64Array(tickers.length);
  const seen = new Map<string, string>();
  let sum = 0;
  for (const e of entries) {
    const i = col.get(e.ticker);
    if (i === undefined) {
      problems.push({ path: e.where, message: `${e.ticker} is not a member of the book's universe` });
      continue;
    }
    const first = seen.get(e.ticker);
    if (first) {
      problems.push({ path: e.where, message: `${e.ticker} is given twice (first at ${first})` });
      continue;
    }
    seen.set(e.ticker, e.where);
    if (!Number.isFinite(e.amount) || e.amount < 0) {
      problems.push({
        path: e.where,
        message: `${e.ticker}: ${unit === 'shares' ? 'shares' : 'a weight'} must be zero or more, got ${e.amount}`,
      });
      continue;
    }
    if (unit === 'weights' && e.amount > 1) {
      problems.push({
        path: e.where,
        message: `${e.ticker}: a weight is a fraction of the book (at most 1 or 100%), got ${e.amount}`,
      });
      continue;
    }
    amounts[i] = e.amount;
    sum += e.amount;
  }
  if (unit === 'weights' && sum > 1 + WEIGHT_SUM_TOLERANCE)
    problems.push({
      path: 'weights',
      message: `the weights sum to ${sum.toFixed(6)}, more than 1 (the rest of the book is cash, so they may sum to less)`,
    });
  return { amounts, problems };
}
