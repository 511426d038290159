/** Regimes and explanations services (see src-shared/contract/explain.ts). */
import { labelRegimes, regimeShares, REGIME_DEFAULTS } from '../explain/regimes';
import { levelReturns, volatilityForecasts } from '../explain/volatility';
import { loadPriceMatrix, UnknownUniverseError } from '../store/prices';
import { detectRebounds, REBOUND_DEFAULTS } from '../strategies/samp/logic/rebound';
import { reboundStats, REBOUND_STATS_DEFAULTS } from '../explain/reboundStats';
import { equalWeightIndex } from '../explain/regimes';
import type { PriceMatrix } from '../market/prices';
import { getRun, getRunGroupings, getRunWeightsAt } from '../store/runs';
import { decisionModel } from '../../src-shared/domain/decision';
import { capitalCuts, getExplanationView, runConcentrationSummary } from '../explain/runExplain';
import { invalidInput, notFound } from './errors';
import type { Handlers } from './types';

const ANNUAL = Math.sqrt(252);
const nullable = (x: number) => (Number.isFinite(x) ? x : null);

function prices(
  engine: { db: Parameters<typeof loadPriceMatrix>[0] },
  universe: string,
  from?: string,
  to?: string,
): PriceMatrix {
  try {
    return loadPriceMatrix(engine.db, universe, { from, to });
  } catch (e) {
    if (e instanceof UnknownUniverseError) throw notFound(`universe ${universe}`);
    throw e;
  }
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

const nanToNull = <T extends Record<string, number>>(o: T) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));

export const explainHandlers: Handlers<
  | 'market.regimes'
  | 'market.rebounds'
  | 'explain.get'
  | 'explain.run'
  | 'explain.concentration'
  | 'runs.groupings'
  | 'runs.capitalCuts'
