import { getRun, getRunWeightsAt } from '../../store/runs';
import { classBasisText } from '../../../src-shared/charts/classes';
import { hadapsDetail, sampDetail } from '../../../src-shared/domain/decision';
import { UsageError, type CliCommand } from '../types';

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export const weightsCommand: CliCommand = {
  name: 'weights',
  summary:
    'target weights of a run for a date: group membership, per-agent weights (w0, w1, w2), capital split, rebound state',
  usage: '--run ID [--date DATE] [--json]',
  options: { run: { type: 'string' }, date: { type: 'string' }, json: { type: 'boolean' } },
  async run({ args, engine, io }) {
    const id = args.run as string | undefined;
    if (!id) throw new UsageError('--run is required');
    const run = getRun(engine!.db, id);
    if (!run) {
      io.err(`run ${id} not found`);
      return 2;
    }
    const at = getRunWeightsAt(engine!.db, id, args.date as string | undefined);
    if (!at) {
      io.err(`run ${id} has no decision on ${String(args.date)}`);
      return 2;
    }
    const tickers = run.config.tickers;
    const n = tickers.length;
    const samp = sampDetail(at.detail);
    const groups = samp?.groups;
    const hadaps = hadapsDetail(at.detail);
    // the grouping the strategy decided by: SAMP-HDRL's two groups, or HADAPS's asset classes
    const group = (t: string) =>
      groups?.high.includes(t)
        ? 'high-quality'
        : groups?.ordinary.includes(t)
          ? 'ordinary'
          : (hadaps?.classes.find((c) => c.tickers.includes(t))?.name ?? '');
    const agents = Object.keys(at.agents).filter((a) => a !== 'final');
    if (args.json) {
      const vec = (w: Float64Array) => ({
        weights: Object.fromEntries(tickers.map((t, i) => [t, w[i]!])),
        cash: w[n] ?? 0,
      });
      io.out(
        JSON.stringify(
          {
            run: id,
            strategy: run.strategy,
            date: at.date,
            final: vec(at.agents.final!),
            agents: Object.fromEntries(agents.map((a) => [a, vec(at.agents[a]!)])),
            groups: groups ? { high: groups.high, ordinary: groups.ordinary } : null,
            capital: samp?.capital ?? null,
            fusionA: samp?.fusionA ?? null,
            rebound: samp?.rebound ?? null,
            classes: hadaps ? { basis: hadaps.basis, actionScale: hadaps.actionScale, classes: hadaps.classes } : null,
            reboundFlags: at.reboundFlags,
            previous: at.previous ? { date: at.previous.date, ...vec(at.previous.weights) } : null,
          },
          null,
          1,
        ),
      );
      return 0;
    }
    io.out(`${run.strategy} (run ${id}), decision at the close of ${at.date}`);
    const header = ['ticker', 'group', 'final', ...agents, 'previous', 'trade'];
    const rows = tickers.map((t, i) => [
      t,
      group(t),
      pct(at.agents.final![i]!),
      ...agents.map((a) => pct(at.agents[a]![i]!)),
      at.previous ? pct(at.previous.weights[i]!) : '',
      at.previous ? pct(at.agents.final![i]! - at.previous.weights[i]!) : '',
    ]);
    rows.sort((a, b) => parseFloat(b[2]!) - parseFloat(a[2]!));
    rows.push([
      'CASH',
      '',
      pct(at.agents.final![n] ?? 0),
      ...agents.map(() => ''),
      at.previous ? pct(at.previous.weights[n] ?? 0) : '',
      '',
    ]);
    const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    io.out(header.map((h, i) => h.padEnd(w[i]!)).join('  '));
    for (const r of rows) io.out(r.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  '));
    if (samp) {
      const cap = samp.capital;
      io.out(
        `capital split: high-quality ${pct(cap.c2)}, ordinary ${pct(cap.c1)}, cash ${pct(cap.cash)}; fusion a = ${samp.fusionA}`,
      );
      const rb = samp.rebound;
      io.out(
        `rebound: ${rb.capped ? `risky capital capped (${rb.reasons.join('; ')})` : 'no cap'}${at.reboundFlags.length ? `; flags today: ${at.reboundFlags.map((f) => f.group).join(', ')}` : ''}`,
      );
    }
    if (hadaps)
      io.out(
        `${classBasisText(hadaps.basis)}; action scale ${hadaps.actionScale}; the inter-class layer set ${hadaps.classes.map((c) => `${c.name} ${pct(c.weight)}`).join(', ')} (the book differs where the no-trade band and the trade rate kept holdings)`,
      );
    return 0;
  },
};
