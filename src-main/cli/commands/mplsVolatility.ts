/**
 * `hdrl mpls-volatility`: how well MPLS's volatility module (agents/mpls/volatility.ts) forecasts, beside the
 * classical forecasters the desk already shows (explain/volatility.ts, whose display stays as it is). For each test
 * window of a protocol it fits the module on the window's training days (one seed) and, on every test day whose
 * next h days lie inside the window, compares four forecasts of each sector's annualised realised volatility over
 * those h days with what was realised:
 *   - LSTM: the module's forecast;
 *   - constant: the module's constant forecast (exp of the sector's mean training log-volatility target);
 *   - EWMA: RiskMetrics (lambda 0.94) on the sector's daily log returns, its one-day-ahead volatility held flat over
 *     the h days;
 *   - GARCH(1,1): fitted per sector on the window's training returns, its h-day forecast the mean of the k-step
 *     variances V + (alpha + beta)^(k-1) (s2_{t+1} - V), k = 1..h, V the long-run variance.
 * Figures (volatility.ts `forecastErrors`): RMSE and MAE of the annualised volatility, RMSE of its log, QLIKE; per
 * window over all its (day, sector) pairs. Prints the document; with --markdown FILE writes it there whole
 * (docs/mpls-volatility.md), its header naming the command that made it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { classLayout, type ClassLayout } from '../../agents/hadaps/classes';
import {
  fitVolatilityModule,
  forecastErrors,
  SectorSeries,
  VOLATILITY_DAYS_PER_YEAR,
  volatilityErrors,
  type VolatilityConfig,
  type VolatilityErrorFigures,
} from '../../agents/mpls/volatility';
import { ewmaVolatility, fitGarch, garchVolatility } from '../../explain/volatility';
import type { PriceMatrix } from '../../market/prices';
import { PROTOCOLS, protocolWindows, type ProtocolName } from '../../market/walkforward';
import { loadPriceMatrix, UnknownUniverseError } from '../../store/prices';
import { UsageError, type CliCommand } from '../types';

/** The forecasters compared, in table order. */
export const VOLATILITY_FORECASTERS = ['lstm', 'constant', 'ewma', 'garch'] as const;
export type VolatilityForecaster = (typeof VOLATILITY_FORECASTERS)[number];

/** The RiskMetrics decay of the EWMA benchmark. */
export const EWMA_LAMBDA = 0.94;

/** One test window's comparison. */
export interface VolatilityWindowResult {
  label: string;
  trainDays: [string, string];
  /** the decision days compared (first and last) and how many */
  testDays: [string, string];
  days: number;
  figures: Record<VolatilityForecaster, VolatilityErrorFigures>;
  /** the module's conservative threshold and the share of compared days above it */
  threshold: number;
  conservativeShare: number;
  chosenEpoch: number;
  epochsRun: number;
}

/** The whole comparison. */
export interface VolatilityEvaluation {
  universe: string;
  protocol: ProtocolName;
  seed: number;
  sectors: string[];
  horizon: number;
  windows: VolatilityWindowResult[];
}

/**
 * EWMA and GARCH(1,1) forecasts (file overview) of the annualised volatility over days t+1..t+h for sector s at
 * each decision day of `days`, from the sector's daily log returns; GARCH fitted on days trainStart+1..trainEnd.
 */
export function classicalForecasts(
  series: SectorSeries,
  s: number,
  train: { start: number; end: number },
  days: readonly number[],
  h: number,
): { ewma: number[]; garch: number[] } {
  // returns of days 1..last decision day, index j = day j + 1 (EWMA and GARCH read r_0..r_j for day j + 2)
  const last = Math.max(...days);
  const r = Float64Array.from({ length: last }, (_, j) => series.sectorReturn(j + 1, s));
  const ewma = ewmaVolatility(r, { ewmaLambda: EWMA_LAMBDA });
  const fit = fitGarch(r.subarray(train.start, train.end));
  const garch = garchVolatility(r, fit, train.start);
  const phi = fit.alpha + fit.beta;
  const V = fit.longRunVariance;
  const annual = (v: number) => Math.sqrt(VOLATILITY_DAYS_PER_YEAR * v);
  return {
    ewma: days.map((t) => annual(ewma[t - 1]! ** 2)),
    garch: days.map((t) => {
      const next = garch[t - 1]! ** 2;
      let sum = 0;
      for (let k = 0; k < h; k++) sum += V + phi ** k * (next - V);
      return annual(sum / h);
    }),
  };
}

