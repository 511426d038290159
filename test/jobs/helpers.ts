/** Helpers of the job tests: a job context over an engine's database, and a count of the writes made on it. */
import type { JobInfo } from '../../src-shared/contract';
import type { Engine } from '../../src-main/engine';
import type { JobContext } from '../../src-main/jobs/context';

/**
 * A context for calling a job kind in this process: the engine's database, the given signal, sub-jobs that are
 * recorded (never started) and progress events passed to `onProgress`.
 */
export function kindContext(
  engine: Engine,
  opts: { signal?: AbortSignal; onProgress?: (fraction: number | null, message: string) => void } = {},
): JobContext & { subJobs: { kind: string; params: unknown }[] } {
  const subJobs: { kind: string; params: unknown }[] = [];
  return {
    db: engine.db,
    dbPath: engine.dbPath,
    signal: opts.signal ?? new AbortController().signal,
    subJobs,
    jobs: {
      start(kind, params, label): JobInfo {
        subJobs.push({ kind, params });
        const now = new Date().toISOString();
        return {
          id: `sub-${subJobs.length}`,
          kind,
          label,
          status: 'queued',
          startedAt: now,
          endedAt: null,
          fraction: 0,
          message: '',
          figures: {},
          error: null,
          version: 0,
        };
      },
      wait: (id) => Promise.reject(new Error(`sub-job ${id} is only recorded in this test`)),
      cancel: () => {},
    },
    progress: (fraction, message) => opts.onProgress?.(fraction, message),
  };
}

/** Rows inserted, updated or deleted on the engine's connection so far (SQLite total_changes()). */
export function writesSoFar(engine: Engine): number {
  return (engine.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
}
