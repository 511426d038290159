import { explainRun } from '../../explain/runExplain';
import { UsageError, type CliCommand } from '../types';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const explainCommand: CliCommand = {
  name: 'explain',
  summary: "per-agent Kernel SHAP explanations of a learned run's decision (stored for the desk)",
  usage: '--run ID [--date DATE] [--samples N] [--ticker T] [--top K] [--json] [--recompute]',
  options: {
    run: { type: 'string' },
    date: { type: 'string' },
    samples: { type: 'string' },
    ticker: { type: 'string' },
    top: { type: 'string' },
    json: { type: 'boolean' },
    recompute: { type: 'boolean' },
  },
  async run({ args, engine, io }) {
    const runId = args.run as string | undefined;
    if (!runId) throw new UsageError('--run is required');
    if (args.date !== undefined && !DATE.test(String(args.date))) throw new UsageError('--date must be YYYY-MM-DD');
    const nSamples = args.samples !== undefined ? Number(args.samples) : undefined;
    if (nSamples !== undefined && !(Number.isInteger(nSamples) && nSamples >= 64))
      throw new UsageError('--samples must be an integer >= 64');
    const top = args.top !== undefined ? Number(args.top) : 5;
    const r = await explainRun(
      engine!.db,
      runId,
      args.date as string | undefined,
      { ...(nSamples ? { nSamples } : {}), ...(args.ticker ? { ticker: String(args.ticker) } : {}) },
      { recompute: Boolean(args.recompute) },
    );
    if (args.json) {
      io.out(JSON.stringify(r, null, 1));
      return 0;
    }
    io.out(
      `run ${r.runId}, decision at the close of ${r.date} (${r.threeLevel ? 'three levels; the tilts by exact Shapley values over 4 signal groups' : `Kernel SHAP${r.mpls ? ' on each agent apart, against the mean of ' + r.mpls.backgroundDates.length + ' training days' : ''}, ${r.settings.nSamples} sampled coalitions where players > 12`}; ${(r.elapsedMs / 1000).toFixed(1)} s)`,
    );
    for (const a of r.agents) {
      io.out('');
      io.out(
        `${a.agent}: weight on ${a.ticker} ${(a.fx * 100).toFixed(2)}% (baseline ${(a.baseValue * 100).toFixed(2)}%), players: ${a.players}${a.exact ? ' (exact)' : ''}, efficiency gap ${a.efficiencyGap.toExponential(1)}`,
      );
      for (const v of a.values.slice(0, top))
        io.out(`  ${v.player.padEnd(24)} ${v.value >= 0 ? '+' : ''}${(v.value * 100).toFixed(3)} pp`);
    }
    // a HADAPS run: each layer's outputs (class weights, weights inside a class) by asset
    for (const l of (r.hadaps?.layers ?? []).filter((x) => x.players === 'assets'))
      for (const o of l.outputs) {
        io.out('');
        io.out(
          `${l.layer}${l.className ? ` (${l.className})` : ''}: ${l.layer === 'intra' ? 'weight inside the class' : 'weight'} of ${o.output} ${(o.fx * 100).toFixed(2)}% (baseline ${(o.baseValue * 100).toFixed(2)}%), efficiency gap ${o.efficiencyGap.toExponential(1)}`,
        );
        for (const v of [...o.values].sort((a, b) => Math.abs(b.value) - Math.abs(a.value)).slice(0, top))
          io.out(`  ${v.player.padEnd(24)} ${v.value >= 0 ? '+' : ''}${(v.value * 100).toFixed(3)} pp`);
      }
    // a three-level run: each level in plain words, and the tilts' attribution by signal group
    const tl = r.threeLevel;
    if (tl) {
      for (const [name, lines] of [
        ['Level 1, strategic', tl.words.strategic],
        ['Level 2, tactical', tl.words.tactical],
        ['Level 3, execution', tl.words.execution],
      ] as const)
        io.out(`\n${name}:\n${lines.map((l) => `  ${l}`).join('\n')}`);
      for (const c of tl.tactical?.classes.filter((x) => x.attribution).slice(0, top) ?? [])
        io.out(
          `  tilt of ${c.name} ${(c.tilt * 100).toFixed(3)} pp (typical month ${(c.attribution!.baseValue * 100).toFixed(3)} pp): ${c.attribution!.values.map((v) => `${v.player} ${v.value >= 0 ? '+' : ''}${(v.value * 100).toFixed(3)}`).join(', ')} pp`,
        );
    }
    // an MPLS run: each agent in plain words, then each agent's attributions
    const mp = r.mpls;
    if (mp) {
      if (!mp.reproduced)
        io.out(
          "\nnote: the agents re-run on the rebuilt inputs do not give the recorded weights (the universe's prices or news changed since the run); the attributions explain the re-run",
        );
      for (const [name, lines] of [
        ['Fusion agent', mp.words.fusion],
        ['High-level agent', mp.words.high],
        ['Low-level agents', mp.words.low],
      ] as const)
        io.out(`\n${name}:\n${lines.map((l) => `  ${l}`).join('\n')}`);
      const what = { fusion: 'module weight', high: 'sector weight', low: 'weight inside' } as const;
      for (const a of [...(mp.fusion ? [mp.fusion] : []), mp.high, ...mp.low])
        for (const o of a.outputs) {
          io.out('');
          io.out(
            `${a.agent}${a.sector ? ` (${a.sector})` : ''}: ${what[a.agent]} of ${o.output} ${(o.fx * 100).toFixed(2)}% (typical ${(o.baseValue * 100).toFixed(2)}%)${a.exact ? ' (exact)' : ''}, efficiency gap ${o.efficiencyGap.toExponential(1)}`,
          );
          for (const v of [...o.values].sort((x, y) => Math.abs(y.value) - Math.abs(x.value)).slice(0, top))
            io.out(`  ${v.player.padEnd(24)} ${v.value >= 0 ? '+' : ''}${(v.value * 100).toFixed(3)} pp`);
        }
    }
    for (const c of r.capital ?? []) {
      io.out('');
      io.out(
        `capital split, ${c.output}: ${(c.fx * 100).toFixed(2)}% (run's typical day ${(c.baseValue * 100).toFixed(2)}%), exact Shapley over 5 inputs`,
      );
      for (const v of [...c.values].sort((a, b) => Math.abs(b.value) - Math.abs(a.value)))
        io.out(`  ${v.player.padEnd(36)} ${v.value >= 0 ? '+' : ''}${(v.value * 100).toFixed(3)} pp`);
    }
    const c = r.allocation?.capital as { c1?: number; c2?: number; cash?: number } | null;
    if (c)
      io.out(
        `\ncapital split: high-quality ${((c.c2 ?? 0) * 100).toFixed(1)}%, ordinary ${((c.c1 ?? 0) * 100).toFixed(1)}%, cash ${((c.cash ?? 0) * 100).toFixed(1)}%; fusion a = ${String(r.allocation?.fusionA)}`,
      );
    return 0;
  },
};
