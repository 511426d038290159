/**
 * `hdrl backtest`: run strategies over a universe (explicit window or a walk-forward protocol), store every run,
 * and print a metrics table (mean ± std, said across what), the learned strategies before and after costs and
 * against equal weight; optionally write the results with daily weights as JSON, or the results document. Under a
 * sector scenario (`--scenario`) every window trades the stocks the scenario chose from its training days, and the
 * output lists them per window. With `--impact` every strategy also pays a half-spread and a square-root market
 * impact (market/costs.ts); the tables then split the cost drag into commission, spread and impact, and a line says
 * the model's settings and whether its daily traded values came from the data or the proxy.
 *
 * Progress goes to stderr as plain lines in any output, terminal or not: one per trained model and one per stored
 * run (strategy, seed, test window, run id), each with the time elapsed and an estimate of what remains; a
 * terminal also gets the running percentage every half second. The last line of stdout says how to open the desk
 * on the same database.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  loadUniversePrices,
  requestWindows,
  runBacktest,
  type BacktestRequest,
  type BacktestRunResult,
} from '../../backtest/run';
import type { WalkWindow } from '../../market/walkforward';
import { resolveDbPath } from '../../engine';
import {
  costsTable,
  equalWeightVerdicts,
  impactLines,
  metricsTable,
  resultsMarkdown,
  scenarioLines,
  summarizeByStrategy,
  tableMetrics,
} from '../../backtest/summary';
import { BacktestImpactRequest } from '../../../src-shared/contract/runs';
import type { RunScenarioName } from '../../../src-shared/domain/runConfig';
import { SCENARIO_NAMES } from '../../../src-shared/domain/scenarios';
import { getRunDays, getRunDetails } from '../../store/runs';
import { detailsFromResults } from '../../backtest/actionScale';
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

/**
 * "--half-spread-bp 5" or "--half-spread-bp 5,IBM=3,KO=4": one half-spread in basis points for every asset, then
 * any asset's own after it.
 */
export function parseHalfSpread(v: string): { halfSpreadBp?: number; halfSpreadBpByTicker?: Record<string, number> } {
  const out: { halfSpreadBp?: number; halfSpreadBpByTicker?: Record<string, number> } = {};
  for (const part of v.split(',').map((p) => p.trim())) {
    const m = /^(?:([^=\s]+)=)?(.+)$/.exec(part);
    const x = m ? Number(m[2]) : Number.NaN;
    if (!m || m[2]!.trim() === '' || !Number.isFinite(x))
      throw new UsageError(`bad --half-spread-bp "${v}" (use BP for every asset, then TICKER=BP for any asset's own)`);
    if (m[1] === undefined) {
      if (out.halfSpreadBp !== undefined)
        throw new UsageError(`--half-spread-bp "${v}" gives two values for every asset`);
      out.halfSpreadBp = x;
    } else (out.halfSpreadBpByTicker ??= {})[m[1]] = x;
  }
  return out;
}

/** The settings of the impact model on the command line (each needs --impact). */
const IMPACT_FLAGS = ['half-spread-bp', 'impact-k', 'book-value', 'impact-window', 'adv-proxy'] as const;

/**
 * The spread-and-impact model a command line asks for: undefined without --impact (and an error when one of its
 * settings is given without it); the settings are held to the same bounds as the desk's request.
 */
export function impactFromFlags(args: Record<string, unknown>): BacktestRequest['impact'] {
  const given = IMPACT_FLAGS.filter((f) => args[f] !== undefined);
  if (!args.impact) {
    if (given.length) throw new UsageError(`--${given[0]} needs --impact (the spread and market-impact model)`);
    return undefined;
  }
  const number = (f: (typeof IMPACT_FLAGS)[number]) => {
    if (args[f] === undefined) return undefined;
    const x = Number(args[f]);
    if (String(args[f]).trim() === '' || !Number.isFinite(x)) throw new UsageError(`bad --${f} ${String(args[f])}`);
    return x;
  };
  const raw = {
    ...(args['half-spread-bp'] !== undefined ? parseHalfSpread(String(args['half-spread-bp'])) : {}),
    impactK: number('impact-k'),
    bookValue: number('book-value'),
    window: number('impact-window'),
    advProxy: number('adv-proxy'),
  };
  const parsed = BacktestImpactRequest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag: Record<string, string> = {
      halfSpreadBp: 'half-spread-bp',
      halfSpreadBpByTicker: 'half-spread-bp',
      impactK: 'impact-k',
      bookValue: 'book-value',
      window: 'impact-window',
      advProxy: 'adv-proxy',
    };
    throw new UsageError(`bad --${flag[String(issue.path[0])] ?? 'impact'}: ${issue.message}`);
  }
  return parsed.data;
}

