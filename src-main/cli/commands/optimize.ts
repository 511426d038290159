/**
 * `hdrl optimize`: static long-only weights of one optimiser (minimum variance, max Sharpe, mean-variance, risk
 * parity) estimated on the daily simple returns of a universe between two dates, via optimizeStatic
 * (strategies/classic/optimize.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadUniversePrices } from '../../backtest/run';
import { textTable } from '../../backtest/summary';
import { indexAtOrAfter, indexAtOrBefore } from '../../market/prices';
import { solveStatic, STATIC_METHODS, type StaticMethod } from '../../strategies/classic/optimize';
import { UsageError, type CliCommand } from '../types';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const optimizeCommand: CliCommand = {
  name: 'optimize',
  summary: 'static long-only weights (minvar, maxsharpe, meanvar, riskparity) over a date range',
  usage: '--universe NAME --method minvar|maxsharpe|meanvar|riskparity --from DATE --to DATE [--gamma G] [--json FILE]',
  options: {
    universe: { type: 'string' },
    method: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    gamma: { type: 'string' },
    json: { type: 'string' },
  },
  async run({ args, engine, io }) {
    const universe = args.universe as string | undefined;
    if (!universe) throw new UsageError('--universe is required');
    const method = args.method as string | undefined;
    if (!method || !STATIC_METHODS.includes(method as StaticMethod))
      throw new UsageError(`--method must be one of ${STATIC_METHODS.join(', ')}`);
    for (const d of ['from', 'to'] as const)
      if (!args[d] || !DATE.test(String(args[d]))) throw new UsageError(`--${d} must be a date YYYY-MM-DD`);
    const gamma = args.gamma !== undefined ? Number(args.gamma) : undefined;
    if (gamma !== undefined && !(gamma > 0)) throw new UsageError('--gamma must be > 0');
    const m = loadUniversePrices(engine!.db, universe);
    const s = indexAtOrAfter(m.dates, String(args.from));
    const e = indexAtOrBefore(m.dates, String(args.to));
    if (s >= m.dates.length || e < 0 || e - s < 2)
      throw new UsageError(`need at least 3 trading days between ${String(args.from)} and ${String(args.to)}`);
    // daily simple returns of days s+1..e (the return of day s needs the close before the range)
    const returns: Float64Array[] = [];
    for (let t = s + 1; t <= e; t++)
      returns.push(Float64Array.from(m.close[t]!, (p, i) => p / m.close[t - 1]![i]! - 1));
    const sol = solveStatic(method as StaticMethod, returns, gamma !== undefined ? { gamma } : {});
    const weights = Object.fromEntries(m.tickers.map((t, i) => [t, sol.weights[i]!]));
    io.out(
      `${method} on ${universe}, ${returns.length} daily returns ${m.dates[s + 1]}..${m.dates[e]}${sol.note ? ` (${sol.note})` : ''}`,
    );
    const rows = m.tickers
      .map((t, i) => [t, sol.weights[i]!] as const)
      .sort((a, b) => b[1] - a[1])
      .map(([t, w]) => [t, `${(w * 100).toFixed(2)}%`]);
    io.out(textTable(['ticker', 'weight'], rows));
    if (args.json) {
      const file = path.resolve(String(args.json));
      fs.writeFileSync(
        file,
        JSON.stringify(
          {
            method,
            universe,
            from: m.dates[s + 1],
            to: m.dates[e],
            days: returns.length,
            note: sol.note ?? null,
            weights,
          },
          null,
          1,
        ),
      );
      io.out(`wrote ${file}`);
    }
    return 0;
  },
};
