/**
 * Backtest engine benchmarks (src-main/market/simulate.ts, src-main/backtest/run.ts) on the bundled DJIA 30 data
 * (2529 days x 30 assets, 1990-12-31 .. 2001-01-02):
 *   - wall time of every classic baseline over the whole history (test window = every day after the first
 *     252, trained on those 252; metrics included, nothing stored), and the total as days x assets per second;
 *   - ubah and crp through the engine (strategy decide + view + validation + drift + cost bookkeeping) beside
 *     a straightforward reference loop computing the same values with plain arrays (the final values must agree
 *     to 1e-9; the note says so);
 *     (ubah's decide recomputes its drifted weights from prices every day — a strategy cannot read its holdings —
 *     while the reference loop keeps them, so most of that gap is the strategy, not the engine; the 'engine
 *     alone' figure runs a decide that returns a fixed vector);
 *   - storing one whole-history run (all rows, one transaction) in an in-memory SQLite database.
 * Times are medians of several repetitions after a warm-up, wall-clock ms on the machine running the bench.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDjia } from '../test/helpers/data';
import type { PriceMatrix } from '../src-main/market/prices';
import { simulate } from '../src-main/market/simulate';
import { runBacktest } from '../src-main/backtest/run';
import { openDatabase } from '../src-main/store/db';
import { classicStrategies } from '../src-main/strategies/classic';
import { listStrategies } from '../src-main/strategies/registry';
import type { StrategyDef } from '../src-main/strategies/types';
import { median, medianMs } from './timing';

export const title = 'Backtest engine (DJIA 30, 2529 days x 30 assets)';

const COST = 0.001;

/**
 * The reference: what a first implementation would write — plain number arrays, a fresh array per day for the
 * relatives, the drift and the weights — with the same conventions (start in cash at the close of day 0, cost on
 * the risky trades, decide at every close). kind 'crp' rebalances to 1/n daily; 'ubah' buys 1/n once and holds.
 */
function referenceLoop(m: PriceMatrix, kind: 'crp' | 'ubah'): number {
  const n = m.tickers.length;
  let held: number[] = new Array(n).fill(0);
  let cash = 1;
  let value = 1;
  for (let t = 0; t < m.close.length; t++) {
    if (t > 0) {
      const rel: number[] = [];
      for (let i = 0; i < n; i++) rel.push(m.close[t]![i]! / m.close[t - 1]![i]!);
      const grown = held.map((w, i) => w * rel[i]!);
      const g = grown.reduce((a, b) => a + b, 0) + cash;
      held = grown.map((x) => x / g);
      value *= g;
    }
    let target: number[];
    if (kind === 'crp' || t === 0) target = new Array(n).fill(1 / n);
    else target = held.slice();
    const traded = target.reduce((a, w, i) => a + Math.abs(w - held[i]!), 0);
    value *= 1 - COST * traded;
    held = target;
    cash = 1 - target.reduce((a, b) => a + b, 0);
  }
  return value;
}

