/**
 * Every kind of long job, by name. Each runs in its own process (jobs/worker.ts) with its own database
 * connection, reports progress through ctx.progress and stops when ctx.signal aborts (throwing JobCancelled).
 * Add a kind here and start it with engine.jobs.start(kind, params). The context and JobCancelled: context.ts.
 */
import { JobCancelled, throwIfCancelled, type JobKind } from './context';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const jobKinds: Record<string, JobKind> = {
  /** Per-agent Kernel SHAP of one decision of a stored run (explain/runExplain.ts); stored for explain.get. */
  async explain(params, ctx) {
    const { explainRun } = await import('../explain/runExplain');
    const p = params as { runId: string; date: string; nSamples?: number; ticker?: string };
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
    const { runBacktest, BacktestCancelled } = await import('../backtest/run');
    const { workers = 1, ...req } = params as import('../backtest/run').BacktestRequest & { workers?: number };
    try {
      // with workers > 1: train the learned models in up to that many job processes first (backtest/pretrain.ts),
      // started by the shell's job runner under its cap
      let share = 0;
      if (workers > 1) {
        const { pretrainInParallel, windowCount } = await import('../backtest/pretrain');
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
    } catch (e) {
      if (e instanceof BacktestCancelled) throw new JobCancelled();
      throw e;
    }
  },
  /**
   * Train a learned strategy's model for one seed and one window of a request without storing runs
   * (backtest/pretrain.ts, `hdrl backtest --workers N`); the models land in the database's models folder.
   */
  async pretrain(params, ctx) {
    const { runBacktest, BacktestCancelled } = await import('../backtest/run');
    const p = params as import('../backtest/pretrain').PretrainJobParams;
    try {
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
    } catch (e) {
      if (e instanceof BacktestCancelled) throw new JobCancelled();
      throw e;
    }
  },
  /**
   * Counts to `steps`, one progress event per step: proves the plumbing (progress, cancel, final status). With
   * `children`, first runs that many demo jobs of its own at once (ctx.jobs) and waits for them, as a backtest
   * does with its trainings; returns their final statuses.
   */
  async demo(params, ctx) {
    const { steps, delayMs, children = 0 } = params as { steps: number; delayMs: number; children?: number };
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
};
