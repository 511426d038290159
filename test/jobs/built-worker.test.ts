/**
 * The job worker as the desktop app ships it (out/main/worker.js, built by electron-vite), run in plain Node: a
 * backtest job that trains its learned models in parallel jobs of its own, all of them processes of the built
 * worker started by one runner (the job asks the runner for its trainings: jobs/protocol.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../src-shared/contract';
import { forkLauncher } from '../../src-main/jobs/launch';
import { JobRunner, workerEntry } from '../../src-main/jobs/runner';
import { ROOT, ensureBuilt } from '../helpers/browser';
import { tempDir, tempEngine } from '../helpers/engine';
import { TINY_OVERRIDES } from '../strategies/samp/samp-helpers';

const engine = tempEngine();
afterAll(() => engine.close());

describe('the built job worker', () => {
  it('workerEntry finds the built worker from the bundle folder or a chunk folder below it, else the source', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'main', 'chunks'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'main', 'worker.js'), '');
    expect(workerEntry(path.join(dir, 'main'))).toEqual({ file: path.join(dir, 'main', 'worker.js'), execArgv: [] });
    expect(workerEntry(path.join(dir, 'main', 'chunks'))).toEqual({
      file: path.join(dir, 'main', 'worker.js'),
      execArgv: [],
    });
    expect(workerEntry(path.join(dir, 'src'))).toEqual({
      file: path.join(dir, 'src', 'worker.ts'),
      execArgv: ['--import', 'tsx'],
    });
  });

  it('runs a parallel-training backtest job from out/main/worker.js', { timeout: 300_000 }, async () => {
    ensureBuilt();
    const worker = path.join(ROOT, 'out', 'main', 'worker.js');
    const updates: JobInfo[] = [];
    const runner = new JobRunner({
      dbPath: engine.dbPath,
      maxProcesses: 2,
      onUpdate: (j) => updates.push(j),
      launch: forkLauncher({ file: worker, execArgv: [] }),
    });
    const job = runner.start(
      'backtest',
      {
        universe: 'djia30',
        strategies: ['crp', 'samp-hdrl'],
        from: '1992-06-01',
        to: '1992-07-31',
        lookback: 90,
        seeds: 2,
        workers: 2,
        params: { 'samp-hdrl': { overrides: TINY_OVERRIDES, regroupEvery: 30 } },
      },
      'backtest',
    );
    const end = await runner.wait(job.id);
    expect(end.error).toBeNull();
    expect(end.status).toBe('succeeded');
    const runs = (end.result as { runs: { strategy: string; status: string }[] }).runs;
    expect(runs.map((r) => `${r.strategy}:${r.status}`)).toEqual([
      'crp:complete',
      'crp:complete',
      'samp-hdrl:complete',
      'samp-hdrl:complete',
    ]);
    // the trainings ran as the job's own jobs, in built worker processes (a failed one would be trained again in the loop)
    const trainings = runner.list().filter((j) => j.parentId === job.id);
    expect(trainings.map((j) => [j.kind, j.status])).toEqual([
      ['pretrain', 'succeeded'],
      ['pretrain', 'succeeded'],
    ]);
    const trained = updates
      .filter((u) => u.id === job.id && /trained [12] of 2 models/.test(u.message))
      .map((u) => u.message);
    expect(trained.length).toBeGreaterThan(0);
    for (const t of trained) expect(t).toMatch(/seed \d succeeded$/);
    expect(
      fs.readdirSync(path.join(engine.dir, 'hdrl-data', 'models')).filter((f) => f.endsWith('.json')),
    ).toHaveLength(2);
  });
});
