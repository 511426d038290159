/**
 * `hdrl backtest --workers N`: the learned strategies' models are trained in job processes first, at most N at a
 * time, and the backtest then reuses them — giving exactly the weights of a sequential run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { JobInfo } from '../../src-shared/contract';
import { requestWindows, runBacktest, type BacktestRequest } from '../../src-main/backtest/run';
import {
  pretrainInParallel,
  pretrainJobParams,
  pretrainTasks,
  type PretrainJobParams,
  type PretrainRunner,
} from '../../src-main/backtest/pretrain';
import { loadPriceMatrix } from '../../src-main/store/prices';
import { setSampModelStore } from '../../src-main/strategies/samp';
import { tempEngine } from '../helpers/engine';
import { TINY_OVERRIDES } from '../strategies/samp/samp-helpers';

const parallel = tempEngine();
const sequential = tempEngine();
afterAll(() => {
  setSampModelStore(null);
  parallel.close();
  sequential.close();
});

function request(dates: readonly string[]): BacktestRequest {
  return {
    universe: 'djia30',
    strategies: ['crp', 'samp-hdrl'],
    from: dates[300]!,
    to: dates[340]!,
    lookback: 90,
    seeds: 2,
    seedFirst: 4,
    params: { 'samp-hdrl': { overrides: TINY_OVERRIDES, regroupEvery: 30 } },
  };
}

/** A runner whose jobs end when the test says so; records how many ran at once. */
function fakeRunner(outcome: (params: PretrainJobParams) => Partial<JobInfo>) {
  let live = 0;
  const seen = { maxLive: 0, started: [] as PretrainJobParams[], cancelled: [] as string[] };
  const waits = new Map<string, Promise<JobInfo>>();
  const runner: PretrainRunner = {
    start(kind, params, label) {
      expect(kind).toBe('pretrain');
      const p = params as PretrainJobParams;
      seen.started.push(p);
      live++;
      seen.maxLive = Math.max(seen.maxLive, live);
      const id = `j${seen.started.length}`;
      const info = {
        id,
        kind,
        label,
        status: 'running',
        startedAt: '',
        endedAt: null,
        fraction: 0,
        message: '',
        figures: {},
        error: null,
        version: 0,
      } as JobInfo;
      waits.set(
        id,
        new Promise((r) =>
          setTimeout(() => {
            live--;
            r({ ...info, status: 'succeeded', ...outcome(p) });
          }, 5),
        ),
      );
      return info;
    },
    wait: (id) => waits.get(id)!,
    cancel: (id) => void seen.cancelled.push(id),
  };
  return { runner, seen };
}

