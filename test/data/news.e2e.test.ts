/**
 * The Data view's News section in Chromium against the headless host: the section says why the sentiment module is
 * off, a browser uploads a news CSV, sees the preview (with file:line problems for a bad one, and no commit button),
 * commits a good one as a job, and the counts per source and sector appear.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startHost, type Host } from '../../src-main/host/server';
import { ensureBuilt, launchBrowser, openSignedIn } from '../helpers/browser';
import { tempEngine } from '../helpers/engine';

let engine: ReturnType<typeof tempEngine>;
let host: Host;
let browser: Browser;
let page: Page;
let dir: string;

beforeAll(async () => {
  const rendererDir = ensureBuilt();
  engine = tempEngine();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-news-e2e-'));
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

async function previewUpload(name: string, text: string): Promise<string> {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  await page.setInputFiles('[data-testid="news-file"]', f);
  await page.click('[data-testid="news-preview"]');
  await page.locator('[data-testid="news-verdict"]').waitFor();
  return (await page.locator('[data-testid="news-verdict"]').textContent()) ?? '';
}

describe('the News section of the Data view', () => {
  it('says the module is off, refuses a bad file with its lines, imports a good one as a job', async () => {
    await page.goto(`${host.url}#/data`);
    const state = page.locator('[data-testid="news-state"]');
    await state.waitFor();
    expect(await state.textContent()).toMatch(/Sentiment module is off: no news imported for djia30/);

    const bad = await previewUpload(
      'bad.csv',
      'date,ticker,source,text\n2000-01-03,ZZZZ,news,x\n2000-01-03,IBM,blog,y\n',
    );
    expect(bad).toMatch(/Rejected: nothing will be written/);
    const problems = await page.locator('[data-testid="news-problems"]').textContent();
    expect(problems).toMatch(/bad\.csv:2:2.*ticker ZZZZ is not a member/);
    expect(problems).toMatch(/bad\.csv:3:3.*source "blog" is not one of/);
    expect(await page.locator('[data-testid="news-commit"]').count()).toBe(0);

    const good = await previewUpload(
      'good.csv',
      'date,ticker,sector,source,text\n2000-01-03,IBM,,news,profits rose\n2000-01-03,,Energy,social,oil fell\n',
    );
    expect(good).toMatch(/Ready to import — 2 rows, 2 new, 0 stored already/);
    await page.click('[data-testid="news-commit"]');
    await page.locator('[data-testid="news-message"]', { hasText: 'News imported.' }).waitFor({ timeout: 60_000 });
    expect(await state.textContent()).toMatch(/is off: news imported but not scored.*2 rows, 0 scored/);
    const counts = await page.locator('[data-testid="news-counts"]').textContent();
    expect(counts).toMatch(/newsInformation Technology10/);
    expect(counts).toMatch(/socialEnergy10/);
  }, 120_000);
});
