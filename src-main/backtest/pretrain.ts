/**
 * Parallel training ahead of a backtest (`hdrl backtest --workers N`).
 *
 * A learned strategy trains once per (seed, window) and stores its model next to the database, keyed by
 * variant, config, seed and the data it may read (strategies/samp/model.ts sampTrainingKey); a later run with
 * the same key reuses it. So a many-seed evaluation can train in N job processes at once — one `pretrain` job
 * per (learned strategy, seed, window), which runs that one window without storing a run — and then the
 * ordinary backtest loop (backtest/run.ts) runs every strategy in order, finding the models trained.
 * The results are those of a sequential run: the same keys, seeds and training code give the same models.
 *
 * A pretrain job that fails is not fatal: the backtest loop trains that model again itself and, if it fails
 * again, stores the run as failed with its error like any other.
 *
 * The params of the two job kinds that run a backtest request (jobs/kinds.ts `backtest` and `pretrain`) are
 * defined here as schemas, since they cross a process boundary and the kinds parse them (BacktestJobRequest,
 * PretrainJobParams).
 */
import { z } from 'zod';
import type { JobInfo } from '../../src-shared/contract';
import { BacktestStartRequest } from '../../src-shared/contract/runs';
import type { DB } from '../store/db';
import { parseJobParams } from '../jobs/context';
import { loadUniversePrices, requestWindows, type BacktestRequest } from './run';
import { getStrategy } from '../strategies/registry';

/** One pretrain job: a learned strategy, one seed, one window of the request (index into requestWindows). */
export interface PretrainTask {
  strategy: string;
  seed: number;
  window: number;
}

/**
 * A backtest request as a job receives it: the contract's runs.start request (BacktestStartRequest), except that a
 * strategy parameter's text is not held to the contract's 256 characters. The public channel keeps that bound; the
 * CLI (`--param samp-hdrl.overrides=JSON`) and tests pass longer JSON overrides to the jobs they start.
 */
export const BacktestJobRequest = BacktestStartRequest.extend({
  params: z.record(z.string(), z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]))).optional(),
});
export type BacktestJobRequest = z.infer<typeof BacktestJobRequest>;

/** What a pretrain job process receives (jobs/kinds.ts `pretrain`): one window of a request without `workers`. */
export const PretrainJobParams = z
  .object({ request: BacktestJobRequest.omit({ workers: true }), window: z.number().int().min(0) })
  .strict();
export type PretrainJobParams = z.infer<typeof PretrainJobParams>;

/** What pretrainInParallel needs of a job runner (jobs/runner.ts JobRunner). */
export interface PretrainRunner {
  start(kind: string, params: unknown, label: string): JobInfo;
  wait(id: string): Promise<JobInfo>;
  cancel(id: string): unknown;
}

export interface PretrainOutcome {
  task: PretrainTask;
  status: JobInfo['status'];
  error: string | null;
  elapsedMs: number;
}

/**
 * The (learned strategy, seed, window) trainings of a request with `windows` windows, in the order the backtest
 * loop would train them.
 */
export async function pretrainTasks(
  req: Pick<BacktestRequest, 'strategies' | 'seeds' | 'seedFirst'>,
  windows: number,
): Promise<PretrainTask[]> {
  const tasks: PretrainTask[] = [];
  const nSeeds = req.seeds ?? 1;
  const first = req.seedFirst ?? 1;
  for (const id of req.strategies) {
    const def = await getStrategy(id);
    if (def.family !== 'learning') continue;
    for (let s = 0; s < nSeeds; s++)
      for (let w = 0; w < windows; w++) tasks.push({ strategy: id, seed: first + s, window: w });
  }
  return tasks;
}

/**
 * The params of a task's job: the same universe, windows, settings and params; one strategy, seed and window. The
 * job parses them with PretrainJobParams (pretrainInParallel checks the first before starting any).
 */
export function pretrainJobParams(
  req: BacktestRequest,
  task: PretrainTask,
): { request: BacktestRequest; window: number } {
  return { request: { ...req, strategies: [task.strategy], seeds: 1, seedFirst: task.seed }, window: task.window };
}

/** How many windows a request has on the universe's stored prices (throws a RangeError like runBacktest). */
export function windowCount(db: DB, req: BacktestRequest): number {
  return requestWindows(loadUniversePrices(db, req.universe).dates, req).length;
}

/**
 * Run the pretrain jobs of `req` (which has `windows` windows), at most `workers` at a time. Resolves when all have ended (or, after `signal`
 * aborts, when the running ones have been cancelled); never rejects for a failed job — see the file header.
 */
export async function pretrainInParallel(
  runner: PretrainRunner,
  req: BacktestRequest,
  workers: number,
  windows: number,
  opts: {
    signal?: AbortSignal;
    /** before the first job, with the number of jobs and of processes (not called when there is nothing to train) */
    onStart?: (total: number, processes: number) => void;
    onEnd?: (o: PretrainOutcome, done: number, total: number) => void;
  } = {},
): Promise<PretrainOutcome[]> {
  if (!Number.isInteger(workers) || workers < 1)
    throw new RangeError(`workers must be a positive whole number, got ${workers}`);
  const tasks = await pretrainTasks(req, windows);
  // a request the jobs would refuse (a setting outside the contract's bounds, which the CLI checks more loosely)
  // is refused here, once, before any training starts
  if (tasks.length) parseJobParams('pretrain', PretrainJobParams, pretrainJobParams(req, tasks[0]!));
  if (tasks.length) opts.onStart?.(tasks.length, Math.min(workers, tasks.length));
  const outcomes: PretrainOutcome[] = [];
  const running = new Set<string>();
  const onAbort = () => {
    for (const id of running) runner.cancel(id);
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  const lane = async () => {
    while (next < tasks.length && !opts.signal?.aborted) {
      const task = tasks[next++]!;
      const t0 = performance.now();
      const job = runner.start(
        'pretrain',
        pretrainJobParams(req, task),
        `train ${task.strategy} seed ${task.seed} window ${task.window + 1}/${windows}`,
      );
      running.add(job.id);
      const end = await runner.wait(job.id);
      running.delete(job.id);
      const o: PretrainOutcome = { task, status: end.status, error: end.error, elapsedMs: performance.now() - t0 };
      outcomes.push(o);
      opts.onEnd?.(o, outcomes.length, tasks.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(workers, tasks.length) }, lane));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return outcomes;
}
