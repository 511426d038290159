/**
 * Every view of the desk as a PM meets it (issue 17), in Chromium against the headless host, on the decision
 * suites' runs (fixture.ts: crp, bcrp, SAMP-HDRL and the flat DDPG agent over 2000-Q4), a book holding four
 * stocks with a decision, and a small imported universe whose assets differ in length. Checks that the Data, Books
 * and Backtests tables sort from the keyboard (figures as numbers, dates as dates, missing values last), that the
 * monthly-returns heatmap opens on the hierarchical strategy and never on a hindsight run, that a link naming a
 * run wins over the remembered one and that opening the desk leaves the address as it was; and visits every route
 * at 1600x1000 and 1280x800, waiting for its content, with no sideways overflow and no empty state, writing
 * .e2e/screenshots/views-<route>-<size>.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src-main/data/importer';
import { screenshotPath } from '../helpers/browser';
import type { RunSummary, StrategyInfo } from '../../src-shared/contract/runs';
import type { UniverseDetail, UniverseSummary } from '../../src-shared/contract/data';
import type { BookDecision, BookDetail } from '../../src-shared/contract/books';
import { tempEngine } from '../helpers/engine';
import { useDesk } from '../helpers/desk';
import { storeDecisionRuns } from './fixture';

let sampRun = '';
let flatRun = '';
let miniId = '';
const BOOK = 'pm-views';

const desk = useDesk(
  async () => {
    const engine = tempEngine();
    ({ sampRun, flatRun } = await storeDecisionRuns(engine));
    // a universe whose assets start and end on different days: 8, 6 and 5 closes
    const days = ['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07', '2020-01-08', '2020-01-09', '2020-01-10'];
    const lines = ['date,ticker,close'];
    [...days, '2020-01-13'].forEach((d, i) => {
      lines.push(`${d},ZQA,${10 + i}`);
      if (i < 6) lines.push(`${d},ZQC,${30 + i}`);
      if (i >= 3) lines.push(`${d},ZQB,${20 + i}`);
    });
    const csv = path.join(engine.dir, 'mini.csv');
    fs.writeFileSync(csv, lines.join('\n') + '\n');
    const imported = await runImport(engine.db, [csv], { universe: 'Mini views' });
    expect(imported.result, JSON.stringify(imported.preview.problems)).not.toBeNull();
    return engine;
  },
  { page: { viewport: { width: 1600, height: 1000 } }, timeoutMs: 900_000 },
);

beforeAll(async () => {
  miniId = (await desk.call<UniverseSummary[]>('data.universes', {})).find((u) => u.name === 'Mini views')!.id;
  // a book of four stocks at different weights, with today's decision (equal weight's trades)
  await desk.call('books.create', {
    name: BOOK,
    universe: 'djia30',
    value: 1_000_000,
    currency: 'USD',
    strategy: { kind: 'classic', id: 'crp' },
  });
  await desk.call('books.setPositions', { name: BOOK, csv: 'ticker,weight\nAA,5%\nIBM,20%\nGE,10%\nKO,15%\n' });
  await desk.call('books.today', { name: BOOK });
});

/** The little of the page's DOM the overflow check reads (this file compiles without the DOM library). */
interface BrowserDocument {
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelector(selector: string): { scrollWidth: number; clientWidth: number; scrollHeight: number } | null;
}
/** an element that may scroll sideways, as the overflow checks read it */
interface ScrollBox {
  className: string;
  scrollWidth: number;
  clientWidth: number;
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
}
/** the header cell holding a sort button */
const headerOf = (button: string) => desk.page.locator('th', { has: desk.page.locator(`[data-testid="${button}"]`) });
/** the row ids of a table, in the order shown (`prefix` cut off each row's test id) */
const rowOrder = async (rows: string, prefix: string) =>
  (await desk.page.locator(rows).evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''))).map((id) =>
    id.slice(prefix.length),
  );
/** a copy sorted by a figure, missing values (null, NaN) last in either direction */
function byFigure<T>(xs: readonly T[], f: (x: T) => number | null, dir: 1 | -1): T[] {
  const missing = (v: number | null) => v === null || Number.isNaN(v);
  return [...xs].sort((a, b) => {
    const [x, y] = [f(a), f(b)];
    if (missing(x) || missing(y)) return missing(x) === missing(y) ? 0 : missing(x) ? 1 : -1;
    return (x! - y!) * dir;
  });
}

