/**
 * explain/runExplain.ts on a real (tiny) SAMP-HDRL run stored in a database: the explanation reads the decision's
 * typed detail. The allocation it reports is the detail's; the capital split attribution, over the run's stored
 * decisions as background and with the cap the decision applied, reproduces the split the strategy used; a stored
 * decision that does not match the schema stops it with an error naming the run instead of feeding a guess in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { capitalCuts, describeExplanation, explainRun } from '../../src-main/explain/runExplain';
import { getRunDetails, getRunWeightsAt, StoredRunDataError } from '../../src-main/store/runs';
import { sampDetail } from '../../src-shared/domain/decision';
import { tempEngine } from '../helpers/engine';
import { TINY_OVERRIDES } from '../strategies/samp/samp-helpers';

let engine: ReturnType<typeof tempEngine>;
let runId = '';

beforeAll(async () => {
  engine = tempEngine();
  const [r] = await runBacktest(engine.db, {
    universe: 'djia30',
    strategies: ['samp-hdrl'],
    from: '2000-06-01',
    to: '2000-06-30',
    lookback: 340,
    params: { 'samp-hdrl': { overrides: TINY_OVERRIDES, regroupEvery: 30 } },
  });
  if (r?.status !== 'complete') throw new Error(`the tiny SAMP-HDRL run did not complete: ${JSON.stringify(r?.error)}`);
  runId = r.runId!;
}, 180_000);
afterAll(() => engine?.close());

describe('explainRun', () => {
  it("reports the decision's allocation and attributes exactly the split it used", { timeout: 120_000 }, async () => {
    const at = getRunWeightsAt(engine.db, runId)!;
    const d = sampDetail(at.detail)!;
    expect(d).not.toBeNull();
    const ex = await explainRun(engine.db, runId, at.date, { nSamples: 64 });
    expect(ex.allocation).toEqual({
      capital: d.capital,
      capitalBeforeCap: d.capitalBeforeCap,
      utility: d.utility,
      fusionA: d.fusionA,
      rebound: d.rebound,
      cash: d.cash,
    });
    const fx = (prefix: string) => ex.capital!.find((c) => c.output.startsWith(prefix))!.fx;
    expect(fx('high')).toBeCloseTo(d.capital.c2, 12);
    expect(fx('ordinary')).toBeCloseTo(d.capital.c1, 12);
    expect(fx('cash')).toBeCloseTo(d.capital.cash, 12);
  });

  it('refuses a run whose stored decisions do not match the schema, naming the run', { timeout: 60_000 }, async () => {
    const first = (
      engine.db.prepare('SELECT MIN(date) AS d FROM run_details WHERE run_id = ?').get(runId) as { d: string }
    ).d;
    engine.db
      .prepare(`UPDATE run_details SET detail = json_remove(detail, '$.utility') WHERE run_id = ? AND date = ?`)
      .run(runId, first);
    const p = explainRun(engine.db, runId, undefined, { nSamples: 64 }, { recompute: true });
    await expect(p).rejects.toBeInstanceOf(StoredRunDataError);
    await expect(explainRun(engine.db, runId, undefined, { nSamples: 64 }, { recompute: true })).rejects.toThrow(
      `run ${runId}: the stored decision detail of ${first}`,
    );
  });
});

describe('the decision as a PM reads it', () => {
  it(
    "explains the final book's largest holding by default, with agent parts that add up to the stored weights",
    { timeout: 120_000 },
    async () => {
      // a fresh run: the test above spoils one stored detail of the first one on purpose
      const [r] = await runBacktest(engine.db, {
        universe: 'djia30',
        strategies: ['samp-hdrl'],
        from: '2000-07-03',
        to: '2000-07-31',
        lookback: 340,
        params: { 'samp-hdrl': { overrides: TINY_OVERRIDES, regroupEvery: 30 } },
      });
      const id = r!.runId!;
      const at = getRunWeightsAt(engine.db, id)!;
      const n = at.agents.final!.length - 1;
      const final = Array.from(at.agents.final!.subarray(0, n));
      const tickers = (engine.db.prepare('SELECT config FROM runs WHERE id = ?').get(id) as { config: string }).config;
      const names = (JSON.parse(tickers) as { tickers: string[] }).tickers;
      const top = names[final.indexOf(Math.max(...final))]!;
      const ex = await explainRun(engine.db, id, at.date, { nSamples: 64 });
      expect(ex.subject).toBe(top);
      // the upper agent sees every asset: it explains the subject, not its own favourite
      expect(ex.agents.filter((a) => a.agent === 'upper').map((a) => a.ticker)).toEqual([top, top]);
      const view = describeExplanation(engine.db, ex);
      for (const a of view.portfolio.assets)
        expect(a.parts.reduce((s, p) => s + p.contribution, 0)).toBeCloseTo(final[names.indexOf(a.ticker)]!, 9);
      expect(view.portfolio.cash).toBeCloseTo(at.agents.final![n]!, 12);
      expect(view.words.asset[0]).toMatch(new RegExp(`^${top}'s \\d+\\.\\d%`));
      expect(view.words.portfolio[0]).toMatch(/^The book is /);
      // the PM picks another asset: every agent that may hold it explains it
      const other = names.find((t) => t !== top)!;
      const picked = describeExplanation(
        engine.db,
        await explainRun(engine.db, id, at.date, { nSamples: 64, ticker: other }, { recompute: true }),
      );
      expect(picked.subject).toBe(other);
      expect(picked.agents.find((a) => a.agent === 'upper')!.ticker).toBe(other);
      expect(picked.words.asset[0]).toMatch(new RegExp(`^${other}('s| gets)`));

      // the run's own capital cuts, one per decision, as its details recorded them
      const cuts = capitalCuts(engine.db, id);
      const details = getRunDetails(engine.db, id);
      expect(cuts.days.map((d) => d.date)).toEqual(details.map((d) => d.date));
      details.forEach(({ detail }, k) => {
        const d = sampDetail(detail)!;
        expect(cuts.days[k]!.capped).toBe(d.rebound.capped);
        expect(cuts.days[k]!.riskyAfter).toBeCloseTo(d.capital.c1 + d.capital.c2, 15);
        expect(cuts.days[k]!.riskyBefore).toBeCloseTo(d.capitalBeforeCap.c1 + d.capitalBeforeCap.c2, 15);
      });
      expect(cuts.thresholds).toEqual(sampDetail(details[details.length - 1]!.detail)!.rebound.thresholds);
    },
  );
});
