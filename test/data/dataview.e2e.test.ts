/**
 * The Data view's import in Chromium against the headless host: a browser gets no path field (it can import only
 * what it uploads), and the preview offers the consents and choices the engine asks for — accepting a shorter
 * common range, renaming a ticker stored with other data — each previewed again before the commit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { UndoResult, UniverseSummary } from '../../src-shared/contract';
import { startHost, type Host } from '../../src-main/host/server';
import { dispatch } from '../../src-main/services';
import { ensureBuilt, launchBrowser, openSignedIn } from '../helpers/browser';
import { tempEngine } from '../helpers/engine';

let engine: ReturnType<typeof tempEngine>;
let host: Host;
let browser: Browser;
let page: Page;
let dir: string;

async function call<T>(channel: string, req: object): Promise<T> {
  const r = await dispatch(engine, channel, req);
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return r.value as T;
}

beforeAll(async () => {
  const rendererDir = ensureBuilt();
  engine = tempEngine();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-dataview-'));
  host = await startHost(engine, { rendererDir });
  browser = await launchBrowser();
  page = await openSignedIn(browser, host, { viewport: { width: 1280, height: 900 } });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function upload(name: string, text: string, universe: string): Promise<void> {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  await page.goto(`${host.url}#/data`);
  await page.locator('[data-testid="import-wizard"]').waitFor();
  await page.setInputFiles('[data-testid="import-file"]', f);
  await page.fill('[data-testid="import-universe"]', universe);
  await page.click('[data-testid="import-preview"]');
  await page.locator('[data-testid="import-verdict"]').waitFor();
}

const verdict = () => page.locator('[data-testid="import-verdict"]').textContent();

describe('the Data view import in a browser', () => {
  it('has no free-text path field and no file dialog', async () => {
    await page.goto(`${host.url}#/data`);
    await page.locator('[data-testid="import-file"]').waitFor();
    expect(await page.locator('[data-testid="import-paths"]').count()).toBe(0);
    expect(await page.locator('[data-testid="import-browse"]').count()).toBe(0);
  });

  it('shows a shrinking common range, and commits once the user accepts it', async () => {
    await upload('short.csv', 'date,NEWCO\n1999-01-04,10\n1999-01-05,10.5\n1999-01-06,11\n', 'djia30');
    expect(await verdict()).toContain('Rejected');
    expect(await page.locator('[data-testid="import-range"]').textContent()).toMatch(
      /1990-12-31 to 2001-01-02 now,\s+1999-01-04 to 1999-01-06 after this import\s+— it shrinks/,
    );
    expect(await page.locator('[data-testid="import-commit"]').count()).toBe(0);
    await page.check('[data-testid="import-allow-shrink"]');
    await page.click('[data-testid="import-recheck"]');
    await page.locator('[data-testid="import-verdict"]', { hasText: 'Ready to import' }).waitFor();
    await page.click('[data-testid="import-commit"]');
    await page.locator('[data-testid="import-message"]', { hasText: 'Import committed.' }).waitFor();
    const djia = (await call<UniverseSummary[]>('data.universes', {})).find((u) => u.id === 'djia30')!;
    expect([djia.assetCount, djia.from, djia.to]).toEqual([31, '1999-01-04', '1999-01-06']);
    expect((await call<UndoResult>('data.undoLastImport', {})).undone).toMatchObject({
      universe: 'djia30',
      removedMembers: ['NEWCO'],
    });
  });

  it('lists a ticker stored with other data and imports it under the name the user types', async () => {
    await upload('aa.csv', 'date,AA\n1991-01-02,6.5\n1991-01-03,6.6\n', 'vendor b');
    expect(await verdict()).toContain('Rejected');
    const row = page.locator('[data-testid="import-conflicts"] tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('1990-12-31 to 2001-01-02');
    await page.fill('[data-testid="import-rename-AA"]', 'AA_B');
    await page.click('[data-testid="import-recheck"]');
    await page.locator('[data-testid="import-verdict"]', { hasText: 'Ready to import' }).waitFor();
    await page.click('[data-testid="import-commit"]');
    await page.locator('[data-testid="import-message"]', { hasText: 'Import committed.' }).waitFor();
    const m = await call<{ tickers: string[]; close: number[][] }>('data.prices', { universe: 'vendor-b' });
    expect(m).toMatchObject({ tickers: ['AA_B'], close: [[6.5], [6.6]] });
  });
});
