/**
 * Run configs and decision details of the shapes the engine writes (src-shared/domain/runConfig.ts and
 * decision.ts), for tests that store runs by hand. Every field is filled with a plausible value; pass what a test
 * is about as overrides.
 */
import type { SampDecisionDetailInput } from '../../src-shared/domain/decision';
import type { RunConfigInput } from '../../src-shared/domain/runConfig';

/** A run config as backtest/run.ts writes it (crp over June 2000 on two assets unless overridden). */
export function testRunConfig(over: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    universe: 'djia30',
    tickers: ['AA', 'AXP'],
    strategy: 'crp',
    params: {},
    seed: 1,
    protocol: null,
    window: {
      label: '2000-06-01..2000-06-30',
      from: '2000-06-01',
      to: '2000-06-30',
      trainFrom: '1999-05-28',
      trainTo: '2000-05-31',
      validationFrom: null,
      validationTo: null,
      trainTruncated: false,
    },
    lookback: 252,
    cost: 0.001,
    rebalance: 'daily',
    riskFreeRate: 0,
    preset: null,
    ewThreshold: 0.1,
    ...over,
  };
}

/** The rebound detector's default thresholds as a SAMP-HDRL decision records them. */
export const TEST_REBOUND_THRESHOLDS = { drawdownThreshold: 0.1, riseThreshold: 0.05, minDays: 5, downtrendCap: 0.5 };

/** A SAMP-HDRL decision detail as strategies/samp/model.ts writes it (quiet rebound detector, no cap). */
export function testSampDetail(over: Partial<SampDecisionDetailInput> = {}): SampDecisionDetailInput {
  const utility = {
    mean: 0.1,
    variance: 0.04,
    utility: 0.08,
    momentumReturn: 0.02,
    momentumStrength: 0.5,
    tilt: 0.01,
    adjusted: 0.09,
  };
  const quiet = {
    phase: 'normal' as const,
    inDowntrend: false,
    rebound: false,
    drawdown: 0.01,
    depth: 0,
    rise: 0,
    daysHeld: 0,
    thresholdsMet: { drawdown: false, rise: false, days: false },
  };
  return {
    family: 'samp',
    variant: 'samp-hdrl',
    groups: { high: ['AA'], ordinary: ['AXP'], groupingDate: '2000-05-31', degenerate: false },
    regrouped: false,
    capital: { c1: 0.4, c2: 0.6, cash: 0 },
    capitalBeforeCap: { c1: 0.4, c2: 0.6, cash: 0 },
    utility: { ordinary: utility, high: { ...utility, utility: 0.12, adjusted: 0.13 } },
    fusionA: 0.3,
    rebound: {
      enabled: true,
      capped: false,
      reasons: [],
      ordinary: quiet,
      high: quiet,
      market: quiet,
      flagsToday: [],
      thresholds: TEST_REBOUND_THRESHOLDS,
    },
    cash: 0,
    concentration: { upper: 2, lower1: 1, lower2: 1, final: 1.9 },
    ...over,
  };
}

/** A rebound flag as the SAMP-HDRL detector records it, on `label`'s series at day `dayIndex`. */
export function testReboundFlag(label: string, dayIndex: number, date: string) {
  return {
    dayIndex,
    date,
    label,
    trough: 0.9,
    troughDay: dayIndex - 10,
    episodePeak: 1,
    depth: 0.1,
    rise: 0.06,
    daysHeld: 5,
    thresholds: { drawdownThreshold: 0.1, riseThreshold: 0.05, minDays: 5 },
  };
}
