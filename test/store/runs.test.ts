/**
 * store/runs.ts, read side: a run's config and each day's decision detail, grouping and rebound flags are parsed
 * once with their schemas (src-shared/domain). The config a backtest writes and the detail a SAMP-HDRL run writes
 * come back typed and unchanged; rows stored before details named their family still read; a row that does not
 * match is an error naming the run and the date, through the store and through the contract alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { dispatch } from '../../src-main/services';
import {
  completeRun,
  getRun,
  getRunDetails,
  getRunGroupings,
  getRunWeightsAt,
  insertRunningRun,
  newRunId,
  StoredRunDataError,
} from '../../src-main/store/runs';
import type { RunInfo, RunWeights } from '../../src-shared/contract';
import { RunConfig } from '../../src-shared/domain/runConfig';
import { tempEngine } from '../helpers/engine';
import { testReboundFlag, testRunConfig, testSampDetail } from '../helpers/runData';

let engine: ReturnType<typeof tempEngine>;
const DATES = ['2000-06-01', '2000-06-02', '2000-06-05'];
const TICKERS = ['AA', 'AXP'];

/** A two-asset SAMP-HDRL-shaped run over DATES: regrouped on the third day, a market rebound flagged on the second. */
function writeSampRun(): string {
  const id = newRunId();
  insertRunningRun(engine.db, {
    id,
    universe: 'djia30',
    strategy: 'samp-hdrl',
    config: testRunConfig({ strategy: 'samp-hdrl', tickers: TICKERS }),
    seed: 1,
    codeVersion: 't',
    windowFrom: DATES[0]!,
    windowTo: DATES[2]!,
    hindsight: false,
  });
  const w = Float64Array.from([0.5, 0.4, 0.1]);
  const regrouped = { high: ['AXP'], ordinary: ['AA'], groupingDate: DATES[2]!, degenerate: false };
  const flag = testReboundFlag('market', 1, DATES[1]!);
  completeRun(engine.db, id, {
    dates: DATES,
    value: [1, 1, 1],
    ret: [0, 0, 0],
    turnover: [1, 0, 0],
    cost: [0, 0, 0],
    weights: { final: [w, w, w] },
    metrics: {},
    details: [
      testSampDetail(),
      testSampDetail({ rebound: { ...testSampDetail().rebound, flagsToday: [flag] } }),
      testSampDetail({ groups: regrouped, regrouped: true }),
    ],
    flags: [],
    timings: {},
  });
  return id;
}

/** Change a stored JSON column of a run with an SQLite JSON expression of `col`. */
function tamper(
  table: 'runs' | 'run_details' | 'groupings',
  col: string,
  expr: string,
  runId: string,
  date?: string,
): void {
  const key = table === 'runs' ? 'id' : 'run_id';
  engine.db
    .prepare(`UPDATE ${table} SET ${col} = ${expr} WHERE ${key} = ?${date ? ' AND date = ?' : ''}`)
    .run(...(date ? [runId, date] : [runId]));
}

beforeAll(() => {
  engine = tempEngine();
});
afterAll(() => engine?.close());

describe('run config', () => {
  it('the config a backtest writes is exactly the schema (nothing left out when parsed) and reads back typed', async () => {
    const [r] = await runBacktest(engine.db, {
      universe: 'djia30',
      strategies: ['eg'],
      from: '2000-06-01',
      to: '2000-06-30',
      rebalance: 'weekly',
      cost: 0.002,
    });
    const raw = JSON.parse(
      (engine.db.prepare('SELECT config FROM runs WHERE id = ?').get(r!.runId) as { config: string }).config,
    ) as unknown;
    expect(RunConfig.parse(raw)).toStrictEqual(raw);
    const run = getRun(engine.db, r!.runId!)!;
    expect(run.config).toMatchObject({
      strategy: 'eg',
      rebalance: 'weekly',
      cost: 0.002,
      protocol: null,
      lookback: 252,
      window: { from: '2000-06-01', trainTruncated: false },
    });
    const info = await dispatch(engine, 'runs.get', { id: r!.runId });
    expect(info.ok && (info.value as RunInfo).config).toStrictEqual(raw);
  });

  it('a stored config that does not match is an error naming the run and the field, in the store and the contract', async () => {
    const id = writeSampRun();
    tamper('runs', 'config', `json_set(config, '$.cost', 'cheap')`, id);
    expect(() => getRun(engine.db, id)).toThrow(StoredRunDataError);
    expect(() => getRun(engine.db, id)).toThrow(`run ${id}: the stored config does not have the expected shape (cost:`);
    const r = await dispatch(engine, 'runs.get', { id });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toContain(`run ${id}: the stored config`);
    engine.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  });
});