/** Fit and compare over every test window of `protocol` (file overview). */
export async function evaluateMplsVolatility(o: {
  m: PriceMatrix;
  protocol: ProtocolName;
  seed: number;
  cfg?: Partial<VolatilityConfig>;
  layout?: ClassLayout;
  onLine?: (line: string) => void;
}): Promise<VolatilityEvaluation> {
  const { m } = o;
  const layout = o.layout ?? classLayout(m.tickers, m.assets, 'auto');
  const closes = (d: number) => m.close[d]!;
  const nDays = m.close.length;
  const series = new SectorSeries(closes, nDays, layout);
  const S = series.S;
  const windows: VolatilityWindowResult[] = [];
  let horizon = 0;
  const t0 = Date.now();
  for (const w of protocolWindows(m.dates, o.protocol)) {
    const fitted = await fitVolatilityModule({
      closes,
      nDays,
      layout,
      trainFirst: w.trainStart,
      trainLast: w.trainEnd,
      seed: o.seed,
      ...(o.cfg ? { cfg: o.cfg } : {}),
    });
    const { module, artifact } = fitted;
    const h = artifact.cfg.horizon;
    horizon = h;
    const days = Array.from({ length: w.testEnd - h - w.testStart + 1 }, (_, i) => w.testStart + i);
    if (days.length === 0) throw new RangeError(`test window ${w.label} is shorter than the ${h}-day horizon`);
    const e = volatilityErrors({ module, artifact, closes, nDays, layout, days });
    const ewma: number[] = [];
    const garch: number[] = [];
    const realised: number[] = [];
    for (let s = 0; s < S; s++) {
      const c = classicalForecasts(series, s, { start: w.trainStart, end: w.trainEnd }, days, h);
      ewma.push(...c.ewma);
      garch.push(...c.garch);
      realised.push(...days.map((t) => series.forward(t, s, h)));
    }
    const figures: Record<VolatilityForecaster, VolatilityErrorFigures> = {
      lstm: e.lstm,
      constant: e.constant,
      ewma: forecastErrors(ewma, realised, artifact.cfg.volFloor),
      garch: forecastErrors(garch, realised, artifact.cfg.volFloor),
    };
    const conservative = days.filter((t) => module.reading(t).uncertainty > artifact.threshold).length;
    windows.push({
      label: w.label,
      trainDays: [m.dates[w.trainStart]!, m.dates[w.trainEnd]!],
      testDays: [m.dates[days[0]!]!, m.dates[days[days.length - 1]!]!],
      days: days.length,
      figures,
      threshold: artifact.threshold,
      conservativeShare: conservative / days.length,
      chosenEpoch: artifact.training.chosenEpoch,
      epochsRun: artifact.training.epochs.length,
    });
    module.dispose();
    o.onLine?.(
      `mpls-volatility: window ${w.label} done (${((Date.now() - t0) / 1000).toFixed(0)} s so far): LSTM log RMSE ${figures.lstm.rmseLog.toFixed(3)}, GARCH ${figures.garch.rmseLog.toFixed(3)}`,
    );
  }
  return {
    universe: m.universe,
    protocol: o.protocol,
    seed: o.seed,
    sectors: layout.classes.map((c) => c.name),
    horizon,
    windows,
  };
}

const NAMES: Record<VolatilityForecaster, string> = {
  lstm: 'LSTM (volatility module)',
  constant: 'constant (training mean)',
  ewma: `EWMA (lambda ${EWMA_LAMBDA})`,
  garch: 'GARCH(1,1)',
};

