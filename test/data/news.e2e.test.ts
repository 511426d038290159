/**
 * The Data view's News section in Chromium against the headless host: the section says why the sentiment module is
 * off, a browser uploads a news CSV, sees the preview (with file:line problems for a bad one, and no commit button),
 * commits a good one as a job, and the counts per source and sector appear.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempEngine } from '../helpers/engine';
import { useDesk } from '../helpers/desk';

const desk = useDesk(() => tempEngine(), { page: { viewport: { width: 1280, height: 900 } } });

async function previewUpload(name: string, text: string): Promise<string> {
  const f = path.join(desk.engine.dir, name);
  fs.writeFileSync(f, text);
  await desk.page.setInputFiles('[data-testid="news-file"]', f);
  await desk.page.click('[data-testid="news-preview"]');
  await desk.page.locator('[data-testid="news-verdict"]').waitFor();
  return (await desk.page.locator('[data-testid="news-verdict"]').textContent()) ?? '';
}

describe('the News section of the Data view', () => {
  it('says the module is off, refuses a bad file with its lines, imports a good one as a job', async () => {
    await desk.page.goto(`${desk.host.url}#/data`);
    const state = desk.page.locator('[data-testid="news-state"]');
    await state.waitFor();
    expect(await state.textContent()).toMatch(/Sentiment module is off: no news imported for djia30/);

    const bad = await previewUpload(
      'bad.csv',
      'date,ticker,source,text\n2000-01-03,ZZZZ,news,x\n2000-01-03,IBM,blog,y\n',
    );
    expect(bad).toMatch(/Rejected: nothing will be written/);
    const problems = await desk.page.locator('[data-testid="news-problems"]').textContent();
    expect(problems).toMatch(/bad\.csv:2:2.*ticker ZZZZ is not a member/);
    expect(problems).toMatch(/bad\.csv:3:3.*source "blog" is not one of/);
    expect(await desk.page.locator('[data-testid="news-commit"]').count()).toBe(0);

    const good = await previewUpload(
      'good.csv',
      'date,ticker,sector,source,text\n2000-01-03,IBM,,news,profits rose\n2000-01-03,,Energy,social,oil fell\n',
    );
    expect(good).toMatch(/Ready to import — 2 rows, 2 new, 0 stored already/);
    await desk.page.click('[data-testid="news-commit"]');
    await desk.page.locator('[data-testid="news-message"]', { hasText: 'News imported.' }).waitFor({ timeout: 60_000 });
    expect(await state.textContent()).toMatch(/is off: news imported but not scored.*2 rows, 0 scored/);
    const counts = await desk.page.locator('[data-testid="news-counts"]').textContent();
    expect(counts).toMatch(/newsInformation Technology10/);
    expect(counts).toMatch(/socialEnergy10/);
  }, 120_000);
});
