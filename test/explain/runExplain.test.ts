/**
 * explain/runExplain.ts on a real (tiny) SAMP-HDRL run stored in a database: the explanation reads the decision's
 * typed detail. The allocation it reports is the detail's; the capital split attribution, over the run's stored
 * decisions as background and with the cap the decision applied, reproduces the split the strategy used; a stored
 * decision that does not match the schema stops it with an error naming the run instead of feeding a guess in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { explainRun } from '../../src-main/explain/runExplain';
import { getRunWeightsAt, StoredRunDataError } from '../../src-main/store/runs';
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
    lookback: 80,
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
    expect(ex.allocation).toEqual({ capital: d.capital, capitalBeforeCap: d.capitalBeforeCap, utility: d.utility, fusionA: d.fusionA, rebound: d.rebound, cash: d.cash });
    const fx = (prefix: string) => ex.capital!.find((c) => c.output.startsWith(prefix))!.fx;
    expect(fx('high')).toBeCloseTo(d.capital.c2, 12);
    expect(fx('ordinary')).toBeCloseTo(d.capital.c1, 12);
    expect(fx('cash')).toBeCloseTo(d.capital.cash, 12);
  });

  it('refuses a run whose stored decisions do not match the schema, naming the run', { timeout: 60_000 }, async () => {
    const first = (engine.db.prepare('SELECT MIN(date) AS d FROM run_details WHERE run_id = ?').get(runId) as { d: string }).d;
    engine.db.prepare(`UPDATE run_details SET detail = json_remove(detail, '$.utility') WHERE run_id = ? AND date = ?`).run(runId, first);
    const p = explainRun(engine.db, runId, undefined, { nSamples: 64 }, { recompute: true });
    await expect(p).rejects.toBeInstanceOf(StoredRunDataError);
    await expect(explainRun(engine.db, runId, undefined, { nSamples: 64 }, { recompute: true })).rejects.toThrow(`run ${runId}: the stored decision detail of ${first}`);
  });
});