describe('decision details, groupings and rebound flags', () => {
  it('read back typed: the detail of the day, the grouping in force, the flags of the day', async () => {
    const id = writeSampRun();
    const at = getRunWeightsAt(engine.db, id, DATES[1])!;
    expect(at.detail).toStrictEqual(
      testSampDetail({
        rebound: { ...testSampDetail().rebound, flagsToday: [testReboundFlag('market', 1, DATES[1]!)] },
      }),
    );
    expect(at.grouping).toStrictEqual(testSampDetail().groups);
    expect(at.reboundFlags).toStrictEqual([{ group: 'market', detail: testReboundFlag('market', 1, DATES[1]!) }]);
    expect(getRunGroupings(engine.db, id).map((g) => [g.date, g.grouping.high])).toEqual([
      [DATES[0], ['AA']],
      [DATES[2], ['AXP']],
    ]);
    expect(getRunDetails(engine.db, id).map((d) => d.detail.family === 'samp' && d.detail.regrouped)).toEqual([
      false,
      false,
      true,
    ]);
    // and through the contract
    const w = await dispatch(engine, 'runs.weights', { id, date: DATES[2] });
    expect(w.ok).toBe(true);
    const v = w.ok ? (w.value as RunWeights) : null;
    expect(v?.detail).toStrictEqual(testSampDetail({ groups: v!.grouping!, regrouped: true }));
    expect(v?.grouping?.high).toEqual(['AXP']);
  });

  it('rows stored before details named their family read as today', () => {
    const id = writeSampRun();
    tamper('run_details', 'detail', `json_remove(detail, '$.family')`, id);
    expect(
      engine.db.prepare(`SELECT COUNT(*) AS n FROM run_details WHERE run_id = ? AND detail LIKE '%family%'`).get(id),
    ).toEqual({ n: 0 });
    expect(getRunWeightsAt(engine.db, id, DATES[0])!.detail).toStrictEqual(testSampDetail());
    expect(getRunDetails(engine.db, id)).toHaveLength(3);
  });

  it('a detail or grouping that does not match is an error naming the run, the date and the field, never guessed', async () => {
    const id = writeSampRun();
    // the shape the old readers guessed at: `grouping` instead of `groups`
    tamper(
      'run_details',
      'detail',
      `json_remove(json_set(detail, '$.grouping', json_extract(detail, '$.groups')), '$.groups')`,
      id,
      DATES[1],
    );
    expect(() => getRunWeightsAt(engine.db, id, DATES[1])).toThrow(
      `run ${id}: the stored decision detail of ${DATES[1]} does not have the expected shape (groups:`,
    );
    expect(() => getRunDetails(engine.db, id)).toThrow(StoredRunDataError);
    expect(getRunWeightsAt(engine.db, id, DATES[0])!.detail?.family).toBe('samp'); // the other days still read
    const r = await dispatch(engine, 'runs.weights', { id, date: DATES[1] });
    expect(!r.ok && r.error.message).toContain(`run ${id}: the stored decision detail of ${DATES[1]}`);

    tamper('groupings', 'grouping', `json_remove(grouping, '$.high')`, id, DATES[2]);
    expect(() => getRunGroupings(engine.db, id)).toThrow(
      `run ${id}: the stored grouping of ${DATES[2]} does not have the expected shape (high:`,
    );
    const g = await dispatch(engine, 'runs.groupings', { runId: id });
    expect(!g.ok && g.error.message).toContain(`run ${id}: the stored grouping of ${DATES[2]}`);
  });
});
