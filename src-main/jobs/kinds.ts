/**
 * Every kind of long job, by name. Each runs in its own process (jobs/worker.ts) with its own database
 * connection, reports progress through ctx.progress and stops when ctx.signal aborts (throwing JobCancelled).
 * Add a kind here and start it with engine.jobs.start(kind, params). The context and JobCancelled: context.ts.
 *
 * A kind's params come from a service, the CLI or another job, through the job process's channel: each kind parses
 * them with its schema (parseJobParams) before it does anything, so a malformed object fails the job with the bad
 * fields named and nothing run or written. The schemas live with what they describe: the backtest and pretrain
 * params in backtest/pretrain.ts, the import request in the contract (data/job.ts parses it), the explain and demo
 * params below. The engine's modules load lazily, so a job process loads only those of its kind.
 */
import { z } from 'zod';
import { IsoDate } from '../../src-shared/contract/define';
import { explainMethods } from '../../src-shared/contract/explain';
import { parseJobParams, throwIfCancelled, type JobKind } from './context';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The explain job's params: explain.run's request with the decision date resolved (services/explain.ts). */
export const ExplainJobParams = explainMethods['explain.run'].request.extend({ date: IsoDate });
export type ExplainJobParams = z.infer<typeof ExplainJobParams>;

/**
 * The demo job's params: count to `steps`, waiting `delayMs` before each, after running `children` demo jobs of
 * its own. Wider than the jobs.demo channel's request: tests start endless ones through the engine.
 */
export const DemoJobParams = z
  .object({
    steps: z.number().int().min(1),
    delayMs: z.number().int().min(0).max(60_000),
    children: z.number().int().min(0).max(64).optional(),
  })
  .strict();
export type DemoJobParams = z.infer<typeof DemoJobParams>;

export const jobKinds: Record<string, JobKind> = {
  /** Per-agent Kernel SHAP of one decision of a stored run (explain/runExplain.ts); stored for explain.get. */
  async explain(params, ctx) {
    const p = parseJobParams('explain', ExplainJobParams, params);
    const { explainRun } = await import('../explain/runExplain');
    throwIfCancelled(ctx.signal);
    const r = await explainRun(
      ctx.db,
      p.runId,
      p.date,
      { ...(p.nSamples ? { nSamples: p.nSamples } : {}), ...(p.ticker ? { ticker: p.ticker } : {}) },
      { recompute: true, progress: (f, m) => ctx.progress(f, m) },
    );
    return { runId: r.runId, date: r.date, agents: r.agents.length, elapsedMs: r.elapsedMs };
  },

  /**
   * A backtest (backtest/run.ts, request = contract BacktestStartRequest): runs strategies x seeds x windows and
   * stores each run; returns the run ids with their status. Cancelling stores the current run as 'cancelled'.
   */
  async backtest(params, ctx) {
    const [{ runBacktest }, { BacktestJobRequest, pretrainInParallel, windowCount }] = await Promise.all([
      import('../backtest/run'),
      import('../backtest/pretrain'),
    ]);
    const { workers = 1, ...req } = parseJobParams('backtest', BacktestJobRequest, params);
    // with workers > 1: train the learned models in up to that many job processes first (backtest/pretrain.ts),
    // started by the shell's job runner under its cap
    let share = 0;
    if (workers > 1) {
      await pretrainInParallel(ctx.jobs, req, workers, windowCount(ctx.db, req), {
        signal: ctx.signal,
        onStart: () => (share = 0.8),
        onEnd: (o, done, total) =>
          ctx.progress(
            (share * done) / total,
            `trained ${done} of ${total} models (${workers} processes); last: ${o.task.strategy} seed ${o.task.seed} ${o.status}`,
            { trained: done, of: total },
          ),
      });
      throwIfCancelled(ctx.signal);
    }
    const results = await runBacktest(ctx.db, req, {
      signal: ctx.signal,
      keepSeries: false,
      progress: (f, message, figures) => ctx.progress(share + (1 - share) * f, message, figures),
    });
    return {
      runs: results.map((r) => ({
        runId: r.runId,
        strategy: r.strategy,
        seed: r.seed,
        window: r.window,
        status: r.status,
        error: r.error ?? null,
      })),
    };
  },
  /**
   * Train a learned strategy's model for one seed and one window of a request without storing runs
   * (backtest/pretrain.ts, `hdrl backtest --workers N`); the models land in the database's models folder.
   */
  async pretrain(params, ctx) {
    const [{ runBacktest }, { PretrainJobParams }] = await Promise.all([
      import('../backtest/run'),
      import('../backtest/pretrain'),
    ]);
    const p = parseJobParams('pretrain', PretrainJobParams, params);
    const results = await runBacktest(ctx.db, p.request, {
      windowIndices: [p.window],
      store: false,
      keepSeries: false,
      signal: ctx.signal,
      progress: (f, message, figures) => ctx.progress(f, message, figures),
    });
    const failed = results.filter((r) => r.status === 'failed');
    if (failed.length)
      throw new Error(failed.map((r) => `${r.strategy} seed ${r.seed} ${r.window.label}: ${r.error}`).join('; '));
    return { windows: results.length };
  },
  /**
   * Counts to `steps`, one progress event per step: proves the plumbing (progress, cancel, final status). With
   * `children`, first runs that many demo jobs of its own at once (ctx.jobs) and waits for them, as a backtest
   * does with its trainings; returns their final statuses. Not open to the desk: services/jobs.ts.
   */
  async demo(params, ctx) {
    const { steps, delayMs, children = 0 } = parseJobParams('demo', DemoJobParams, params);
    const started = Array.from({ length: children }, (_, k) =>
      ctx.jobs.start('demo', { steps, delayMs }, `demo child ${k + 1} of ${children}`),
    );
    const ended = await Promise.all(started.map((j) => ctx.jobs.wait(j.id)));
    throwIfCancelled(ctx.signal);
    for (let i = 1; i <= steps; i++) {
      throwIfCancelled(ctx.signal);
      await sleep(delayMs);
      ctx.progress(i / steps, `step ${i} of ${steps}`, { step: i });
    }
    return { counted: steps, pid: process.pid, children: ended.map((j) => j.status) };
  },
  /** A data import (data.commitImport): read, check, write in one transaction; result: ImportResult. */
  async import(params, ctx) {
    const { importJob } = await import('../data/job');
    return importJob(params, ctx);
  },

  /** A news import committed (data/newsJob.ts, request = contract NewsImportRequest); gives the NewsImportResult. */
  async 'news-import'(params, ctx) {
    const { newsImportJob } = await import('../data/newsJob');
    return newsImportJob(params, ctx);
  },

  /** A universe's unscored news scored with a FinBERT model (data/newsJob.ts, NewsScoreRequest). */
  async 'news-score'(params, ctx) {
    const { newsScoreJob } = await import('../data/newsJob');
    return newsScoreJob(params, ctx);
  },
};