/** "--param crp.lookback=60" -> params.crp.lookback = 60 (numbers and true/false parsed, the rest kept as text). */
export function parseParamFlags(flags: readonly string[]): Record<string, Record<string, number | string | boolean>> {
  const out: Record<string, Record<string, number | string | boolean>> = {};
  for (const f of flags) {
    const m = /^([^=]+)\.([A-Za-z0-9_]+)=(.*)$/.exec(f);
    if (!m) throw new UsageError(`bad --param "${f}" (use STRATEGY.NAME=VALUE)`);
    const [, id, name, raw] = m as unknown as [string, string, string, string];
    const v =
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw.trim() !== '' && Number.isFinite(Number(raw))
            ? Number(raw)
            : raw;
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
  for (const token of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
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
      ...(r.scenario ? { scenario: r.scenario } : {}),
      flags: r.flags,
      metrics: r.metrics
        ? Object.fromEntries([
            ...METRIC_NAMES.map((k) => [k, metricValue(r.metrics![k])]),
            ['ewDistance', metricValue(r.ewDistance)],
          ])
        : null,
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

/** "0:42", "12:05", "1:02:05" */
export function clockTime(ms: number): string {
  const t = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * Elapsed time of a phase of equal-looking steps (trainings, runs) and what remains by the mean step so far:
 * "1:14 elapsed, about 3:42 left". Without a known total, elapsed time only.
 */
export class ProgressClock {
  private readonly start: number;
  constructor(
    readonly total: number | null,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.start = now();
  }
  /** The note after `done` finished steps. */
  note(done: number): string {
    const elapsed = this.now() - this.start;
    const left = this.total !== null && done > 0 && done < this.total ? (elapsed / done) * (this.total - done) : null;
    return `${clockTime(elapsed)} elapsed${left !== null ? `, about ${clockTime(left)} left` : ''}`;
  }
}

/** A path as one shell word. */
const shellWord = (p: string) => (/^[A-Za-z0-9_./:@%+=-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);

/**
 * How to open the desk on the database a command wrote: `npm run serve` (then the link it prints) or `npm start`,
 * naming the database when it is not the one the desk opens by default.
 */
export function deskHint(dbPath: string): string {
  const own = path.resolve(dbPath) !== resolveDbPath();
  const serve = own ? `npm run serve -- --db ${shellWord(dbPath)}` : 'npm run serve';
  const start = own ? `HDRL_DB=${shellWord(dbPath)} npm start` : 'npm start';
  return `to look at the runs in the desk: ${serve} and open the link it prints, or ${start} for the desktop window`;
}

export const backtestCommand: CliCommand = {
  name: 'backtest',
  summary: 'backtest strategies on a universe and store the runs',
  usage:
    `--universe NAME --strategy S[,S...] (classic = every classic baseline, ID/* = every variant of ID) [--from DATE --to DATE [--lookback DAYS] | --protocol ${PROTOCOLS.join('|')}]\n` +
    `       [--scenario ${SCENARIO_NAMES.join('|')}] [--cost 0.001] [--rebalance daily|weekly|N] [--risk-free RATE] [--seeds N] [--seed FIRST] [--preset quick|standard|paper]\n` +
    '       [--impact [--half-spread-bp BP[,TICKER=BP...]] [--impact-k K] [--book-value V] [--impact-window DAYS] [--adv-proxy V]]\n' +
    '       [--param STRATEGY.NAME=VALUE ...] [--workers N] [--json FILE] [--markdown FILE] [--quiet]\n' +
    '  --protocol: samp = test 3 years (the last three full calendar years), rolling = test 7 years, each trained on\n' +
    '              the 3 calendar years before; hadaps = 2 years train / 1 month test, monthly; mpls = 70/10/20 split\n' +
    '  --scenario: trade, in each window, only the stocks of the two most (volatile-sectors) or least (calm-sectors)\n' +
    "              volatile sectors of the window's training days, up to five per sector, and cash (the HADAPS\n" +
    "              paper's stock scenarios; the universe needs sectors); every strategy gets the same stocks\n" +
    '  --impact: every strategy also pays a half-spread (--half-spread-bp, default 5 bp) and a square-root market\n' +
    '            impact k x daily vol x sqrt(traded value / average daily traded value) (--impact-k, default 1) on a\n' +
    '            book of --book-value (default 100000000 in the currency of the prices); vol and traded value over the\n' +
    '            trailing --impact-window days (default 20); where the data have no volume, every asset is taken to\n' +
    '            trade --adv-proxy a day (default 100000000): a proxy, and the output says so\n' +
    "  --workers N: train the learned strategies' models in N processes first (one job per strategy, seed and window),\n" +
    '               then run the backtest, which reuses them; the results are those of --workers 1\n' +
    '  progress (a line per trained model and per stored run, with an estimate of the time left) goes to stderr;\n' +
    '  --quiet leaves it out',
  options: {
    universe: { type: 'string' },
    strategy: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    lookback: { type: 'string' },
    protocol: { type: 'string' },
    scenario: { type: 'string' },
    cost: { type: 'string' },
    impact: { type: 'boolean' },
    'half-spread-bp': { type: 'string' },
    'impact-k': { type: 'string' },
    'book-value': { type: 'string' },
    'impact-window': { type: 'string' },
    'adv-proxy': { type: 'string' },
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
    if (!strat)
      throw new UsageError(
        '--strategy is required (a list like crp,ubah; "classic" = every classic baseline, "samp-hdrl/*" = its variants)',
      );
    const strategies = await expandStrategyList(strat);
    for (const d of ['from', 'to'] as const)
      if (args[d] !== undefined && !DATE.test(String(args[d])))
        throw new UsageError(`--${d} must be a date YYYY-MM-DD`);
    const protocol = args.protocol as string | undefined;
    if (protocol !== undefined && !PROTOCOLS.includes(protocol as ProtocolName))
      throw new UsageError(`--protocol must be one of ${PROTOCOLS.join(', ')}`);
    const scenario = args.scenario as string | undefined;
    if (scenario !== undefined && !(SCENARIO_NAMES as readonly string[]).includes(scenario))
      throw new UsageError(`--scenario must be one of ${SCENARIO_NAMES.join(', ')}`);
    let rebalance: BacktestRequest['rebalance'];
    try {
      rebalance = args.rebalance !== undefined ? parseRebalance(String(args.rebalance)) : undefined;
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const impact = impactFromFlags(args);
    const req: BacktestRequest = {
      universe,
      strategies,
      ...(args.from ? { from: String(args.from) } : {}),
      ...(args.to ? { to: String(args.to) } : {}),
      ...(protocol ? { protocol: protocol as ProtocolName } : {}),
      ...(scenario ? { scenario: scenario as RunScenarioName } : {}),
      lookback: num(args.lookback, 'lookback', (x) => Number.isInteger(x) && x >= 0),
      cost: num(args.cost, 'cost', (x) => x >= 0 && x < 1),
      ...(impact ? { impact } : {}),
      rebalance,
      riskFreeRate: num(args['risk-free'], 'risk-free', (x) => x > -1 && x < 10),
      seeds: num(args.seeds, 'seeds', (x) => Number.isInteger(x) && x >= 1),
      seedFirst: num(args.seed, 'seed', (x) => Number.isInteger(x)),
      ...(args.preset ? { preset: String(args.preset) } : {}),
      params: parseParamFlags((args.param as string[] | undefined) ?? []),
    };
    const workers = num(args.workers, 'workers', (x) => Number.isInteger(x) && x >= 1 && x <= 64) ?? 1;
    const quiet = Boolean(args.quiet);
    const progress = (line: string) => {
      if (!quiet) io.err(line);
    };
    // the windows, for the labels and counts of the progress lines; a request without any is refused by runBacktest
    let windows: WalkWindow[] | null = null;
    try {
      windows = requestWindows(loadUniversePrices(engine!.db, req.universe).dates, req);
    } catch (e) {
      if (workers > 1) throw new UsageError((e as Error).message);
    }
    if (workers > 1 && windows) {
      const { pretrainInParallel } = await import('../../backtest/pretrain');
      const labels = windows.map((w) => w.label);
      let trainClock: ProgressClock | null = null;
      await pretrainInParallel(engine!.jobs, req, workers, windows.length, {
        onStart: (total, processes) => {
          trainClock = new ProgressClock(total);
          progress(`training ${total} model(s) (learned strategy x seed x window) in ${processes} processes`);
        },
        onEnd: (o, done, total) => {
          const what = `model ${done}/${total} ${o.task.strategy} seed ${o.task.seed}, test ${labels[o.task.window]}`;
          const secs = `${(o.elapsedMs / 1000).toFixed(0)} s`;
          const outcome =
            o.status === 'succeeded'
              ? `trained in ${secs}`
              : `${o.status} after ${secs}${o.error ? ` (${o.error})` : ''}; the backtest will train it again`;
          progress(`  ${what}: ${outcome} (${trainClock!.note(done)})`);
        },
      });
    }
    const total = windows ? req.strategies.length * (req.seeds ?? 1) * windows.length : null;
    const runClock = new ProgressClock(total);
    let stored = 0;
    let ended = 0;
    let lastLive = 0;
    const live = Boolean(process.stderr.isTTY);
    const results = await runBacktest(engine!.db, req, {
      keepSeries: Boolean(args.json),
      progress: (f, message) => {
        // the running percentage only on a terminal: in a log it would be hundreds of lines
        if (quiet || !live) return;
        const now = Date.now();
        if (now - lastLive < 500) return;
        lastLive = now;
        io.err(`  ${(f * 100).toFixed(0)}% ${message}`);
      },
      onRun: (r) => {
        if (r.runId) stored++;
        const done = ++ended;
        const what = `run ${done}${total ? `/${total}` : ''} ${r.strategy} seed ${r.seed}, test ${r.window.label}`;
        const where = r.runId ? `stored as run ${r.runId}` : 'not stored';
        progress(
          `  ${what}: ${r.status === 'failed' ? `failed (${where}): ${r.error}` : where} (${runClock.note(done)})`,
        );
      },
    });
    io.out('');
    const labels = [...new Set(results.map((r) => r.window.label))];
    io.out(metricsTable(summarizeByStrategy(results), tableMetrics(results), labels));
    const pricing = impactLines(results);
    if (pricing.length) io.out(['', ...pricing].join('\n'));
    const chosen = scenarioLines(results);
    if (chosen.length) io.out(['', ...chosen].join('\n'));
    const learning = new Set((await listStrategies()).filter((d) => d.family === 'learning').map((d) => d.id));
    const costs = costsTable(results, learning);
    const spreadOverSeeds =
      (req.seeds ?? 1) > 1
        ? 'mean ± std across seeds, each seed averaged over its test windows first'
        : 'one seed: each figure is its mean over the test windows, without a spread';
    if (costs) io.out(['', `before and after costs (${spreadOverSeeds}):`, costs].join('\n'));
    const verdicts = equalWeightVerdicts(results, learning);
    if (verdicts.length) io.out(['', 'against equal weight:', ...verdicts.map((v) => `  ${v}`)].join('\n'));
    if (args.json) {
      const file = path.resolve(String(args.json));
      fs.writeFileSync(file, JSON.stringify(resultsJson(results), null, 1));
      io.out(`wrote ${file}`);
    }
    if (args.markdown) {
      const file = path.resolve(String(args.markdown));
      const command = `hdrl backtest ${process.argv
        .slice(process.argv.indexOf('backtest') + 1)
        .filter((a) => !a.startsWith('--db'))
        .join(' ')}`;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // the paired test reads each stored run's daily returns back from the database
      const returnsOf = (r: BacktestRunResult) => (r.runId ? getRunDays(engine!.db, r.runId) : r.sim);
      fs.writeFileSync(
        file,
        resultsMarkdown(results, {
          command,
          codeVersion: getCodeVersion(),
          learning,
          universe,
          returnsOf,
          detailsOf: (r) => (r.runId ? getRunDetails(engine!.db, r.runId) : detailsFromResults(r)),
          paired: { riskFree: req.riskFreeRate ?? 0 },
        }),
      );
      io.out(`wrote ${file}`);
    }
    io.out('');
    io.out(`stored ${stored} run(s) in ${engine!.dbPath}; \`hdrl runs --universe ${universe}\` lists them`);
    io.out(deskHint(engine!.dbPath));
    return results.some((r) => r.status === 'failed') ? 1 : 0;
  },
};
