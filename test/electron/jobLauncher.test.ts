/**
 * The desktop app's job processes (src-main/electron/jobLauncher.ts): Electron's utilityProcess, since the packaged
 * app cannot run its executable as Node. A stand-in utilityProcess.fork runs the real worker in Node with
 * process.parentPort shimmed the way Electron provides it, so the worker's utility-process path runs for real.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { utilityProcessLauncher, type UtilityProcessApi } from '../../src-main/electron/jobLauncher';
import { JobRunner } from '../../src-main/jobs/runner';
import { tempEngine } from '../helpers/engine';

const engine = tempEngine({ seedDefaultData: false });
afterAll(() => engine.close());

const WORKER = path.resolve(__dirname, '../../src-main/jobs/worker.ts');
const SHIM = path.resolve(__dirname, 'fixtures/parentPort.mjs');

function standIn() {
  const forks: { file: string; env: NodeJS.ProcessEnv; exit: Promise<number | null> }[] = [];
  const api: UtilityProcessApi = {
    fork(file, args, options) {
      const child = fork(file, args, {
        execArgv: ['--import', 'tsx', '--import', SHIM],
        env: options.env,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      forks.push({ file, env: options.env, exit: new Promise((res) => child.on('exit', (code) => res(code))) });
      return {
        postMessage: (m) => void child.send(m),
        kill: () => child.kill(),
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one stand-in listener serves both overloads of `on`
        on: (event: 'message' | 'exit', listener: (x: any) => void) =>
          event === 'message' ? child.on('message', listener) : child.on('exit', (code) => listener(code ?? -1)),
      };
    },
  };
  return { api, forks };
}

describe('utility-process job launcher', () => {
  it('runs jobs, their own jobs and cancels through process.parentPort, and ends each process', async () => {
    const { api, forks } = standIn();
    const runner = new JobRunner({
      dbPath: engine.dbPath,
      maxProcesses: 2,
      onUpdate: () => {},
      launch: utilityProcessLauncher(api, WORKER),
    });
    const job = runner.start('demo', { steps: 2, delayMs: 10, children: 2 }, 'parent');
    const end = await runner.wait(job.id);
    expect(end.status).toBe('succeeded');
    expect((end.result as { children: string[] }).children).toEqual(['succeeded', 'succeeded']);
    const long = runner.start('demo', { steps: 1_000_000, delayMs: 20 }, 'long');
    while (!(runner.get(long.id)!.fraction! > 0)) await new Promise((res) => setTimeout(res, 20));
    runner.cancel(long.id);
    expect((await runner.wait(long.id)).status).toBe('cancelled');
    expect(forks).toHaveLength(4);
    for (const f of forks) {
      expect(f.file).toBe(WORKER);
      expect(f.env.HDRL_DB).toBe(engine.dbPath);
      expect(f.env.ELECTRON_RUN_AS_NODE).toBeUndefined();
    }
    // each process ended: the worker keeps its port open, so the launcher ends it after the final message
    await Promise.all(forks.map((f) => f.exit));
  });
});