/** The document (file overview); `command` is the line that made it. */
export function mplsVolatilityMarkdown(e: VolatilityEvaluation, command: string): string {
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const rows = (label: string, f: Record<VolatilityForecaster, VolatilityErrorFigures>) => {
    const best = (k: keyof VolatilityErrorFigures) => Math.min(...VOLATILITY_FORECASTERS.map((n) => f[n][k]));
    const cell = (n: VolatilityForecaster, k: 'rmse' | 'mae' | 'rmseLog' | 'qlike', text: string) =>
      f[n][k] === best(k) ? `**${text}**` : text;
    return VOLATILITY_FORECASTERS.map(
      (n) =>
        `| ${label} | ${NAMES[n]} | ${cell(n, 'rmse', pct(f[n].rmse))} | ${cell(n, 'mae', pct(f[n].mae))} | ${cell(n, 'rmseLog', f[n].rmseLog.toFixed(3))} | ${cell(n, 'qlike', f[n].qlike.toFixed(3))} |`,
    );
  };
  const lines = [
    '# MPLS volatility module: forecasts against realised volatility',
    '',
    `Made by \`${command}\`; nothing here is edited by hand.`,
    '',
    `Universe \`${e.universe}\`, protocol \`${e.protocol}\`, seed ${e.seed}; sectors (the universe's classes): ${e.sectors.join(', ')}.`,
    `For every test day t whose next ${e.horizon} trading days lie in its test window, each forecaster predicts each`,
    `sector's annualised realised volatility over days t+1..t+${e.horizon} (a sector's daily return is the mean of its`,
    "members' daily log returns), using closes up to t only; the figures compare the forecasts with what was",
    "realised, over all (day, sector) pairs. The LSTM and its constant benchmark are fitted on the window's training",
    'days only; EWMA reads the past returns, GARCH(1,1) is fitted on the same training days. The definitions are in',
    'the header of src-main/agents/mpls/volatility.ts (module, figures) and src-main/cli/commands/mplsVolatility.ts',
    '(EWMA and GARCH horizons). RMSE and MAE are in annualised volatility points; RMSE log is of ln(volatility), what',
    'the LSTM is trained on; QLIKE = mean of v/f - ln(v/f) - 1 on variances (0 for a perfect forecast, robust to',
    'the noise of realised volatility). Lower is better everywhere; the best of each column per window is in bold.',
    '',
    '| test window | forecaster | RMSE | MAE | RMSE log | QLIKE |',
    '|---|---|---:|---:|---:|---:|',
    ...e.windows.flatMap((w) => rows(w.label, w.figures)),
    '',
    ...(['rmseLog', 'qlike'] as const).map((k) => {
      const wins = (other: VolatilityForecaster) =>
        `${e.windows.filter((w) => w.figures.lstm[k] < w.figures[other][k]).length} of ${e.windows.length}`;
      return `The LSTM's ${k === 'rmseLog' ? 'RMSE log' : 'QLIKE'} is below the constant forecast's in ${wins('constant')} windows, EWMA's in ${wins('ewma')}, GARCH(1,1)'s in ${wins('garch')}.`;
    }),
    '',
    '## The module in each window',
    '',
    'Training days, the compared test days, the epoch kept by validation (of those run), the conservative threshold',
    '(the 75th percentile of the Monte-Carlo-dropout uncertainty over the training days, in log-volatility units) and',
    'the share of the compared test days on which the uncertainty exceeded it, so that the allocation would turn',
    'conservative.',
    '',
    '| test window | training days | test days (compared) | epoch kept | threshold | days above it |',
    '|---|---|---|---:|---:|---:|',
    ...e.windows.map(
      (w) =>
        `| ${w.label} | ${w.trainDays[0]} .. ${w.trainDays[1]} | ${w.testDays[0]} .. ${w.testDays[1]} (${w.days}) | ${w.chosenEpoch} of ${w.epochsRun} | ${w.threshold.toFixed(4)} | ${pct(w.conservativeShare)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

export const mplsVolatilityCommand: CliCommand = {
  name: 'mpls-volatility',
  summary: "check MPLS's volatility forecasts against realised volatility, beside constant, EWMA and GARCH(1,1)",
  usage: '[--universe djia30] [--protocol samp] [--seed 1] [--markdown FILE] [--quiet]',
  options: {
    universe: { type: 'string' },
    protocol: { type: 'string' },
    seed: { type: 'string' },
    markdown: { type: 'string' },
    quiet: { type: 'boolean' },
  },
  async run({ args, engine, io }) {
    const universe = (args.universe as string | undefined) ?? 'djia30';
    const protocol = ((args.protocol as string | undefined) ?? 'samp') as ProtocolName;
    if (!PROTOCOLS.includes(protocol))
      throw new UsageError(`--protocol must be one of ${PROTOCOLS.join(', ')}, got ${protocol}`);
    const seed = args.seed === undefined ? 1 : Number(args.seed);
    if (!(Number.isInteger(seed) && seed >= 0))
      throw new UsageError(`--seed must be a non-negative whole number, got ${String(args.seed)}`);
    const file = args.markdown ? path.resolve(String(args.markdown)) : null;
    // refuse a file that cannot be written before spending minutes on training
    if (file && !fs.existsSync(path.dirname(file)))
      throw new UsageError(`--markdown: the folder ${path.dirname(file)} does not exist`);
    let m;
    try {
      m = loadPriceMatrix(engine!.db, universe);
    } catch (e) {
      if (e instanceof UnknownUniverseError) throw new UsageError(e.message);
      throw e;
    }
    let evaluation;
    try {
      evaluation = await evaluateMplsVolatility({
        m,
        protocol,
        seed,
        ...(args.quiet ? {} : { onLine: (l: string) => io.err(l) }),
      });
    } catch (e) {
      // a protocol the data cannot hold, or windows too short for the module, is the user's input
      if (e instanceof RangeError) throw new UsageError(e.message);
      throw e;
    }
    const command = [
      'npm run hdrl -- mpls-volatility',
      `--universe ${universe}`,
      `--protocol ${protocol}`,
      `--seed ${seed}`,
      ...(file ? [`--markdown ${path.relative(process.cwd(), file)}`] : []),
    ].join(' ');
    const md = mplsVolatilityMarkdown(evaluation, command);
    io.out(md);
    if (file) fs.writeFileSync(file, md);
    return 0;
  },
};