export async function run(): Promise<{ name: string; value: number; unit: string; note?: string }[]> {
  const m = loadDjia();
  const T = m.dates.length;
  const n = m.tickers.length;
  const out: { name: string; value: number; unit: string; note?: string }[] = [];

  // load the registry once (it imports the learning families) so the first figure does not carry that cost
  await listStrategies();
  // 1. every classic baseline over the whole history (one pass each; they are deterministic)
  const from = m.dates[252]!;
  let totalMs = 0;
  let cells = 0;
  const failed: string[] = [];
  for (const def of classicStrategies) {
    const t0 = performance.now();
    const [r] = await runBacktest(
      null,
      { universe: 'djia30', strategies: [def.id], from, lookback: 252, cost: COST },
      { prices: m, store: false, keepSeries: false },
    );
    const ms = performance.now() - t0;
    totalMs += ms;
    if (r!.status !== 'complete') failed.push(`${def.id}: ${r!.error}`);
    else cells += (T - 252) * n;
    out.push({
      name: `${def.id}${def.hindsight ? ' (hindsight)' : ''}, whole history`,
      value: ms,
      unit: 'ms',
      note:
        r!.status === 'complete'
          ? `create ${r!.timings.createMs!.toFixed(0)} ms, decide ${r!.timings.decideMs!.toFixed(0)} ms`
          : 'failed',
    });
  }
  out.push({
    name: `all ${classicStrategies.length} classic baselines, whole history`,
    value: totalMs / 1000,
    unit: 's',
    note: `${T - 252} test days x ${n} assets each${failed.length ? `; failed: ${failed.join('; ')}` : ''}`,
  });
  out.push({
    name: 'classic baselines throughput',
    value: cells / (totalMs / 1000),
    unit: 'days x assets / s',
    note: 'all baselines together, decide included',
  });

  // 2. engine vs reference loop for ubah and crp (whole history, test window = every day)
  for (const id of ['crp', 'ubah'] as const) {
    const def = classicStrategies.find((s) => s.id === id) as StrategyDef;
    let engineValue = Number.NaN;
    const engineMs = medianMs(() => {
      const inst = def.create({
        prices: m,
        trainStart: 0,
        trainEnd: -1,
        testStart: 0,
        testEnd: T - 1,
        seed: 1,
        params: {},
      }) as ReturnType<typeof def.create> & { decide: never };
      const sim = simulate(m, inst, { strategyId: id, testStart: 0, testEnd: T - 1, settings: { cost: COST } });
      engineValue = sim.value[T - 1]!;
    }, 21);
    let refValue = Number.NaN;
    const refMs = medianMs(() => {
      refValue = referenceLoop(m, id);
    }, 21);
    const agree = Math.abs(engineValue - refValue) <= 1e-9 * Math.abs(refValue);
    out.push({
      name: `${id} in the engine`,
      value: engineMs,
      unit: 'ms',
      note: `${((T * n) / (engineMs / 1000) / 1e6).toFixed(2)} M days x assets / s`,
    });
    out.push({
      name: `${id} reference loop`,
      value: refMs,
      unit: 'ms',
      note: `engine / reference = ${(engineMs / refMs).toFixed(2)}; final values ${agree ? 'agree' : 'DIFFER'} (${engineValue.toFixed(6)} vs ${refValue.toFixed(6)})`,
    });
  }

  // the engine's own cost: a strategy that returns one preallocated weight vector (no work in decide)
  const fixed = new Float64Array(n).fill(1 / n);
  const bareMs = medianMs(() => {
    simulate(
      m,
      { decide: () => fixed },
      { strategyId: 'fixed', testStart: 0, testEnd: T - 1, settings: { cost: COST } },
    );
  }, 21);
  out.push({
    name: 'engine alone (decide returns a fixed vector)',
    value: bareMs,
    unit: 'ms',
    note: `${((bareMs * 1e6) / T).toFixed(0)} ns per day; ${((T * n) / (bareMs / 1000) / 1e6).toFixed(2)} M days x assets / s`,
  });

  // 3. storing a whole-history run
  const db = openDatabase(':memory:');
  db.prepare(`INSERT INTO universes (id, name, created_at) VALUES ('djia30', 'DJIA 30', ?)`).run(
    new Date().toISOString(),
  );
  const storeTimes: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [r] = await runBacktest(
      db,
      { universe: 'djia30', strategies: ['crp'], from: m.dates[1], lookback: 1 },
      { prices: m, keepSeries: false },
    );
    if (i > 0) storeTimes.push(r!.timings.storeMs!);
  }
  db.close();
  out.push({
    name: 'store one whole-history run',
    value: median(storeTimes),
    unit: 'ms',
    note: `${T - 1} days: run_days + run_weights (31 doubles) + metrics, one transaction, in-memory SQLite`,
  });
  return out;
}

// `npx tsx bench/backtest.bench.ts` prints the figures
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  void run().then((f) =>
    f.forEach((x) => console.log(`${x.name}: ${x.value.toFixed(2)} ${x.unit}${x.note ? ` (${x.note})` : ''}`)),
  );
}