> = {
  'runs.capitalCuts'(req, engine) {
    if (!getRun(engine.db, req.runId)) throw notFound(`run ${req.runId}`);
    return capitalCuts(engine.db, req.runId);
  },
  'runs.groupings'(req, engine) {
    const run = getRun(engine.db, req.runId);
    if (!run) throw notFound(`run ${req.runId}`);
    const changes = getRunGroupings(engine.db, req.runId).map(({ date, grouping: g }) => ({
      date,
      high: g.high,
      ordinary: g.ordinary,
    }));
    return {
      runId: run.id,
      strategy: run.strategy,
      tickers: run.config.tickers,
      changes,
      windowFrom: run.windowFrom,
      windowTo: run.windowTo,
    };
  },
  'explain.get'(req, engine) {
    const run = getRun(engine.db, req.runId);
    if (!run) throw notFound(`run ${req.runId}`);
    const at = getRunWeightsAt(engine.db, req.runId, req.date);
    if (!at) throw notFound(`a decision of run ${req.runId} on ${req.date}`);
    const r = getExplanationView(engine.db, req.runId, at.date);
    if (!r) return null;
    return {
      ...r,
      concentration: Object.fromEntries(
        Object.entries(r.concentration).map(([k, v]) => [
          k,
          { effectiveN: v.effectiveN, hhi: Number.isFinite(v.hhi) ? v.hhi : null },
        ]),
      ),
    };
  },
  'explain.run'(req, engine) {
    const run = getRun(engine.db, req.runId);
    if (!run) throw notFound(`run ${req.runId}`);
    const at = getRunWeightsAt(engine.db, req.runId, req.date);
    if (!at) throw notFound(`a decision of run ${req.runId} on ${req.date}`);
    if (!decisionModel(at.detail))
      throw invalidInput(
        `run ${req.runId} (${run.strategy}) has no trained agents to explain; explanations are for learned strategies`,
      );
    return engine.jobs.start('explain', { ...req, date: at.date }, `explain ${run.strategy} on ${at.date}`);
  },
  'explain.concentration'(req, engine) {
    if (!getRun(engine.db, req.runId)) throw notFound(`run ${req.runId}`);
    const s = runConcentrationSummary(engine.db, req.runId);
    return Object.fromEntries(
      Object.entries(s).map(([k, v]) => [
        k,
        {
          days: v.days,
          ...nanToNull({ meanEffectiveN: v.meanEffectiveN, meanHhi: v.meanHhi, maxWeightMean: v.maxWeightMean }),
        },
      ]),
    ) as never;
  },
  'market.rebounds'(req, engine) {
    const m = prices(engine, req.universe, req.from, req.to);
    if (m.dates.length < 2) throw invalidInput(`universe ${req.universe} has no common dates in that range`);
    let levels: Float64Array;
    let series = 'market';
    if (req.ticker) {
      const i = m.tickers.indexOf(req.ticker);
      if (i < 0) throw invalidInput(`${req.ticker} is not a member of ${req.universe}`);
      levels = Float64Array.from(m.close, (row) => row[i]!);
      series = req.ticker;
    } else levels = equalWeightIndex(m);
    const { horizon = REBOUND_STATS_DEFAULTS.horizon, ...detSettings } = req.settings ?? {};
    const settings = { ...REBOUND_DEFAULTS, ...detSettings };
    const det = detectRebounds(levels, settings, m.dates, series);
    const stats = reboundStats(levels, det.flags, { horizon });
    return {
      universe: req.universe,
      series,
      dates: m.dates,
      levels: Array.from(levels),
      phase: det.states.map((s) => s.phase),
      flags: det.flags.map((f, k) => {
        const o = stats.outcomes[k]!;
        return {
          date: m.dates[f.dayIndex]!,
          series,
          trough: f.trough,
          troughDate: m.dates[f.troughDay] ?? null,
          depth: f.depth,
          rise: f.rise,
          daysHeld: f.daysHeld,
          thresholds: f.thresholds,
          falseRebound: o.falseRebound,
          daysToNewLow: o.daysToNewLow,
          forwardReturn: finiteOrNull(o.forwardReturn),
          maxAdverse: o.maxAdverse,
        };
      }),
      summary: {
        count: stats.count,
        falseCount: stats.falseCount,
        undetermined: stats.undetermined,
        falseRate: finiteOrNull(stats.falseRate),
        meanForwardReturn: finiteOrNull(stats.meanForwardReturn),
        hitRate: finiteOrNull(stats.hitRate),
        horizon,
      },
      settings: { ...settings, horizon },
    };
  },
  'market.regimes'(req, engine) {
    const m = prices(engine, req.universe, req.from, req.to);
    if (m.dates.length < 30)
      throw invalidInput(
        `universe ${req.universe} has only ${m.dates.length} common dates in that range; regimes need at least 30`,
      );
    const labels = labelRegimes(m);
    const returns = levelReturns(labels.index);
    // GARCH parameters are fitted on the first third of the history (at most 3 years); forecasts later than that are
    // out of sample. EWMA needs no fit and is the series shown; the band is its empirical error band from past days.
    const fitEnd = Math.min(returns.length - 1, Math.max(30, Math.min(756, Math.floor(returns.length / 3))));
    const vol = volatilityForecasts(returns, { fitStart: 1, fitEnd });
    const realised: (number | null)[] = labels.dates.map((_, t) => {
      if (t < 21) return null;
      let s = 0;
      for (let d = t - 20; d <= t; d++) s += returns[d]! ** 2;
      return Math.sqrt(s / 21) * ANNUAL;
    });
    const shares = regimeShares(labels);
    return {
      universe: req.universe,
      dates: labels.dates,
      index: Array.from(labels.index),
      trend: labels.trend,
      volatility: labels.vol,
      changes: labels.changes.map((c) => ({ date: c.date, kind: c.kind, from: c.from, to: c.to })),
      volForecast: {
        model: 'EWMA (lambda 0.94), band from past forecast errors',
        sigma: Array.from(vol.ewma.sigma, (x) => nullable(x * ANNUAL)),
        lower: Array.from(vol.ewma.lower, (x) => nullable(x * ANNUAL)),
        upper: Array.from(vol.ewma.upper, (x) => nullable(x * ANNUAL)),
        realised,
        garch: {
          omega: vol.garch.fit.omega,
          alpha: vol.garch.fit.alpha,
          beta: vol.garch.fit.beta,
          fitFrom: labels.dates[1]!,
          fitTo: labels.dates[fitEnd]!,
        },
      },
      shares: { trend: shares.trend, volatility: shares.vol },
      rules: [
        `Trend: bull when the index's ${REGIME_DEFAULTS.trendWindow}-day return exceeds +${REGIME_DEFAULTS.trendThreshold * 100}% and it is above its ${REGIME_DEFAULTS.trendWindow}-day average; bear when below -${REGIME_DEFAULTS.trendThreshold * 100}% and under the average; sideways otherwise.`,
        `Volatility: ${REGIME_DEFAULTS.volWindow}-day realised volatility against the ${REGIME_DEFAULTS.volLowPct * 100}th/${REGIME_DEFAULTS.volHighPct * 100}th percentiles of its own values over the previous ${REGIME_DEFAULTS.volHistoryDays} trading days: calm, normal, stressed.`,
        `A new label must hold ${REGIME_DEFAULTS.confirmDays} days before the regime switches. Every label uses data up to its own day only.`,
      ],
    };
  },
};
