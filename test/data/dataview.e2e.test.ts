/**
 * The Data view's import in Chromium against the headless host: a browser gets no path field (it can import only
 * what it uploads), and the preview offers the consents and choices the engine asks for — accepting a shorter
 * common range, renaming a ticker stored with other data — each previewed again before the commit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UndoResult, UniverseSummary } from '../../src-shared/contract';
import { tempEngine } from '../helpers/engine';
import { useDesk } from '../helpers/desk';

const desk = useDesk(() => tempEngine(), { page: { viewport: { width: 1280, height: 900 } } });

async function upload(name: string, text: string, universe: string): Promise<void> {
  const f = path.join(desk.engine.dir, name);
  fs.writeFileSync(f, text);
  await desk.page.goto(`${desk.host.url}#/data`);
  await desk.page.locator('[data-testid="import-wizard"]').waitFor();
  await desk.page.setInputFiles('[data-testid="import-file"]', f);
  await desk.page.fill('[data-testid="import-universe"]', universe);
  await desk.page.click('[data-testid="import-preview"]');
  await desk.page.locator('[data-testid="import-verdict"]').waitFor();
}

const verdict = () => desk.page.locator('[data-testid="import-verdict"]').textContent();

describe('the Data view import in a browser', () => {
  it('has no free-text path field and no file dialog', async () => {
    await desk.page.goto(`${desk.host.url}#/data`);
    await desk.page.locator('[data-testid="import-file"]').waitFor();
    expect(await desk.page.locator('[data-testid="import-paths"]').count()).toBe(0);
    expect(await desk.page.locator('[data-testid="import-browse"]').count()).toBe(0);
  });

  it('shows a shrinking common range, and commits once the user accepts it', async () => {
    await upload('short.csv', 'date,NEWCO\n1999-01-04,10\n1999-01-05,10.5\n1999-01-06,11\n', 'djia30');
    expect(await verdict()).toContain('Rejected');
    expect(await desk.page.locator('[data-testid="import-range"]').textContent()).toMatch(
      /1990-12-31 to 2001-01-02 now,\s+1999-01-04 to 1999-01-06 after this import\s+— it shrinks/,
    );
    expect(await desk.page.locator('[data-testid="import-commit"]').count()).toBe(0);
    await desk.page.check('[data-testid="import-allow-shrink"]');
    await desk.page.click('[data-testid="import-recheck"]');
    await desk.page.locator('[data-testid="import-verdict"]', { hasText: 'Ready to import' }).waitFor();
    await desk.page.click('[data-testid="import-commit"]');
    await desk.page.locator('[data-testid="import-message"]', { hasText: 'Import committed.' }).waitFor();
    const djia = (await desk.call<UniverseSummary[]>('data.universes', {})).find((u) => u.id === 'djia30')!;
    expect([djia.assetCount, djia.from, djia.to]).toEqual([31, '1999-01-04', '1999-01-06']);
    expect((await desk.call<UndoResult>('data.undoLastImport', {})).undone).toMatchObject({
      universe: 'djia30',
      removedMembers: ['NEWCO'],
    });
  });

  it('lists a ticker stored with other data and imports it under the name the user types', async () => {
    await upload('aa.csv', 'date,AA\n1991-01-02,6.5\n1991-01-03,6.6\n', 'vendor b');
    expect(await verdict()).toContain('Rejected');
    const row = desk.page.locator('[data-testid="import-conflicts"] tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('1990-12-31 to 2001-01-02');
    await desk.page.fill('[data-testid="import-rename-AA"]', 'AA_B');
    await desk.page.click('[data-testid="import-recheck"]');
    await desk.page.locator('[data-testid="import-verdict"]', { hasText: 'Ready to import' }).waitFor();
    await desk.page.click('[data-testid="import-commit"]');
    await desk.page.locator('[data-testid="import-message"]', { hasText: 'Import committed.' }).waitFor();
    const m = await desk.call<{ tickers: string[]; close: number[][] }>('data.prices', { universe: 'vendor-b' });
    expect(m).toMatchObject({ tickers: ['AA_B'], close: [[6.5], [6.6]] });
  });
});
