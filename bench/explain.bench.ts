/**
 * Benchmarks of the explanation/regime analytics (src-main/explain). The lead's bench runner calls `run()`
 * and writes the figures to BENCHMARKS.md. Each figure is the median of several timed runs after one
 * warm-up run, wall-clock ms on the machine running the bench.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDjia } from '../test/helpers/data';
import seedrandom from 'seedrandom';
import { equalWeightIndex, labelRegimes } from '../src-main/explain/regimes';
import { levelReturns, volatilityForecasts } from '../src-main/explain/volatility';
import { kernelShap, SHAP_DEFAULTS, type ShapModel } from '../src-main/explain/shap';
import { medianMs } from './timing';

export async function run(): Promise<{ name: string; value: number; unit: string; note?: string }[]> {
  const m = loadDjia();
  const out: { name: string; value: number; unit: string; note?: string }[] = [];

  out.push({
    name: 'explain.regimes.djia_full_history',
    value: medianMs(() => labelRegimes(m), 9),
    unit: 'ms',
    note: `trend + vol regime labels, ${m.dates.length} days x ${m.tickers.length} assets, default settings`,
  });

  const r = levelReturns(equalWeightIndex(m));
  out.push({
    name: 'explain.volatility.djia_ewma_garch',
    value: medianMs(() => volatilityForecasts(r, { fitStart: 1, fitEnd: 756 }), 5),
    unit: 'ms',
    note: 'EWMA + GARCH(1,1) MLE fit on 756 days + forecasts and bands over the whole index',
  });

  const d = 30;
  const rng = seedrandom('bench');
  const w = Array.from({ length: d }, () => rng() * 2 - 1);
  const bg = Array.from({ length: 50 }, () => Float64Array.from({ length: d }, () => rng() * 2 - 1));
  const x = Float64Array.from({ length: d }, () => rng() * 2 - 1);
  const model: ShapModel = {
    batch: (X) =>
      Float64Array.from(X, (z) => {
        let s = 0;
        for (let i = 0; i < d; i++) s += w[i]! * z[i]!;
        return s;
      }),
  };
  out.push({
    name: 'explain.shap.kernel_30_players_linear',
    value: medianMs(() => kernelShap(model, x, bg), 5),
    unit: 'ms',
    note: `sampled Kernel SHAP, 30 players, nSamples ${SHAP_DEFAULTS.nSamples}, 50 background rows, batch model`,
  });

  const d12 = 12;
  const bg12 = bg.map((b) => b.slice(0, d12));
  out.push({
    name: 'explain.shap.exact_12_players_linear',
    value: medianMs(() => kernelShap(model12(w.slice(0, d12)), x.slice(0, d12), bg12), 5),
    unit: 'ms',
    note: 'exact enumeration (4096 coalitions), 50 background rows',
  });
  return out;
}

function model12(w: number[]): ShapModel {
  return { batch: (X) => Float64Array.from(X, (z) => z.reduce((a, v, i) => a + v * w[i]!, 0)) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  run().then((rows) => console.table(rows));
}
