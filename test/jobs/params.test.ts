/**
 * Every job kind parses its params before it does anything: a malformed object fails the job with an error naming
 * the kind and the bad field, and nothing runs — no sub-job started, no row written.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobKinds } from '../../src-main/jobs/kinds';
import {
  PretrainJobParams,
  pretrainInParallel,
  pretrainJobParams,
  type PretrainRunner,
} from '../../src-main/backtest/pretrain';
import { listRuns } from '../../src-main/store/runs';
import { tempEngine } from '../helpers/engine';
import { kindContext, writesSoFar } from './helpers';

const engine = tempEngine();
afterAll(() => engine.close());

/** Run `kind` in this process on `params`; gives its error, the writes it made and the sub-jobs it started. */
async function refusal(kind: string, params: unknown) {
  const ctx = kindContext(engine);
  const before = writesSoFar(engine);
  const error = await jobKinds[kind]!(params, ctx).then(
    () => null,
    (e: unknown) => e as Error,
  );
  return { error, writes: writesSoFar(engine) - before, subJobs: ctx.subJobs };
}

const backtest = { universe: 'djia30', strategies: ['crp'], from: '2000-01-03', to: '2000-03-31' };

describe('job kinds refuse malformed params, naming the kind and the field, and run nothing', () => {
  it.each([
    ['explain', { runId: 42, date: '1999-06-30' }, 'runId'],
    ['explain', { runId: 'r1' }, 'date'],
    // a number as text: the backtest's own checks let it through and it would be stored as the run's cost
    ['backtest', { ...backtest, cost: '0.002' }, 'cost'],
    ['backtest', { ...backtest, strategies: 'crp' }, 'strategies'],
    ['backtest', { ...backtest, workers: 0 }, 'workers'],
    ['pretrain', { request: { ...backtest, strategies: 'crp' }, window: 0 }, 'request.strategies'],
    ['pretrain', { request: backtest, window: '0' }, 'window'],
    ['pretrain', { request: { ...backtest, workers: 2 }, window: 0 }, 'Unrecognized key: "workers"'],
    ['demo', { steps: '3', delayMs: 0 }, 'steps'],
    ['demo', { steps: 3, delayMs: 0, children: 'two' }, 'children'],
    ['demo', { steps: 3, delayMs: 0, step: 4 }, 'Unrecognized key: "step"'],
    ['import', { paths: 'prices.csv', universe: 'mine' }, 'paths'],
    ['import', { paths: [path.join(engine.dir, 'prices.csv')] }, 'universe'],
  ])('%s %j', async (kind, params, field) => {
    const runsBefore = listRuns(engine.db).length;
    const { error, writes, subJobs } = await refusal(kind, params);
    expect(error?.message).toMatch(new RegExp(`^job "${kind}": bad params: `));
    expect(error?.message).toContain(field);
    expect(writes).toBe(0);
    expect(subJobs).toEqual([]);
    expect(listRuns(engine.db)).toHaveLength(runsBefore);
  });

  it('refuses a params value that is not an object at all', async () => {
    for (const kind of Object.keys(jobKinds)) {
      const { error, writes } = await refusal(kind, 'go');
      expect(error?.message, kind).toMatch(new RegExp(`^job "${kind}": bad params: \\(params\\): `));
      expect(writes).toBe(0);
    }
  });
});

describe('pretrain params', () => {
  const task = { strategy: 'samp-hdrl', seed: 3, window: 1 };

  it('take what a backtest sends its trainings, JSON overrides over the public bound of 256 included', () => {
    const overrides = JSON.stringify({ note: 'x'.repeat(400) });
    const req = { ...backtest, strategies: ['crp', 'samp-hdrl'], params: { 'samp-hdrl': { overrides } } };
    const parsed = PretrainJobParams.parse(pretrainJobParams(req, task));
    expect(parsed.request.params?.['samp-hdrl']?.overrides).toBe(overrides);
    expect(parsed.window).toBe(1);
  });

  it('a request its jobs would refuse is refused before any training starts', async () => {
    const started: unknown[] = [];
    const runner: PretrainRunner = {
      start(kind, params) {
        started.push(params);
        throw new Error('no job may start');
      },
      wait: () => Promise.reject(new Error('no job started')),
      cancel: () => {},
    };
    await expect(
      pretrainInParallel(runner, { universe: 'djia30', strategies: ['samp-hdrl'], cost: 0.9 }, 2, 1),
    ).rejects.toThrow(/^job "pretrain": bad params: request\.cost: /);
    expect(started).toEqual([]);
  });
});
