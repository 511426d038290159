/**
 * How the job runner starts a job process. In plain Node (CLI, headless host, tests) that is child_process.fork of
 * the worker; the desktop app passes electron/jobLauncher.ts instead, which uses Electron's utilityProcess, since
 * the packaged app's RunAsNode fuse is off (scripts/fuses.mjs) and its executable cannot be forked as Node.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage } from './protocol';

/** One job process as the runner sees it. */
export interface JobProcess {
  /** Deliver a message; a process that is gone drops it (never throws). */
  send(message: ParentMessage): void;
  /** Stop it now (SIGKILL or the platform's equivalent). */
  kill(): void;
  onMessage(listener: (message: ChildMessage) => void): void;
  /** Called once when the process has ended, with its exit code or the signal that ended it. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
}

/** Start one job process with this environment (HDRL_DB and the rest). */
export type JobLauncher = (env: NodeJS.ProcessEnv) => JobProcess;

/**
 * How to start a job process: the built worker (out/main/worker.js — this code may sit in the bundle beside it
 * or in a shared chunk one folder down, out/main/chunks/), or else the TypeScript source through tsx.
 */
export function workerEntry(here = path.dirname(fileURLToPath(import.meta.url))): { file: string; execArgv: string[] } {
  for (const dir of [here, path.dirname(here)]) {
    for (const name of ['worker.js', 'jobs-worker.js']) {
      const built = path.join(dir, name);
      if (fs.existsSync(built)) return { file: built, execArgv: [] };
    }
  }
  return { file: path.join(here, 'worker.ts'), execArgv: ['--import', 'tsx'] };
}

/** child_process.fork of `entry` (default: workerEntry()), stdout and stderr shared with this process. */
export function forkLauncher(entry: { file: string; execArgv: string[] } = workerEntry()): JobLauncher {
  return (env) => {
    const childEnv = { ...env };
    // under Electron without the fuses (development), process.execPath is the Electron binary: run it as Node
    if (process.versions.electron) childEnv.ELECTRON_RUN_AS_NODE = '1';
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      env: childEnv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let ended: ((code: number | null, signal: string | null) => void) | undefined;
    let done = false;
    const end = (code: number | null, signal: string | null) => {
      if (done) return;
      done = true;
      ended?.(code, signal);
    };
    child.once('exit', end);
    // a send racing the child's exit fails with EPIPE / ERR_IPC_CHANNEL_CLOSED, and the exit is reported on its
    // own; a process that could not be started at all reports no exit, so end it here
    child.on('error', (e) => {
      if (child.pid === undefined) end(null, `could not start: ${e.message}`);
    });
    return {
      send(message) {
        if (child.connected) child.send(message, () => {});
      },
      kill: () => void child.kill('SIGKILL'),
      onMessage: (listener) => void child.on('message', listener as (m: unknown) => void),
      onExit: (listener) => void (ended = listener),
    };
  };
}
