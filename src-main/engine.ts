/**
 * The engine: one object holding the database, the job runner and the event bus, shared by the three entry
 * shells (Electron, headless host, command line). Everything that computes is reached from here.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type DB, type OpenOptions } from './store/db';
import { JobRunner } from './jobs/runner';
import { protectFromOutput } from './reports/outputFile';
import type { JobLauncher } from './jobs/launch';
import { ensureDefaultUniverse } from './data/bundled';
import { markOrphanedRuns } from './store/runs';

export type Shell = 'electron' | 'headless' | 'cli';

export interface Engine {
  db: DB;
  dbPath: string;
  /** folder next to the database for trained models and caches */
  dataDir: string;
  shell: Shell;
  jobs: JobRunner;
  /** 'event' is emitted with (name, payload) for the shells to forward to the renderer */
  events: EventEmitter;
  close(): void;
}

/** Per-user data directory, the same place Electron's app.getPath('userData') gives for this app. */
export function userDataDir(): string {
  const home = os.homedir();
  if (process.platform === 'win32')
    return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'hdrl-desk');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'hdrl-desk');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'hdrl-desk');
}

/** Database path: explicit option, then $HDRL_DB, then the user data directory. */
export function resolveDbPath(explicit?: string): string {
  return path.resolve(explicit ?? process.env.HDRL_DB ?? path.join(userDataDir(), 'hdrl.db'));
}

export interface EngineOptions {
  dbPath?: string;
  shell: Shell;
  nativeBinding?: string;
  /** how job processes are started (default: fork the worker; the desktop app uses Electron's utilityProcess) */
  jobLauncher?: JobLauncher;
  /** load the bundled DJIA universe on first start (default true) */
  seedDefaultData?: boolean;
  /** how the connection waits for other writers (store/db.ts; the defaults suit every shell) */
  waits?: Pick<OpenOptions, 'busyTimeoutMs' | 'writeWaitMs'>;
}

export function openEngine(opts: EngineOptions): Engine {
  const dbPath = resolveDbPath(opts.dbPath);
  const db = openDatabase(dbPath, { nativeBinding: opts.nativeBinding, ...opts.waits });
  if (dbPath !== ':memory:') protectFromOutput(dbPath, `${dbPath}-wal`, `${dbPath}-shm`);
  if (opts.seedDefaultData !== false) ensureDefaultUniverse(db);
  markOrphanedRuns(db);
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const dataDir = path.join(path.dirname(dbPath), 'hdrl-data');
  const jobs = new JobRunner({
    dbPath,
    onUpdate: (job) => events.emit('event', 'job.update', { job }),
    ...(opts.jobLauncher ? { launch: opts.jobLauncher } : {}),
  });
  return {
    db,
    dbPath,
    dataDir,
    shell: opts.shell,
    jobs,
    events,
    close() {
      jobs.cancelAll();
      db.close();
    },
  };
}
