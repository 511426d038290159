/**
 * The job worker as the desktop app ships it (out/main/worker.js, built by electron-vite), run in plain Node:
 * it runs a backtest job that trains its learned models in parallel job processes of its own, which it must find
 * from the shared chunk the runner code is bundled into (out/main/chunks/).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildMessage } from '../../src-main/jobs/protocol';
import { workerEntry } from '../../src-main/jobs/runner';
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
    expect(workerEntry(path.join(dir, 'main', 'chunks'))).toEqual({ file: path.join(dir, 'main', 'worker.js'), execArgv: [] });
    expect(workerEntry(path.join(dir, 'src'))).toEqual({ file: path.join(dir, 'src', 'worker.ts'), execArgv: ['--import', 'tsx'] });
  });

  it('runs a parallel-training backtest job from out/main/worker.js', { timeout: 300_000 }, async () => {
    ensureBuilt();
    const worker = path.join(ROOT, 'out', 'main', 'worker.js');
    const child = fork(worker, [], { env: { ...process.env, HDRL_DB: engine.dbPath }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const messages: ChildMessage[] = [];
    const end = new Promise<ChildMessage>((resolve) => {
      child.on('message', (m: ChildMessage) => {
        messages.push(m);
        if (m.type !== 'progress') resolve(m);
      });
      child.on('exit', (code) => resolve({ type: 'error', message: `exited ${code}`, cancelled: false }));
    });
    child.send({
      type: 'start',
      kind: 'backtest',
      params: { universe: 'djia30', strategies: ['crp', 'samp-hdrl'], from: '1992-06-01', to: '1992-07-31', lookback: 90, seeds: 2, workers: 2, params: { 'samp-hdrl': { overrides: TINY_OVERRIDES, regroupEvery: 30 } } },
    });
    const m = await end;
    expect(m).toMatchObject({ type: 'done' });
    const runs = (m as { result: { runs: { strategy: string; status: string }[] } }).result.runs;
    expect(runs.map((r) => `${r.strategy}:${r.status}`)).toEqual(['crp:complete', 'crp:complete', 'samp-hdrl:complete', 'samp-hdrl:complete']);
    // the trainings ran in the job's own worker processes (a failed one would be trained again in the loop)
    const trained = messages.filter((x) => x.type === 'progress' && /trained [12] of 2 models/.test(x.message)).map((x) => (x as { message: string }).message);
    expect(trained.length).toBeGreaterThan(0);
    for (const t of trained) expect(t).toMatch(/seed \d succeeded$/);
    expect(fs.readdirSync(path.join(engine.dir, 'hdrl-data', 'models')).filter((f) => f.endsWith('.json'))).toHaveLength(2);
  });
});
