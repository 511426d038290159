/**
 * Measures the capital split rules of issue 15 on the bundled DJIA data without any network (not a test; run
 * with `npx tsx test/strategies/samp/split-study.ts`, about 10 s): over the samp protocol's three test years, a
 * proxy portfolio puts c1 in the ordinary group and c2 in the high-quality group, equal weights inside each
 * (what SAMP-HDRL would hold with a = 0 and lower agents that hold their group equally), through the backtest
 * engine (daily rebalancing, 0.1% costs). It prints, per rule, the Sharpe ratio and return per year, and the
 * averages over the years of the Sharpe ratio, the day-to-day change of the split (one-way, 1/2 sum |delta c|),
 * the cash held and the annual turnover. docs/samp-hdrl.md quotes its table.
 */
import { loadDjia } from '../../helpers/data';
import { protocolWindows } from '../../../src-main/market/walkforward';
import { simulate } from '../../../src-main/market/simulate';
import type { MarketView } from '../../../src-main/market/view';
import { SampAllocator } from '../../../src-main/strategies/samp/allocation';
import { cumulativeReturn, sharpe } from '../../../src-main/metrics/index';
import { SAMP_PRESETS, type ReboundMode, type UtilitySettings } from '../../../src-main/agents/samp/config';

const m = loadDjia();
const windows = protocolWindows(m.dates, 'samp');
const preset = SAMP_PRESETS.quick;

interface Rule {
  name: string;
  utility: Partial<UtilitySettings>;
  mode?: ReboundMode;
  rebound?: boolean;
}
const rules: Rule[] = [
  { name: 'fixed T = 0.1, cap (before issue 15)', utility: { temperatureRule: 'fixed', smoothingHalfLife: 0 } },
  { name: 'calibrated c = 0.5, cap', utility: { calibration: 0.5, smoothingHalfLife: 0 } },
  { name: 'calibrated c = 1, cap', utility: { calibration: 1, smoothingHalfLife: 0 } },
  { name: 'calibrated c = 2, cap', utility: { calibration: 2, smoothingHalfLife: 0 } },
  { name: 'fixed T = 0.1, half-life 5, cap', utility: { temperatureRule: 'fixed', smoothingHalfLife: 5 } },
  { name: 'calibrated c = 1, half-life 5, cap (default)', utility: { calibration: 1, smoothingHalfLife: 5 } },
  { name: 'calibrated c = 1, half-life 10, cap', utility: { calibration: 1, smoothingHalfLife: 10 } },
  { name: 'fixed T = 0.1, gate', utility: { temperatureRule: 'fixed', smoothingHalfLife: 0 }, mode: 'gate' },
  { name: 'calibrated c = 1, half-life 5, gate', utility: { calibration: 1, smoothingHalfLife: 5 }, mode: 'gate' },
  {
    name: 'calibrated c = 1, half-life 5, no rebound rule',
    utility: { calibration: 1, smoothingHalfLife: 5 },
    rebound: false,
  },
  {
    name: 'equal split, no cash, cap (no-utility)',
    utility: { rule: 'equal', allowCash: false, smoothingHalfLife: 0 },
  },
];

const out = [
  '| rule | ' +
    windows.map((w) => w.label).join(' | ') +
    ' | mean Sharpe | daily split change | cash | turnover / year |',
  '|---|' + windows.map(() => '---:|').join('') + '---:|---:|---:|---:|',
];
for (const r of rules) {
  const cells: string[] = [];
  const avg = { sharpe: 0, change: 0, cash: 0, turnover: 0 };
  for (const w of windows) {
    const alloc = new SampAllocator({
      grouping: preset.grouping,
      utility: r.utility,
      rebound: { ...preset.rebound, enabled: r.rebound ?? true, mode: r.mode ?? 'cap' },
      anchor: Math.max(w.trainStart, preset.minHistory),
      seed: 1,
    });
    const splits: { c1: number; c2: number; cash: number }[] = [];
    const inst = {
      decide(view: MarketView) {
        const a = alloc.at(view);
        splits.push(a.split);
        const nO = a.grouping.ordinary.filter(Boolean).length;
        const nH = a.grouping.high.filter(Boolean).length;
        return Float64Array.from(a.grouping.ordinary, (o) => (o ? a.split.c1 / nO : a.split.c2 / nH));
      },
    };
    const sim = simulate(m, inst, { strategyId: r.name, testStart: w.testStart, testEnd: w.testEnd });
    let change = 0;
    for (let k = 1; k < splits.length; k++) {
      const [a, b] = [splits[k - 1]!, splits[k]!];
      change += (Math.abs(b.c1 - a.c1) + Math.abs(b.c2 - a.c2) + Math.abs(b.cash - a.cash)) / 2;
    }
    const n = windows.length;
    const s = sharpe(sim.ret);
    avg.sharpe += s / n;
    avg.change += change / (splits.length - 1) / n;
    avg.cash += splits.reduce((x, c) => x + c.cash, 0) / splits.length / n;
    avg.turnover += ((sim.turnover.reduce((x, y) => x + y, 0) / sim.turnover.length) * 252) / n;
    cells.push(`${s.toFixed(2)} (${(cumulativeReturn(sim.ret) * 100).toFixed(1)}%)`);
  }
  out.push(
    `| ${r.name} | ${cells.join(' | ')} | ${avg.sharpe.toFixed(2)} | ${(avg.change * 100).toFixed(1)}% | ${(avg.cash * 100).toFixed(0)}% | ${avg.turnover.toFixed(1)} |`,
  );
}
console.log(out.join('\n'));
