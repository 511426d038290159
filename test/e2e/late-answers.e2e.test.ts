/**
 * A slow answer to an earlier choice never replaces the answer to the PM's latest one (src-renderer/src/latest.ts).
 * The page's requests about one run are held back in the browser for two seconds while the PM picks that run on
 * Today and, before its answers come, another: Today must end on the run picked last, with its own weights. Before
 * each view loaded its answers under a ticket, the slow answers landed last and Today showed the first run's
 * weights under the second run's name. (The other views load the same way; src-renderer/src/latest.ts.)
 */
import type { Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunWeights } from '../../src-shared/contract/runs';
import { pct } from '../../src-renderer/src/format';
import { useDeskOnRuns } from '../helpers/desk';

const desk = useDeskOnRuns({
  universe: 'djia30',
  strategies: ['crp', 'ubah', 'olmar'],
  from: '2000-10-02',
  to: '2000-12-29',
  lookback: 300,
});

const HOLD_MS = 2_000;

/** Hold back every API request of the page that names `runId` (answered HOLD_MS late); answers how many were held. */
async function holdBack(runId: string): Promise<{ held: () => number; release: () => Promise<void> }> {
  let held = 0;
  const handler = async (route: Route) => {
    if (!(route.request().postData() ?? '').includes(runId)) return route.continue();
    held++;
    await new Promise((r) => setTimeout(r, HOLD_MS));
    await route.continue();
  };
  await desk.page.route('**/api/**', handler);
  return { held: () => held, release: () => desk.page.unroute('**/api/**', handler) };
}

/** The weights column of Today's table by ticker, as shown. */
async function shownWeights(): Promise<Record<string, string>> {
  const rows = desk.page.locator('[data-testid^="weight-row-"]');
  const out: Record<string, string> = {};
  for (const row of await rows.all()) {
    const ticker = ((await row.getAttribute('data-testid')) ?? '').slice('weight-row-'.length);
    out[ticker] = ((await row.locator('[data-col="weight"]').textContent()) ?? '').trim();
  }
  return out;
}

describe('late answers', () => {
  it('Today shows the weights of the run picked last, though the run picked before answered after it', async () => {
    const [crp, ubah, olmar] = ['crp', 'ubah', 'olmar'].map((s) => desk.runId(s));
    await desk.page.goto(`${desk.host.url}#/?run=${crp}`);
    await desk.page.locator('[data-testid="weight-row-IBM"]').waitFor();
    const slow = await holdBack(ubah!);
    await desk.page.locator('[data-testid="today-run"]').selectOption(ubah!);
    await desk.page.locator('[data-testid="today-run"]').selectOption(olmar!);
    await desk.page.waitForTimeout(HOLD_MS + 1_500);
    expect(slow.held()).toBeGreaterThan(0);
    await slow.release();

    const w = await desk.call<RunWeights>('runs.weights', { id: olmar });
    const expected = Object.fromEntries(w.tickers.map((t, i) => [t, pct(w.final.weights[i]!)]));
    const other = await desk.call<RunWeights>('runs.weights', { id: ubah });
    // the two runs' books differ, so the table says which one it shows
    expect(other.tickers.map((t, i) => pct(other.final.weights[i]!))).not.toEqual(Object.values(expected));
    expect(await desk.page.locator('[data-testid="today-run"]').inputValue()).toBe(olmar);
    expect(await desk.text('[data-testid="today-decision-date"]')).toBe(w.date);
    expect(await shownWeights()).toEqual(expected);
    expect(desk.errors).toEqual([]);
  });
});
