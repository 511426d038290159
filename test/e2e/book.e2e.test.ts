/**
 * The Books view end to end, in Chromium against the headless host, on the DJIA data cut at 1999-12-31: create a
 * book, load its positions from a CSV, decide, approve, append the next day's prices (through the import, as a PM
 * does), decide again, have an over-budget edit refused with nothing stored, approve an edit, download the
 * orders and read the track record — each step checked against what the services say, with a screenshot.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startHost, type Host } from '../../src-main/host/server';
import { ensureBuilt, launchBrowser, openSignedIn, screenshotPath, collectPageErrors } from '../helpers/browser';
import { cutEngine } from '../books/helpers';

let e: Awaited<ReturnType<typeof cutEngine>>;
let host: Host;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  const dir = ensureBuilt();
  e = await cutEngine('1999-12-31');
  host = await startHost(e, { rendererDir: dir });
  browser = await launchBrowser();
  page = await openSignedIn(browser, host, { viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  collectPageErrors(page, consoleErrors);
});
afterAll(async () => {
  await browser?.close();
  await host?.close();
  e?.close();
});

const text = async (id: string) => ((await page.locator(`[data-testid="${id}"]`).textContent()) ?? '').trim();

describe('Books view in Chromium', () => {
  it('creates a book, loads positions, decides and approves, then adjusts the next day', async () => {
    await page.goto(`${host.url}#/books`);
    await page.locator('h1', { hasText: 'Books' }).waitFor();
    await page.click('[data-testid="book-new"]');
    await page.fill('[data-testid="book-create-name"]', 'pm1');
    await page.fill('[data-testid="book-create-value"]', '1000000');
    await page.selectOption('[data-testid="book-create-strategy"]', 'crp');
    await page.click('[data-testid="book-create-submit"]');
    await page.locator('[data-testid="book-data-date"]', { hasText: '1999-12-31' }).waitFor();
    expect(await text('book-value')).toBe('1,000,000.00');
    await page.screenshot({ path: screenshotPath('book-created') });

    const csv = path.join(e.dir, 'positions.csv');
    fs.writeFileSync(csv, 'ticker,weight\nAA,10%\nIBM,0.2\nGE,0.1\n');
    await page.setInputFiles('[data-testid="book-positions-file"]', csv);
    await page.locator('[data-testid="position-IBM"]').waitFor();
    const b = await e.call('books.get', { name: 'pm1' });
    expect(
      b.positions
        .filter((p) => p.shares > 0)
        .map((p) => p.ticker)
        .sort(),
    ).toEqual(['AA', 'GE', 'IBM']);

    await page.click('[data-testid="book-decide"]');
    await page.locator('[data-testid="book-decision-head"]', { hasText: '1999-12-31' }).waitFor();
    const d = await e.call('books.decision', { name: 'pm1' });
    expect(await page.locator('[data-testid="warning-turnover"]').innerText()).toContain(
      d.warnings.find((w) => w.code === 'turnover')!.message,
    );
    const ibm = d.trades.find((t) => t.ticker === 'IBM')!;
    expect(ibm.side).toBe('SELL');
    expect(await page.locator('[data-testid="decision-IBM"]').innerText()).toContain('SELL');
    await page.screenshot({ path: screenshotPath('book-decision'), fullPage: true });
    await page.fill('[data-testid="book-note"]', 'rebalance to equal weight');
    await page.click('[data-testid="book-approve"]');
    await page.locator('[data-testid="book-outcome"]', { hasText: 'approved' }).waitFor();
    expect(await text('book-pending')).toBe('approved 1999-12-31');

    // the next morning: prices of 2000-01-03 arrive, the approved targets are the positions
    await e.append('2000-01-03');
    await page.reload();
    await page.locator('[data-testid="book-data-date"]', { hasText: '2000-01-03' }).waitFor();
    expect(await page.locator('[data-testid^="position-"]').count()).toBe(30);
    await page.click('[data-testid="book-decide"]');
    await page.locator('[data-testid="book-decision-head"]', { hasText: '2000-01-03' }).waitFor();

    // an edit over the turnover budget is refused and nothing is stored
    for (const t of ['AA', 'AXP', 'T', 'BA', 'CAT', 'C', 'KO', 'DD', 'EK', 'XOM'])
      await page.fill(`[data-testid="edit-${t}"]`, '0');
    await page.fill('[data-testid="book-note"]', 'de-risk');
    await page.click('[data-testid="book-approve"]');
    await page.locator('[data-testid="book-error"]', { hasText: 'turnover budget' }).waitFor();
    expect((await e.call('books.decision', { name: 'pm1' })).outcome).toBeNull();
    await page.screenshot({ path: screenshotPath('book-edit-refused'), fullPage: true });

    for (const t of ['AXP', 'T', 'BA', 'CAT', 'C', 'KO', 'DD', 'EK', 'XOM'])
      await page.fill(`[data-testid="edit-${t}"]`, '');
    await page.fill('[data-testid="edit-AA"]', '5');
    await page.fill('[data-testid="edit-IBM"]', '1.5');
    await page.fill('[data-testid="book-note"]', 'more AA, less IBM');
    await page.click('[data-testid="book-approve"]');
    await page.locator('[data-testid="book-outcome"]', { hasText: 'adjusted' }).waitFor();
    const adj = await e.call('books.decision', { name: 'pm1' });
    expect(adj.outcome!.weights![adj.tickers.indexOf('AA')]).toBeCloseTo(0.05, 12);
    expect(adj.outcome!.weights![adj.tickers.indexOf('IBM')]).toBeCloseTo(0.015, 12);
    expect(adj.outcome!.note).toBe('more AA, less IBM');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid="book-orders-csv"]'),
    ]);
    expect(download.suggestedFilename()).toBe('pm1-orders-2000-01-03.csv');
    const body = fs.readFileSync((await download.path())!, 'utf8');
    expect(body.split('\r\n')[0]).toBe('ticker,side,shares,estimated_price,estimated_amount,estimated_cost');
    expect(body.trim().split('\r\n').length - 1).toBe(adj.trades.length);

    const tr = await e.call('books.trackRecord', { name: 'pm1' });
    expect(tr.from).toBe('1999-12-31');
    await page.locator('[data-testid="chart-book-record"]').waitFor();
    expect(await text('book-metrics')).toContain('realised');
    await page.screenshot({ path: screenshotPath('book-record'), fullPage: true });
    expect(consoleErrors.filter((m) => !/status of 4\d\d/.test(m))).toEqual([]);
  });
});
