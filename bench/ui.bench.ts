/**
 * Time to first render of the Today and Backtests views in Chromium against the headless host, on a database
 * holding 20 runs of about 2500 days (all classic baselines over the whole DJIA history).
 */
import { runBacktest } from '../src-main/backtest/run';
import { startHost } from '../src-main/host/server';
import { classicIds } from '../src-main/strategies/registry';
import { ensureBuilt, launchBrowser, openSignedIn } from '../test/helpers/browser';
import { tempEngine } from '../test/helpers/engine';

export const title = 'Desk: time to first render (Chromium, headless host)';

export async function run() {
  const rendererDir = ensureBuilt();
  const engine = tempEngine();
  const ids = classicIds().slice(0, 20);
  await runBacktest(engine.db, {
    universe: 'djia30',
    strategies: ids,
    from: '1991-03-01',
    to: '2000-12-29',
    lookback: 40,
  });
  const days = (engine.db.prepare('SELECT COUNT(*) AS n FROM run_days').get() as { n: number }).n / ids.length;
  const host = await startHost(engine, { rendererDir });
  const browser = await launchBrowser();
  const out: { name: string; value: number; unit: string; note?: string }[] = [];
  try {
    for (const [view, hash, selector] of [
      ['Today', '#/', '[data-testid="weights-table"]'],
      ['Backtests', '#/backtests', '[data-testid="chart-equity"] canvas'],
    ] as const) {
      const times: number[] = [];
      for (let k = 0; k < 5; k++) {
        const page = await openSignedIn(browser, host, { viewport: { width: 1280, height: 800 } });
        const t0 = performance.now();
        await page.goto(`${host.url}${hash}`);
        await page.locator(selector).first().waitFor({ timeout: 60_000 });
        times.push(performance.now() - t0);
        await page.close();
      }
      times.sort((a, b) => a - b);
      out.push({
        name: `${view}: navigation to first render, median of 5`,
        value: times[2]!,
        unit: 'ms',
        note: `${ids.length} runs of ${Math.round(days)} days in the database; cold page each time`,
      });
    }
  } finally {
    await browser.close();
    await host.close();
    engine.close();
  }
  return out;
}