describe('the desk view by view (issue 17)', () => {
  it('Data sorts its universes and assets from the keyboard: counts as numbers, dates as dates', async () => {
    await desk.page.goto(`${desk.host.url}#/data`);
    await desk.page.locator('[data-testid="assets-table"] tbody tr').first().waitFor();
    // Tab walks the header buttons; Enter and Space sort
    await desk.page.locator('[data-testid="sort-universes-id"]').focus();
    await desk.page.keyboard.press('Tab');
    expect(await desk.focused()).toBe('sort-universes-name');
    await desk.page.keyboard.press('Tab');
    expect(await desk.focused()).toBe('sort-universes-assetCount');
    const assetsTh = headerOf('sort-universes-assetCount');
    expect(await assetsTh.getAttribute('aria-sort')).toBe('none');
    expect(await headerOf('sort-universes-id').getAttribute('aria-sort')).toBe('ascending');
    const universes = await desk.call<UniverseSummary[]>('data.universes', {});
    const universeRows = () => rowOrder('[data-testid="universes-table"] tbody tr', 'universe-row-');
    await desk.page.keyboard.press('Enter');
    expect(await assetsTh.getAttribute('aria-sort')).toBe('descending');
    expect(await headerOf('sort-universes-id').getAttribute('aria-sort')).toBe('none');
    expect(await universeRows()).toEqual(byFigure(universes, (u) => u.assetCount, -1).map((u) => u.id));
    await desk.page.keyboard.press('Space');
    expect(await assetsTh.getAttribute('aria-sort')).toBe('ascending');
    expect(await universeRows()).toEqual(byFigure(universes, (u) => u.assetCount, 1).map((u) => u.id));

    // the bundled universe's assets: the ticker column (sorted ascending to begin with) flips to descending
    const djia = await desk.call<UniverseDetail>('data.universe', { id: 'djia30' });
    const assetRows = () => rowOrder('[data-testid="assets-table"] tbody tr', 'asset-row-');
    const tickers = djia.assets.map((a) => a.ticker).sort();
    expect(await assetRows()).toEqual(tickers);
    await desk.page.locator('[data-testid="sort-assets-ticker"]').focus();
    await desk.page.keyboard.press('Enter');
    expect(await headerOf('sort-assets-ticker').getAttribute('aria-sort')).toBe('descending');
    expect(await assetRows()).toEqual([...tickers].reverse());

    // the small universe: bars as numbers, first dates as dates
    await desk.page.locator(`[data-testid="universe-row-${miniId}"] button`).click();
    await desk.page.locator('[data-testid="asset-row-ZQB"]').waitFor();
    const mini = await desk.call<UniverseDetail>('data.universe', { id: miniId });
    await desk.page.locator('[data-testid="sort-assets-bars"]').focus();
    await desk.page.keyboard.press('Enter');
    expect(await headerOf('sort-assets-bars').getAttribute('aria-sort')).toBe('descending');
    expect(await assetRows()).toEqual(byFigure(mini.assets, (a) => a.bars, -1).map((a) => a.ticker));
    expect(await assetRows()).toEqual(['ZQA', 'ZQC', 'ZQB']);
    await desk.page.keyboard.press('Space');
    expect(await assetRows()).toEqual(['ZQB', 'ZQC', 'ZQA']);
    await desk.page.keyboard.press('Shift+Tab');
    expect(await desk.focused()).toBe('sort-assets-last');
    await desk.page.keyboard.press('Shift+Tab');
    expect(await desk.focused()).toBe('sort-assets-first');
    await desk.page.keyboard.press('Enter');
    expect(await headerOf('sort-assets-first').getAttribute('aria-sort')).toBe('ascending');
    expect(await assetRows()).toEqual(
      [...mini.assets].sort((a, b) => (a.first! < b.first! ? -1 : a.first! > b.first! ? 1 : 0)).map((a) => a.ticker),
    );
    await desk.page.screenshot({ path: screenshotPath('views-data-sorted-1600'), fullPage: true });
    // back to the bundled universe for the views below
    await desk.page.locator('[data-testid="universe-row-djia30"] button').click();
    await desk.page.locator('[data-testid="asset-row-AA"]').waitFor();
  });

  it("Books sorts its positions and the decision's trades from the keyboard, cash kept below", async () => {
    const book = await desk.call<BookDetail>('books.get', { name: BOOK });
    const decision = await desk.call<BookDecision>('books.decision', { name: BOOK });
    await desk.page.goto(`${desk.host.url}#/books`);
    await desk.page.locator('[data-testid="position-IBM"]').waitFor();
    await desk.page.locator('[data-testid="book-decision"] tbody tr').first().waitFor();
    const held = book.positions.filter((p) => p.shares > 0);
    const positionRows = () => rowOrder('[data-testid="book-positions"] tbody tr[data-testid]', 'position-');
    expect(await positionRows()).toEqual(held.map((p) => p.ticker).sort());
    await desk.page.locator('[data-testid="sort-positions-ticker"]').focus();
    for (const next of ['name', 'shares', 'price', 'amount', 'weight']) {
      await desk.page.keyboard.press('Tab');
      expect(await desk.focused()).toBe(`sort-positions-${next}`);
    }
    const weightTh = headerOf('sort-positions-weight');
    await desk.page.keyboard.press('Enter');
    expect(await weightTh.getAttribute('aria-sort')).toBe('descending');
    expect(await positionRows()).toEqual(byFigure(held, (p) => p.weight, -1).map((p) => p.ticker));
    expect(await positionRows()).toEqual(['IBM', 'KO', 'GE', 'AA']);
    await desk.page.keyboard.press('Space');
    expect(await weightTh.getAttribute('aria-sort')).toBe('ascending');
    expect(await positionRows()).toEqual(['AA', 'GE', 'KO', 'IBM']);
    expect(await desk.page.locator('[data-testid="book-positions"] tbody tr').last().textContent()).toContain('Cash');

    // the trades by amount: a ticker without a trade goes last in both directions
    const trades = new Map(decision.trades.map((t) => [t.ticker, t]));
    const amount = (t: string) => (trades.has(t) ? Math.abs(trades.get(t)!.amount) : null);
    const decisionRows = () => rowOrder('[data-testid="book-decision"] tbody tr[data-testid]', 'decision-');
    await desk.page.locator('[data-testid="sort-decision-amount"]').focus();
    await desk.page.keyboard.press('Enter');
    const amountTh = headerOf('sort-decision-amount');
    expect(await amountTh.getAttribute('aria-sort')).toBe('descending');
    expect(await decisionRows()).toEqual(byFigure(decision.tickers, amount, -1));
    await desk.page.keyboard.press('Space');
    expect(await amountTh.getAttribute('aria-sort')).toBe('ascending');
    expect(await decisionRows()).toEqual(byFigure(decision.tickers, amount, 1));
    // the four held stocks sell down to equal weight or buy up to it: their amounts are not the others'
    expect(new Set(decision.trades.map((t) => Math.abs(t.amount).toFixed(2))).size).toBeGreaterThan(4);
    expect(await desk.page.locator('[data-testid="book-decision"] tbody tr').last().textContent()).toContain('Cash');
    await desk.page.screenshot({ path: screenshotPath('views-books-sorted-1600'), fullPage: true });
  });

  it('Backtests sorts its metrics table by a figure; the monthly heatmap opens on the hierarchical strategy', async () => {
    const runs = await desk.call<RunSummary[]>('runs.list', { universe: 'djia30', status: 'complete', limit: 5000 });
    await desk.page.goto(`${desk.host.url}#/backtests`);
    await desk.page.locator('[data-testid="metrics-table"] tbody tr').first().waitFor();
    const monthly = desk.page.locator('[data-testid="monthly-run"]');
    await monthly.waitFor();
    // bcrp (a hindsight reference) and crp sort before samp-hdrl by id, the flat agent is newer: still samp-hdrl
    const shown = async () => ((await monthly.locator('option:checked').textContent()) ?? '').trim();
    expect(await shown()).toBe('samp-hdrl');
    await desk.page.locator('[data-testid="chart-monthly"] canvas').first().waitFor();
    // so do the analytics' weights and risk (the service alone would take the first learned run, the flat agent)
    const sampLabel = (await desk.call<StrategyInfo[]>('strategies.list', {})).find((x) => x.id === 'samp-hdrl')!.label;
    await expect
      .poll(async () => desk.page.locator('[data-testid="analytics-focus"] option:checked').textContent())
      .toBe(sampLabel);
    expect(await desk.page.locator('[data-testid="analytics-relative"]').textContent()).toContain(sampLabel);
    const row = (s: string) => desk.page.locator(`[data-testid="metrics-row-${s}-2000-10-02"] input[type="checkbox"]`);
    await row('bcrp').check();
    expect(await shown()).toBe('samp-hdrl');
    await row('samp-hdrl').uncheck();
    expect(await shown()).toBe('ddpg-flat');
    await row('ddpg-flat').uncheck();
    expect(await shown()).toBe('crp');
    await row('crp').uncheck();
    // a hindsight run only when it is all that is selected
    expect(await shown()).toMatch(/^bcrp/);
    for (const s of ['crp', 'ddpg-flat', 'samp-hdrl']) await row(s).check();
    await row('bcrp').uncheck();
    expect(await shown()).toBe('samp-hdrl');
    // the PM's pick stands
    await monthly.selectOption({ label: 'crp' });
    expect(await shown()).toBe('crp');

    // sorted by Sharpe, as a number, largest first; then ascending
    await desk.page.locator('[data-testid="sort-metrics-sharpe"]').focus();
    await desk.page.keyboard.press('Enter');
    const sharpeTh = headerOf('sort-metrics-sharpe');
    expect(await sharpeTh.getAttribute('aria-sort')).toBe('descending');
    const order = () => rowOrder('[data-testid="metrics-table"] tbody tr', 'metrics-row-');
    const bySharpe = (dir: 1 | -1) =>
      byFigure(runs, (r) => (typeof r.metrics.sharpe === 'number' ? r.metrics.sharpe : null), dir).map(
        (r) => `${r.strategy}-${r.windowFrom}`,
      );
    expect(await order()).toEqual(bySharpe(-1));
    await desk.page.keyboard.press('Space');
    expect(await sharpeTh.getAttribute('aria-sort')).toBe('ascending');
    expect(await order()).toEqual(bySharpe(1));
  });

  it('a link naming a run wins over the remembered run, and opening the desk leaves the address as it was', async () => {
    // the PM chose SAMP-HDRL in Agents: remembered, and written into the address
    await desk.page.goto(`${desk.host.url}#/agents`);
    await desk.page.locator('[data-testid="agents-model"]').waitFor();
    await desk.page.locator('[data-testid="agents-run"]').selectOption(flatRun);
    await desk.page.locator('[data-testid="agents-run"]').selectOption(sampRun);
    await desk.page.waitForURL((u) => u.hash === `#/agents?run=${sampRun}`);
    const stored = await desk.page.evaluate(() =>
      (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem(
        'hdrl-selected-run',
      ),
    );
    expect(JSON.parse(stored!)).toEqual({ djia30: sampRun });

    // every address the app writes while it starts is recorded
    await desk.page.addInitScript(() => {
      const w = globalThis as unknown as {
        __urls: string[];
        history: Record<'pushState' | 'replaceState', (s: unknown, t: string, u?: string | URL | null) => void>;
      };
      w.__urls = [];
      for (const m of ['pushState', 'replaceState'] as const) {
        const original = w.history[m].bind(w.history);
        w.history[m] = (s, t, u) => {
          if (u != null) w.__urls.push(String(u));
          original(s, t, u);
        };
      }
    });
    const open = async (hash: string, ready: string) => {
      await desk.page.goto('about:blank');
      await desk.page.goto(`${desk.host.url}${hash}`);
      await desk.page.locator(ready).waitFor();
      await desk.page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
      const urls = await desk.page.evaluate(() => (globalThis as unknown as { __urls: string[] }).__urls);
      const hashes = urls.map((u) => new URL(u, desk.host.url).hash);
      return { hash: new URL(desk.page.url()).hash, written: hashes };
    };

    // a link to the flat agent opens on it, though SAMP-HDRL is remembered (and the default)
    const flat = await open(`#/agents?run=${flatRun}`, '[data-testid="agents-model"]');
    expect(flat.hash).toBe(`#/agents?run=${flatRun}`);
    expect(
      flat.written.every((h) => h === `#/agents?run=${flatRun}`),
      flat.written.join(' '),
    ).toBe(true);
    expect(await desk.page.locator('[data-testid="agents-run"]').inputValue()).toBe(flatRun);

    // Today on a link to equal weight: the link wins there too (and equal weight is remembered from now on)
    const crp = (await desk.call<RunSummary[]>('runs.list', { universe: 'djia30', strategy: 'crp' }))[0]!;
    const today = await open(`#/?run=${crp.id}`, '[data-testid="weights-table"]');
    expect(today.hash).toBe(`#/?run=${crp.id}`);
    expect(
      today.written.every((h) => h === `#/?run=${crp.id}`),
      today.written.join(' '),
    ).toBe(true);
    expect(await desk.page.locator('[data-testid="today-run"]').inputValue()).toBe(crp.id);

    // a link to a run Agents does not list: said, the address kept, Agents' default shown
    const unlisted = await open(`#/agents?run=${crp.id}`, '[data-testid="agents-model"]');
    expect(unlisted.hash).toBe(`#/agents?run=${crp.id}`);
    expect(unlisted.written.every((h) => h === `#/agents?run=${crp.id}`)).toBe(true);
    expect(await desk.page.locator('[data-testid="run-link-unlisted"]').textContent()).toContain(crp.id);
    expect(await desk.page.locator('[data-testid="agents-run"]').inputValue()).toBe(sampRun);

    // no link: the address stays bare
    const bare = await open('#/agents', '[data-testid="agents-model"]');
    expect(bare.hash).toBe('#/agents');
    expect(await desk.page.locator('[data-testid="agents-run"]').inputValue()).toBe(sampRun);
  });

  it('every route at 1600x1000 and 1280x800: its content, no sideways overflow, no empty state; a screenshot each', async () => {
    /** what shows that a view's content is there (the data it loads, not a skeleton) */
    const READY: Record<string, string[]> = {
      today: ['[data-testid="weights-table"]', '[data-testid="today-decision-date"]'],
      books: ['[data-testid="position-IBM"]', '[data-testid="book-decision"]'],
      regimes: ['[data-testid="chart-grouping"] canvas'],
      rebounds: ['[data-testid="rebound-count"]', '[data-testid="cuts-summary"]'],
      agents: ['[data-testid="agents-model"]', '[data-testid="ew-verdict-box"]'],
      backtests: ['[data-testid="metrics-table"] tbody tr', '[data-testid="chart-monthly"] canvas'],
      training: ['[data-testid="models-table"] tbody tr'],
      data: ['[data-testid="assets-table"] tbody tr'],
      reports: ['[data-testid="backtest-runs"] tbody tr'],
      about: ['[data-testid="about-info"]'],
    };
    await desk.page.goto(`${desk.host.url}#/about`);
    const routes = await desk.page
      .locator('nav.sidebar a.nav-link')
      .evaluateAll((as) => as.map((a) => [a.getAttribute('data-testid')!.slice(4), a.getAttribute('href')!]));
    expect(routes.map(([name]) => name).sort()).toEqual(Object.keys(READY).sort());
    for (const [wd, ht] of [
      [1600, 1000],
      [1280, 800],
    ] as const) {
      await desk.page.setViewportSize({ width: wd, height: ht });
      for (const [name, href] of routes) {
        await desk.page.goto('about:blank');
        await desk.page.goto(new URL(href!, desk.host.url).href);
        for (const sel of READY[name!]!) await desk.page.locator(sel).first().waitFor();
        await desk.page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
        await desk.page.waitForTimeout(300); // charts settle their layout after the data arrive
        const where = `${name} at ${wd}x${ht}`;
        const measured = await desk.page.evaluate(() => {
          const g = globalThis as unknown as {
            document: BrowserDocument & { querySelectorAll(s: string): Iterable<ScrollBox> };
            getComputedStyle(e: ScrollBox): { overflowX: string };
          };
          const doc = g.document;
          const c = doc.querySelector('.content')!;
          return {
            page: doc.documentElement.scrollWidth - doc.documentElement.clientWidth,
            content: c.scrollWidth - c.clientWidth,
            // the boxes inside the view that scroll sideways and need to: columns hidden behind a scroll
            clipped: [...doc.querySelectorAll('.content *')]
              .filter((e) => /auto|scroll/.test(g.getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
              .map((e) => `${e.className} ${e.querySelector('[data-testid]')?.getAttribute('data-testid') ?? ''}`),
            tall: c.scrollHeight,
          };
        });
        const empty = await desk.page.locator('.empty').count();
        const words = await desk.page.locator('.content').innerText();
        // the view scrolls inside .content: a window as tall as the view shows all of it (the width is the size's)
        await desk.page.setViewportSize({ width: wd, height: Math.max(ht, measured.tall) });
        await desk.page.waitForTimeout(300);
        await desk.page.screenshot({ path: screenshotPath(`views-${name}-${wd}x${ht}`) });
        await desk.page.setViewportSize({ width: wd, height: ht });
        expect({ page: measured.page, content: measured.content }, where).toEqual({ page: 0, content: 0 });
        expect(measured.clipped, where).toEqual([]);
        expect(empty, where).toBe(0);
        expect(words, where).not.toMatch(/\bno (completed |learned )?runs?\b/i);
      }
    }
    expect(desk.errors).toEqual([]);
  });
});
