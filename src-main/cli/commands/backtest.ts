/**
 * `hdrl backtest`: run strategies over a universe (explicit window or a walk-forward protocol), store every run,
 * print `run: ID` per stored run and a metrics table (mean ± std over seeds and windows), optionally write the
 * results with daily weights as JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runBacktest, type BacktestRequest, type BacktestRunResult } from '../../backtest/run';
import { costsTable, equalWeightVerdicts, metricsTable, resultsMarkdown, summarizeByStrategy } from '../../backtest/summary';
import { getRunDays } from '../../store/runs';
import { getCodeVersion } from '../../version';
import { listStrategies } from '../../strategies/registry';
import { parseRebalance } from '../../market/simulate';
import { PROTOCOLS, type ProtocolName } from '../../market/walkforward';
import { METRIC_NAMES } from '../../metrics';
import { metricValue } from '../../services/runs';
import { classicIds } from '../../strategies/registry';
import { UsageError, type CliCommand } from '../types';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function num(v: unknown, name: string, check: (x: number) => boolean): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x) || !check(x)) throw new UsageError(`bad --${name} ${String(v)}`);
  return x;
}

/** "--param crp.lookback=60" -> params.crp.lookback = 60 (numbers and true/false parsed, the rest kept as text). */
export function parseParamFlags(flags: readonly string[]): Record<string, Record<string, number | string | boolean>> {
  const out: Record<string, Record<string, number | string | boolean>> = {};
  for (const f of flags) {
    const m = /^([^=]+)\.([A-Za-z0-9_]+)=(.*)$/.exec(f);
    if (!m) throw new UsageError(`bad --param "${f}" (use STRATEGY.NAME=VALUE)`);
    const [, id, name, raw] = m as unknown as [string, string, string, string];
    const v = raw === 'true' ? true : raw === 'false' ? false : raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    (out[id] ??= {})[name] = v;
  }
  return out;
}

/**
 * The --strategy list: ids separated by commas, where `classic` (or `all`) stands for every classic baseline and
 * `ID/*` for every variant of ID (e.g. `samp-hdrl/*` = its ablations); duplicates are dropped, order kept.
 */
export async function expandStrategyList(list: string): Promise<string[]> {
  const ids = (await listStrategies()).map((d) => d.id);
  const out: string[] = [];
  for (const token of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    let add: string[];
    if (token === 'all' || token === 'classic') add = classicIds();
    else if (token.endsWith('/*')) {
      add = ids.filter((id) => id.startsWith(token.slice(0, -1)));
      if (!add.length) throw new UsageError(`no strategy matches ${token}`);
    } else add = [token];
    for (const id of add) if (!out.includes(id)) out.push(id);
  }
  return out;
}

/** The --json export: one entry per run with its metrics and daily target weights by ticker. */
export function resultsJson(results: readonly BacktestRunResult[]): unknown {
  return {
    results: results.map((r) => ({
      strategy: r.strategy,
      seed: r.seed,
      window: { from: r.window.from, to: r.window.to },
      runId: r.runId,
      status: r.status,
      ...(r.error ? { error: r.error } : {}),
      hindsight: r.hindsight,
      flags: r.flags,
      metrics: r.metrics ? Object.fromEntries([...METRIC_NAMES.map((k) => [k, metricValue(r.metrics![k])]), ['ewDistance', metricValue(r.ewDistance)]]) : null,
      weights: r.sim
        ? r.sim.dates.map((date, k) => {
            const w = r.sim!.target[k]!;
            const n = r.sim!.tickers.length;
            return { date, weights: Object.fromEntries(r.sim!.tickers.map((t, i) => [t, w[i]!])), cash: w[n]! };
          })
        : [],
    })),
  };
}

