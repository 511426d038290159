/**
 * The Books view end to end, in Chromium against the headless host, on the DJIA data cut at 1999-12-31: create a
 * book, load its positions from a CSV, decide, approve, append the next day's prices (through the import, as a PM
 * does), decide again, have an over-budget edit refused with nothing stored, approve an edit, download the
 * orders and read the track record — each step checked against what the services say, with a screenshot.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { screenshotPath } from '../helpers/browser';
import { cutEngine } from '../books/helpers';
import { useDesk } from '../helpers/desk';

const desk = useDesk(() => cutEngine('1999-12-31'), {
  page: { viewport: { width: 1280, height: 1000 }, acceptDownloads: true },
});

const text = (id: string) => desk.text(`[data-testid="${id}"]`);

describe('Books view in Chromium', () => {
  it('creates a book, loads positions, decides and approves, then adjusts the next day', async () => {
    await desk.page.goto(`${desk.host.url}#/books`);
    await desk.page.locator('h1', { hasText: 'Books' }).waitFor();
    await desk.page.click('[data-testid="book-new"]');
    await desk.page.fill('[data-testid="book-create-name"]', 'pm1');
    await desk.page.fill('[data-testid="book-create-value"]', '1000000');
    await desk.page.selectOption('[data-testid="book-create-strategy"]', 'crp');
    await desk.page.click('[data-testid="book-create-submit"]');
    await desk.page.locator('[data-testid="book-data-date"]', { hasText: '1999-12-31' }).waitFor();
    expect(await text('book-value')).toBe('1,000,000.00');
    await desk.page.screenshot({ path: screenshotPath('book-created') });

    const csv = path.join(desk.engine.dir, 'positions.csv');
    fs.writeFileSync(csv, 'ticker,weight\nAA,10%\nIBM,0.2\nGE,0.1\n');
    await desk.page.setInputFiles('[data-testid="book-positions-file"]', csv);
    await desk.page.locator('[data-testid="position-IBM"]').waitFor();
    const b = await desk.engine.call('books.get', { name: 'pm1' });
    expect(
      b.positions
        .filter((p) => p.shares > 0)
        .map((p) => p.ticker)
        .sort(),
    ).toEqual(['AA', 'GE', 'IBM']);

    await desk.page.click('[data-testid="book-decide"]');
    await desk.page.locator('[data-testid="book-decision-head"]', { hasText: '1999-12-31' }).waitFor();
    const d = await desk.engine.call('books.decision', { name: 'pm1' });
    expect(await desk.page.locator('[data-testid="warning-turnover"]').innerText()).toContain(
      d.warnings.find((w) => w.code === 'turnover')!.message,
    );
    const ibm = d.trades.find((t) => t.ticker === 'IBM')!;
    expect(ibm.side).toBe('SELL');
    expect(await desk.page.locator('[data-testid="decision-IBM"]').innerText()).toContain('SELL');
    await desk.page.screenshot({ path: screenshotPath('book-decision'), fullPage: true });
    await desk.page.fill('[data-testid="book-note"]', 'rebalance to equal weight');
    await desk.page.click('[data-testid="book-approve"]');
    await desk.page.locator('[data-testid="book-outcome"]', { hasText: 'approved' }).waitFor();
    expect(await text('book-pending')).toBe('approved 1999-12-31');

    // the next morning: prices of 2000-01-03 arrive, the approved targets are the positions
    await desk.engine.append('2000-01-03');
    await desk.page.reload();
    await desk.page.locator('[data-testid="book-data-date"]', { hasText: '2000-01-03' }).waitFor();
    expect(await desk.page.locator('[data-testid^="position-"]').count()).toBe(30);
    await desk.page.click('[data-testid="book-decide"]');
    await desk.page.locator('[data-testid="book-decision-head"]', { hasText: '2000-01-03' }).waitFor();

    // an edit over the turnover budget is refused and nothing is stored
    for (const t of ['AA', 'AXP', 'T', 'BA', 'CAT', 'C', 'KO', 'DD', 'EK', 'XOM'])
      await desk.page.fill(`[data-testid="edit-${t}"]`, '0');
    await desk.page.fill('[data-testid="book-note"]', 'de-risk');
    await desk.page.click('[data-testid="book-approve"]');
    await desk.page.locator('[data-testid="book-error"]', { hasText: 'turnover budget' }).waitFor();
    expect((await desk.engine.call('books.decision', { name: 'pm1' })).outcome).toBeNull();
    await desk.page.screenshot({ path: screenshotPath('book-edit-refused'), fullPage: true });

    for (const t of ['AXP', 'T', 'BA', 'CAT', 'C', 'KO', 'DD', 'EK', 'XOM'])
      await desk.page.fill(`[data-testid="edit-${t}"]`, '');
    await desk.page.fill('[data-testid="edit-AA"]', '5');
    await desk.page.fill('[data-testid="edit-IBM"]', '1.5');
    await desk.page.fill('[data-testid="book-note"]', 'more AA, less IBM');
    await desk.page.click('[data-testid="book-approve"]');
    await desk.page.locator('[data-testid="book-outcome"]', { hasText: 'adjusted' }).waitFor();
    const adj = await desk.engine.call('books.decision', { name: 'pm1' });
    expect(adj.outcome!.weights![adj.tickers.indexOf('AA')]).toBeCloseTo(0.05, 12);
    expect(adj.outcome!.weights![adj.tickers.indexOf('IBM')]).toBeCloseTo(0.015, 12);
    expect(adj.outcome!.note).toBe('more AA, less IBM');

    const [download] = await Promise.all([
      desk.page.waitForEvent('download'),
      desk.page.click('[data-testid="book-orders-csv"]'),
    ]);
    expect(download.suggestedFilename()).toBe('pm1-orders-2000-01-03.csv');
    const body = fs.readFileSync((await download.path())!, 'utf8');
    expect(body.split('\r\n')[0]).toBe('ticker,side,shares,estimated_price,estimated_amount,estimated_cost');
    expect(body.trim().split('\r\n').length - 1).toBe(adj.trades.length);

    const tr = await desk.engine.call('books.trackRecord', { name: 'pm1' });
    expect(tr.from).toBe('1999-12-31');
    await desk.page.locator('[data-testid="chart-book-record"]').waitFor();
    expect(await text('book-metrics')).toContain('realised');
    await desk.page.screenshot({ path: screenshotPath('book-record'), fullPage: true });
    expect(desk.errors.filter((m) => !/status of 4\d\d/.test(m))).toEqual([]);
  });
});
