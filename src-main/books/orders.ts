/**
 * The order list of an approved decision: one line per ticker whose weight changes (ticker, side, shares, the
 * estimated price — the close the decision saw — the estimated amount and the line's part of the cost), as CSV
 * (RFC 4180, through the reports' field rule, formula guard on) or XLSX (exceljs, like the reports: an Orders
 * sheet and an About sheet saying which book, date, answer and note it comes from).
 * Shares are the exact change the ledger books (fractional); a desk that trades whole shares rounds them.
 */
import ExcelJS from 'exceljs';
import type { DB } from '../store/db';
import { getBook, listDecisions } from '../store/books';
import { csvField } from '../reports/render/csv';
import { xlsxText } from '../reports/render/xlsx';
import type { OrderFormat, OrderList } from '../../src-shared/contract/books';
import { ServiceError } from '../services/errors';
import { decisionOut, latestDate } from './book';

export const ORDER_COLUMNS = [
  'ticker',
  'side',
  'shares',
  'estimated_price',
  'estimated_amount',
  'estimated_cost',
] as const;

/** The order list of the book's decision at `date`, or of its latest approved one. */
export function orderList(db: DB, name: string, date?: string): OrderList & { note: string } {
  const b = getBook(db, name);
  if (!b) throw new ServiceError('NOT_FOUND', `book ${name} not found`);
  const decisions = listDecisions(db, b.name);
  const d = date
    ? decisions.find((x) => x.date === date)
    : [...decisions].reverse().find((x) => x.answer && x.answer.status !== 'rejected');
  if (!d)
    throw new ServiceError(
      'NOT_FOUND',
      date ? `book ${b.name} has no decision on ${date}` : `book ${b.name} has no approved decision yet`,
    );
  if (!d.answer)
    throw new ServiceError('INVALID_INPUT', `the decision of ${d.date} is not answered yet: approve it first`);
  if (d.answer.status === 'rejected')
    throw new ServiceError('INVALID_INPUT', `the decision of ${d.date} was rejected: it has no orders`);
  const out = decisionOut(d, latestDate(db, b.universe));
  return {
    book: b.name,
    date: d.date,
    currency: b.currency,
    status: d.answer.status,
    lines: out.trades,
    note: d.answer.note,
  };
}

/** The order list as CSV text (see the file overview). */
export function ordersCsv(o: OrderList): string {
  const rows = [ORDER_COLUMNS.join(',')];
  for (const l of o.lines)
    rows.push(
      [l.ticker, l.side, Math.abs(l.shares), l.price, Math.abs(l.amount), l.cost].map((v) => csvField(v)).join(','),
    );
  return rows.join('\r\n') + '\r\n';
}

/** The order list as an XLSX workbook (see the file overview). */
export async function ordersXlsx(o: OrderList & { note: string }): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'HDRL Desk';
  const ws = wb.addWorksheet('Orders', { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] });
  const money = '#,##0.00';
  ws.columns = [
    { header: 'Ticker', width: 10 },
    { header: 'Side', width: 6 },
    { header: 'Shares', width: 14, style: { numFmt: '#,##0.0000' } },
    { header: `Estimated price (${o.currency})`, width: 20, style: { numFmt: money } },
    { header: `Estimated amount (${o.currency})`, width: 22, style: { numFmt: money } },
    { header: `Estimated cost (${o.currency})`, width: 20, style: { numFmt: money } },
  ];
  for (const l of o.lines)
    ws.addRow([xlsxText(l.ticker), l.side, Math.abs(l.shares), l.price, Math.abs(l.amount), l.cost]);
  ws.getRow(1).font = { bold: true };
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: 6 } };
  const about = wb.addWorksheet('About');
  about.columns = [
    { header: 'Field', width: 16 },
    { header: 'Value', width: 60 },
  ];
  for (const [k, v] of [
    ['Book', o.book],
    ['Decision date', o.date],
    ['Answer', o.status],
    ['Note', o.note],
    ['Currency', o.currency],
    ['Prices', "estimated at the decision date's close"],
  ] as const)
    about.addRow([k, xlsxText(v)]);
  about.getRow(1).font = { bold: true };
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** The order file's bytes and name. */
export async function orderFile(
  db: DB,
  name: string,
  format: OrderFormat,
  date?: string,
): Promise<{ fileName: string; bytes: Uint8Array }> {
  const o = orderList(db, name, date);
  const fileName = `${o.book}-orders-${o.date}.${format}`;
  return { fileName, bytes: format === 'csv' ? new TextEncoder().encode(ordersCsv(o)) : await ordersXlsx(o) };
}
