import { runBacktest } from '../../backtest/run';
import { getStrategy } from '../../strategies/registry';
import { listUniverses } from '../../store/prices';
import { UsageError, type CliCommand } from '../types';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const trainCommand: CliCommand = {
  name: 'train',
  summary:
    'train a learned strategy (e.g. samp-hdrl) on the years before a test window, then backtest it there; prints run: ID',
  usage:
    '--universe NAME --strategy samp-hdrl [--preset quick|standard|paper] [--seed N] [--from DATE --to DATE] [--lookback DAYS]\n       (default test window: the last full year of the data, trained on the 756 trading days before it)',
  options: {
    universe: { type: 'string' },
    strategy: { type: 'string' },
    preset: { type: 'string' },
    seed: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    lookback: { type: 'string' },
  },
  async run({ args, engine, io }) {
    const universe = args.universe as string | undefined;
    const strategy = (args.strategy as string | undefined) ?? 'samp-hdrl';
    if (!universe) throw new UsageError('--universe is required');
    const def = await getStrategy(strategy).catch(() => null);
    if (!def) throw new UsageError(`unknown strategy ${strategy}`);
    if (def.family !== 'learning') throw new UsageError(`${strategy} does not learn; use hdrl backtest`);
    for (const d of ['from', 'to'] as const)
      if (args[d] !== undefined && !DATE.test(String(args[d]))) throw new UsageError(`--${d} must be YYYY-MM-DD`);
    const seed = args.seed !== undefined ? Number(args.seed) : 0;
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError('--seed must be a non-negative integer');
    const explicit = args.from !== undefined || args.to !== undefined;
    // default: the last test year of the samp protocol (3 years train / 1 year test)
    const u = listUniverses(engine!.db).find((x) => x.id === universe);
    if (!u?.to) throw new UsageError(`universe ${universe} not found or without prices`);
    const lastFullYear = u.to.slice(5) >= '12-24' ? Number(u.to.slice(0, 4)) : Number(u.to.slice(0, 4)) - 1;
    let last = 0;
    const results = await runBacktest(
      engine!.db,
      {
        universe,
        strategies: [strategy],
        ...(explicit
          ? {
              from: args.from as string | undefined,
              to: args.to as string | undefined,
              lookback: args.lookback ? Number(args.lookback) : 756,
            }
          : { protocol: 'samp' as const, from: `${lastFullYear}-01-01` }),
        seeds: 1,
        seedFirst: seed,
        ...(args.preset ? { preset: String(args.preset) } : {}),
      } as Parameters<typeof runBacktest>[1],
      {
        progress: (f, m) => {
          const now = Date.now();
          if (now - last < 2000) return;
          last = now;
          io.err(`  ${(f * 100).toFixed(0)}% ${m}`);
        },
        onRun: (r) => {
          if (r.runId)
            io.out(`run: ${r.runId}${r.status !== 'complete' ? ` (${r.status}${r.error ? `: ${r.error}` : ''})` : ''}`);
        },
      },
    );
    return results.every((r) => r.status === 'complete') ? 0 : 1;
  },
};
