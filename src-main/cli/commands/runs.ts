/** `hdrl runs`: list stored runs (newest first) with their status, flags and headline metrics. */
import { textTable, formatMetric } from '../../backtest/summary';
import { metricValue } from '../../services/runs';
import { getMetricsFor, listRuns, type RunStatus } from '../../store/runs';
import { UsageError, type CliCommand } from '../types';

const STATUSES: RunStatus[] = ['running', 'complete', 'failed', 'cancelled', 'killed'];

export const runsCommand: CliCommand = {
  name: 'runs',
  summary: 'list stored backtest runs',
  usage: '[--universe NAME] [--strategy ID] [--status running|complete|failed|cancelled|killed] [--limit N] [--json]',
  options: {
    universe: { type: 'string' },
    strategy: { type: 'string' },
    status: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ args, engine, io }) {
    const status = args.status as RunStatus | undefined;
    if (status !== undefined && !STATUSES.includes(status))
      throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
    const limit = args.limit !== undefined ? Number(args.limit) : 100;
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`bad --limit ${String(args.limit)}`);
    const rows = listRuns(engine!.db, {
      ...(args.universe ? { universe: String(args.universe) } : {}),
      ...(args.strategy ? { strategy: String(args.strategy) } : {}),
      ...(status ? { status } : {}),
      limit,
    });
    const metrics = getMetricsFor(
      engine!.db,
      rows.map((r) => r.id),
    );
    if (args.json) {
      const out = rows.map((r) => ({
        ...r,
        metrics: Object.fromEntries(Object.entries(metrics.get(r.id) ?? {}).map(([k, v]) => [k, metricValue(v)])),
      }));
      io.out(JSON.stringify(out, null, 2));
      return 0;
    }
    if (rows.length === 0) {
      io.out('no runs');
      return 0;
    }
    const table = rows.map((r) => {
      const m = metrics.get(r.id) ?? {};
      return [
        r.id,
        r.universe,
        `${r.strategy}${r.hindsight ? ' *' : ''}`,
        String(r.seed),
        `${r.windowFrom}..${r.windowTo}`,
        r.status,
        m.cumulativeReturn !== undefined ? formatMetric('cumulativeReturn', m.cumulativeReturn) : '',
        m.sharpe !== undefined ? formatMetric('sharpe', m.sharpe) : '',
        r.flags.map((f) => (f === 'close-to-equal-weight' ? '≈EW' : f)).join(','),
        r.createdAt.slice(0, 19).replace('T', ' '),
      ];
    });
    io.out(
      textTable(
        ['id', 'universe', 'strategy', 'seed', 'test window', 'status', 'cum ret', 'sharpe', 'flags', 'created'],
        table,
      ),
    );
    if (rows.some((r) => r.hindsight)) io.out('  * hindsight reference');
    return 0;
  },
};
