/**
 * One error for cancelled work, JobCancelled (jobs/context.ts): a backtest and an import whose signal aborts throw
 * it, saying what was cancelled, and a cancelled backtest job ends with status cancelled, its run stored so.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../src-shared/contract';
import { runBacktest } from '../../src-main/backtest/run';
import { runImport } from '../../src-main/data/importer';
import { JobCancelled } from '../../src-main/jobs/context';
import { jobKinds } from '../../src-main/jobs/kinds';
import { listRuns } from '../../src-main/store/runs';
import { fx } from '../data/helpers';
import { tempEngine } from '../helpers/engine';
import { kindContext } from './helpers';

const engine = tempEngine();
afterAll(() => engine.close());

const runsOf = (strategy: string) =>
  listRuns(engine.db)
    .filter((r) => r.strategy === strategy)
    .map((r) => r.status);

describe('cancelled work throws JobCancelled', () => {
  it('a backtest: the run under way is stored as cancelled', async () => {
    const ac = new AbortController();
    await expect(
      runBacktest(
        engine.db,
        { universe: 'djia30', strategies: ['ubah'], from: '2000-01-03', to: '2000-03-31' },
        { signal: ac.signal, progress: (_f, message) => message.endsWith('creating') && ac.abort() },
      ),
    ).rejects.toThrow(new JobCancelled('backtest'));
    expect(runsOf('ubah')).toEqual(['cancelled']);
  });

  it('the backtest job kind, as it reaches the job process', async () => {
    const ac = new AbortController();
    const ctx = kindContext(engine, {
      signal: ac.signal,
      onProgress: (_f, message) => message.endsWith('creating') && ac.abort(),
    });
    const req = { universe: 'djia30', strategies: ['beststock'], from: '2000-01-03', to: '2000-03-31' };
    const error = await jobKinds.backtest!(req, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobCancelled);
    expect((error as Error).message).toBe('backtest cancelled');
    expect(runsOf('beststock')).toEqual(['cancelled']);
  });

  it('an import: nothing is written', async () => {
    const ac = new AbortController();
    ac.abort();
    const error = await runImport(
      engine.db,
      [fx('good', 'wide.csv')],
      { universe: 'cancelled-import' },
      {
        signal: ac.signal,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobCancelled);
    expect((error as Error).message).toBe('import cancelled');
    expect(engine.db.prepare(`SELECT COUNT(*) AS n FROM universes WHERE id = 'cancelled-import'`).get()).toEqual({
      n: 0,
    });
  });
});

describe('a cancelled backtest job', () => {
  it('ends with status cancelled and leaves no run running', { timeout: 120_000 }, async () => {
    const strategies = ['crp', 'olmar', 'pamr', 'anticor', 'ons'];
    const updates: JobInfo[] = [];
    const listener = (_n: string, p: { job: JobInfo }) => updates.push(p.job);
    engine.events.on('event', listener);
    try {
      const job = engine.jobs.start('backtest', { universe: 'djia30', strategies, protocol: 'rolling' }, 'bt');
      // cancel as soon as the job process reports its first run under way
      await new Promise<void>((resolve) => {
        const onEvent = (_n: string, p: { job: JobInfo }) => {
          if (p.job.id !== job.id || !/creating|simulating/.test(p.job.message)) return;
          engine.events.off('event', onEvent);
          engine.jobs.cancel(job.id);
          resolve();
        };
        engine.events.on('event', onEvent);
      });
      const end = await engine.jobs.wait(job.id);
      expect(end.status).toBe('cancelled');
      expect(end.error).toBeNull();
      const runs = listRuns(engine.db).filter((r) => strategies.includes(r.strategy));
      expect(runs.filter((r) => r.status === 'running')).toEqual([]);
      expect(runs.filter((r) => r.status === 'complete').length).toBeLessThan(strategies.length * 7);
    } finally {
      engine.events.off('event', listener);
    }
  });
});