describe('pretrain in parallel', () => {
  it('makes one task per learned strategy, seed and window, skipping classic strategies', async () => {
    const tasks = await pretrainTasks(
      { strategies: ['crp', 'samp-hdrl', 'ubah', 'ddpg-flat'], seeds: 2, seedFirst: 7 },
      2,
    );
    expect(tasks.map((t) => `${t.strategy}:${t.seed}:${t.window}`)).toEqual([
      'samp-hdrl:7:0',
      'samp-hdrl:7:1',
      'samp-hdrl:8:0',
      'samp-hdrl:8:1',
      'ddpg-flat:7:0',
      'ddpg-flat:7:1',
      'ddpg-flat:8:0',
      'ddpg-flat:8:1',
    ]);
    expect(await pretrainTasks({ strategies: ['crp', 'olmar'], seeds: 3 }, 3)).toEqual([]);
    await expect(pretrainTasks({ strategies: ['nope'] }, 1)).rejects.toThrow(/nope/);
    const req = request(['a']);
    expect(pretrainJobParams(req, { strategy: 'samp-hdrl', seed: 5, window: 2 })).toEqual({
      request: { ...req, strategies: ['samp-hdrl'], seeds: 1, seedFirst: 5 },
      window: 2,
    });
  });

  it('keeps at most N jobs running, and a failed job does not stop the others', async () => {
    const { runner, seen } = fakeRunner((p) =>
      p.request.seedFirst === 2 && p.window === 1 ? { status: 'failed', error: 'boom' } : {},
    );
    const req: BacktestRequest = { universe: 'u', strategies: ['samp-hdrl', 'ddpg-flat'], seeds: 3 };
    const ended: number[] = [];
    const started: number[][] = [];
    const out = await pretrainInParallel(runner, req, 2, 2, {
      onStart: (t, p) => started.push([t, p]),
      onEnd: (_o, done) => ended.push(done),
    });
    expect(started).toEqual([[12, 2]]);
    expect(seen.started).toHaveLength(12);
    expect(seen.maxLive).toBe(2);
    expect(ended).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(out.filter((o) => o.status === 'failed').map((o) => o.task)).toEqual([
      { strategy: 'samp-hdrl', seed: 2, window: 1 },
      { strategy: 'ddpg-flat', seed: 2, window: 1 },
    ]);
    expect(out.find((o) => o.status === 'failed')!.error).toBe('boom');
    await expect(pretrainInParallel(runner, req, 0, 2)).rejects.toThrow(/workers/);
    // nothing to train: no start, no job
    const none = fakeRunner(() => ({}));
    const onStart = vi.fn();
    expect(
      await pretrainInParallel(none.runner, { universe: 'u', strategies: ['crp'], seeds: 3 }, 4, 3, { onStart }),
    ).toEqual([]);
    expect(onStart).not.toHaveBeenCalled();
    expect(none.seen.started).toEqual([]);
  });

  it('starts nothing more once cancelled', async () => {
    const ac = new AbortController();
    const { runner, seen } = fakeRunner(() => ({}));
    await pretrainInParallel(runner, { universe: 'u', strategies: ['samp-hdrl'], seeds: 5 }, 1, 3, {
      signal: ac.signal,
      onEnd: () => ac.abort(),
    });
    expect(seen.started).toHaveLength(1);
  });

  it('a backtest can run only some windows of a request (what a pretrain job does)', async () => {
    const prices = loadPriceMatrix(parallel.db, 'djia30');
    const req: BacktestRequest = { universe: 'djia30', strategies: ['crp'], protocol: 'samp' };
    const all = await runBacktest(null, req, { prices, store: false });
    expect(all.map((r) => r.window.label)).toEqual(['1998', '1999', '2000']);
    const one = await runBacktest(null, req, { prices, store: false, windowIndices: [1] });
    expect(one.map((r) => r.window.label)).toEqual(['1999']);
    expect(one[0]!.metrics!.sharpe).toBe(all[1]!.metrics!.sharpe);
    await expect(runBacktest(null, req, { prices, store: false, windowIndices: [3] })).rejects.toThrow(
      /window index out of range 0..2/,
    );
  });

  it(
    'trains in job processes, and the backtest then reuses the models and gives the sequential weights',
    { timeout: 240_000 },
    async () => {
      const dates = loadPriceMatrix(parallel.db, 'djia30').dates;
      const req = request(dates);
      const windows = requestWindows(dates, req).length;
      expect(windows).toBe(1);
      const outcomes = await pretrainInParallel(parallel.jobs, req, 2, windows);
      expect(outcomes.map((o) => [o.task.seed, o.status, o.error])).toEqual(
        expect.arrayContaining([
          [4, 'succeeded', null],
          [5, 'succeeded', null],
        ]),
      );
      const models = path.join(parallel.dir, 'hdrl-data', 'models');
      expect(fs.readdirSync(models).filter((f) => f.endsWith('.json'))).toHaveLength(2);

      const messages: string[] = [];
      const fromParallel = await runBacktest(parallel.db, req, { progress: (_f, m) => messages.push(m) });
      expect(messages.filter((m) => /reused trained model/.test(m))).toHaveLength(2);
      expect(messages.some((m) => /episode/.test(m))).toBe(false);

      const trainedHere: string[] = [];
      const fromSequential = await runBacktest(sequential.db, req, { progress: (_f, m) => trainedHere.push(m) });
      expect(trainedHere.some((m) => /episode/.test(m))).toBe(true);
      expect(fromParallel.map((r) => [r.strategy, r.seed, r.status])).toEqual(
        fromSequential.map((r) => [r.strategy, r.seed, r.status]),
      );
      for (let k = 0; k < fromParallel.length; k++) {
        const a = fromParallel[k]!.sim!.target;
        const b = fromSequential[k]!.sim!.target;
        expect(a.length).toBe(b.length);
        for (let d = 0; d < a.length; d++) expect(Array.from(a[d]!)).toEqual(Array.from(b[d]!));
      }
    },
  );

  it(
    'a backtest job (runs.start with workers) trains in parallel first and stores every run',
    { timeout: 240_000 },
    async () => {
      const dates = loadPriceMatrix(parallel.db, 'djia30').dates;
      const req = { ...request(dates), seedFirst: 8, workers: 2 };
      const updates: JobInfo[] = [];
      const listener = (_n: string, p: { job: JobInfo }) => updates.push(p.job);
      parallel.events.on('event', listener);
      const job = parallel.jobs.start('backtest', req, 'bt');
      const end = await parallel.jobs.wait(job.id);
      parallel.events.off('event', listener);
      expect(end.error).toBeNull();
      expect(end.status).toBe('succeeded');
      expect(updates.some((u) => u.id === job.id && /trained [12] of 2 models \(2 processes\)/.test(u.message))).toBe(
        true,
      );
      const runs = (end.result as { runs: { strategy: string; seed: number; status: string }[] }).runs;
      expect(runs.map((r) => `${r.strategy}:${r.seed}:${r.status}`)).toEqual([
        'crp:8:complete',
        'crp:9:complete',
        'samp-hdrl:8:complete',
        'samp-hdrl:9:complete',
      ]);
    },
  );
});