export const backtestCommand: CliCommand = {
  name: 'backtest',
  summary: 'backtest strategies on a universe and store the runs',
  usage:
    '--universe NAME --strategy S[,S...] (classic = every classic baseline, ID/* = every variant of ID) [--from DATE --to DATE [--lookback DAYS] | --protocol samp|hadaps|mpls]\n' +
    '       [--cost 0.001] [--rebalance daily|weekly|N] [--risk-free RATE] [--seeds N] [--seed FIRST] [--preset quick|paper]\n' +
    '       [--param STRATEGY.NAME=VALUE ...] [--workers N] [--json FILE] [--markdown FILE]\n' +
    '  --workers N: train the learned strategies\' models in N processes first (one job per strategy, seed and window),\n' +
    '               then run the backtest, which reuses them; the results are those of --workers 1',
  options: {
    universe: { type: 'string' },
    strategy: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    lookback: { type: 'string' },
    protocol: { type: 'string' },
    cost: { type: 'string' },
    rebalance: { type: 'string' },
    'risk-free': { type: 'string' },
    seeds: { type: 'string' },
    seed: { type: 'string' },
    preset: { type: 'string' },
    param: { type: 'string', multiple: true },
    json: { type: 'string' },
    markdown: { type: 'string' },
    workers: { type: 'string' },
    quiet: { type: 'boolean' },
  },
  async run({ args, engine, io }) {
    const universe = args.universe as string | undefined;
    if (!universe) throw new UsageError('--universe is required');
    const strat = args.strategy as string | undefined;
    if (!strat) throw new UsageError('--strategy is required (a list like crp,ubah; "classic" = every classic baseline, "samp-hdrl/*" = its variants)');
    const strategies = await expandStrategyList(strat);
    for (const d of ['from', 'to'] as const) if (args[d] !== undefined && !DATE.test(String(args[d]))) throw new UsageError(`--${d} must be a date YYYY-MM-DD`);
    const protocol = args.protocol as string | undefined;
    if (protocol !== undefined && !PROTOCOLS.includes(protocol as ProtocolName)) throw new UsageError(`--protocol must be one of ${PROTOCOLS.join(', ')}`);
    let rebalance: BacktestRequest['rebalance'];
    try {
      rebalance = args.rebalance !== undefined ? parseRebalance(String(args.rebalance)) : undefined;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const req: BacktestRequest = {
      universe,
      strategies,
      ...(args.from ? { from: String(args.from) } : {}),
      ...(args.to ? { to: String(args.to) } : {}),
      ...(protocol ? { protocol: protocol as ProtocolName } : {}),
      lookback: num(args.lookback, 'lookback', (x) => Number.isInteger(x) && x >= 0),
      cost: num(args.cost, 'cost', (x) => x >= 0 && x < 1),
      rebalance,
      riskFreeRate: num(args['risk-free'], 'risk-free', (x) => x > -1 && x < 10),
      seeds: num(args.seeds, 'seeds', (x) => Number.isInteger(x) && x >= 1),
      seedFirst: num(args.seed, 'seed', (x) => Number.isInteger(x)),
      ...(args.preset ? { preset: String(args.preset) } : {}),
      params: parseParamFlags((args.param as string[] | undefined) ?? []),
    };
    const workers = num(args.workers, 'workers', (x) => Number.isInteger(x) && x >= 1 && x <= 64) ?? 1;
    if (workers > 1) {
      const { pretrainInParallel, windowCount } = await import('../../backtest/pretrain');
      let windows: number;
      try {
        windows = windowCount(engine!.db, req);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      await pretrainInParallel(engine!.jobs, req, workers, windows, {
        onStart: (total, processes) => io.err(`training ${total} model(s) (learned strategy x seed x window) in ${processes} processes`),
        onEnd: (o, done, total) =>
          io.err(
            `  [${done}/${total}] ${o.task.strategy} seed ${o.task.seed} window ${o.task.window + 1}/${windows}: ${o.status} in ${(o.elapsedMs / 1000).toFixed(0)} s` +
              (o.error ? ` (${o.error}; the backtest will train it again)` : ''),
          ),
      });
    }
    let lastMsg = 0;
    const results = await runBacktest(engine!.db, req, {
      keepSeries: Boolean(args.json),
      progress: (f, message) => {
        if (args.quiet || !process.stderr.isTTY) return;
        const now = Date.now();
        if (now - lastMsg < 500) return;
        lastMsg = now;
        io.err(`  ${(f * 100).toFixed(0)}% ${message}`);
      },
      onRun: (r) => {
        if (r.runId) io.out(`run: ${r.runId}${r.status === 'failed' ? ' (failed)' : ''}`);
        if (r.status === 'failed') io.err(`failed: ${r.strategy} seed ${r.seed} ${r.window.label}: ${r.error}`);
      },
    });
    io.out('');
    io.out(metricsTable(summarizeByStrategy(results)));
    const learning = new Set((await listStrategies()).filter((d) => d.family === 'learning').map((d) => d.id));
    const costs = costsTable(results, learning);
    if (costs) io.out(['', 'before and after costs (mean ± std over seeds, each seed averaged over its windows first):', costs].join('\n'));
    const verdicts = equalWeightVerdicts(results, learning);
    if (verdicts.length) io.out(['', 'against equal weight:', ...verdicts.map((v) => `  ${v}`)].join('\n'));
    if (args.json) {
      const file = path.resolve(String(args.json));
      fs.writeFileSync(file, JSON.stringify(resultsJson(results), null, 1));
      io.out(`wrote ${file}`);
    }
    if (args.markdown) {
      const file = path.resolve(String(args.markdown));
      const command = `hdrl backtest ${process.argv.slice(process.argv.indexOf('backtest') + 1).filter((a) => !a.startsWith('--db')).join(' ')}`;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // the paired test reads each stored run's daily returns back from the database
      const returnsOf = (r: BacktestRunResult) => (r.runId ? getRunDays(engine!.db, r.runId) : r.sim);
      fs.writeFileSync(file, resultsMarkdown(results, { command, codeVersion: getCodeVersion(), learning, universe, returnsOf, paired: { riskFree: req.riskFreeRate ?? 0 } }));
      io.out(`wrote ${file}`);
    }
    return results.some((r) => r.status === 'failed') ? 1 : 0;
  },
};
