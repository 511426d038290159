/**
 * What execution buys (docs/three-level.md "Execution level"): trade-at-once, linear and the learned agent run the
 * same targets over the test years, and are compared by what they paid and how far they strayed.
 *
 * Protocol. The test years are the last `testYears` full calendar years of the data (the bundled DJIA data: 1998,
 * 1999, 2000), run as one span. One model per seed is trained on the `trainYears` calendar years before the first
 * test day, its last `validationDays` held out for validation and checkpoint choice (trainer.ts), so no model sees a
 * test day. The targets are the momentum tilt of targets.ts, recomputed every `horizon` trading days from the first
 * test day on (its first period starts from the previous target drifted to that day, a rebalance like any other, not
 * a purchase from cash). Every policy ends each period on the target (env.ts), so every policy starts each period
 * from the same weights: the periods are paired exactly.
 *
 * Figures, per policy (per seed for the learned agent, then mean and sample standard deviation over the seeds):
 *   - cost / traded: everything paid (commission + spread + impact) over the value traded, basis points;
 *   - cost: what a period paid, basis points of the book's value at its start, mean over the periods;
 *   - shortfall: the implementation shortfall of a period, 1 - (V_end / V_start) / (P_end / P_start) in basis
 *     points, P the paper portfolio that holds the target from the period's start at no cost (Perold 1988): the
 *     costs plus what the market did to the part not yet traded; mean over the periods;
 *   - tracking error: the sample standard deviation of the daily difference between the book's and the paper
 *     portfolio's growth before costs, annualised (x sqrt 252), basis points — 0 for trade-at-once by construction;
 *   - objective: cost plus the tracking penalty of env.ts (what the agent minimises), basis points per period.
 * Paired tests: per period, the learned agent's figure (the mean over its seeds) minus a baseline's, over all test
 * periods; the mean difference, a stationary block bootstrap over the periods (metrics/paired.ts's resampler, mean
 * block length round(n^(1/3)), 2,000 resamples, seed 1), the centred two-sided p-value and the symmetric 95%
 * interval, as the results documents test Sharpe ratios. Negative differences mean the agent paid less.
 */
import { sampleStd, TRADING_DAYS_PER_YEAR } from '../../metrics';
import { defaultBlockLength, PAIRED_DEFAULTS, stationaryBootstrapIndices } from '../../metrics/paired';
import { ExecutionCosts, resolveImpact, type ImpactSettings } from '../../market/costs';
import { indexAtOrAfter, indexAtOrBefore, type PriceMatrix } from '../../market/prices';
import { fullCalendarYears } from '../../market/walkforward';
import seedrandom from 'seedrandom';
import { baselinePolicy, BASELINE_NAMES, type ExecutionPolicy } from './baselines';
import type { ExecutionConfig } from './config';
import { BP, drift, ExecutionEnv } from './env';
import { ExecutionAgentPolicy, exportExecutionOnnx } from './policy';
import { MOMENTUM_TARGET_DEFAULTS, momentumTarget, type MomentumTargetSettings } from './targets';
import { splitTrainingDays, trainExecutionAgent } from './trainer';

/** Inputs of {@link evaluateExecution}. */
export interface ExecutionEvalOptions {
  m: PriceMatrix;
  /** the proportional commission (the simulator's `cost`) */
  commission: number;
  /** the impact model's settings (missing ones take costs.ts's defaults) */
  impact: Partial<ImpactSettings>;
  cfg: ExecutionConfig;
  seeds: number[];
  /** how many of the last full calendar years are tested. Default 3. */
  testYears?: number;
  /** calendar years of training before the first test day. Default 3. */
  trainYears?: number;
  targets?: MomentumTargetSettings;
  /** a line of progress (a trained model, a finished policy) */
  onLine?: (line: string) => void;
}

/** One policy's figures over the test span (see the file overview). */
export interface ExecutionFigures {
  costPerTradedBp: number;
  costBp: number;
  shortfallBp: number;
  trackingErrorBp: number;
  objectiveBp: number;
}

/** One policy's run: its figures and the per-period series the paired tests read. */
export interface ExecutionRun {
  figures: ExecutionFigures;
  periodObjectiveBp: number[];
  periodShortfallBp: number[];
}

/** A paired test of per-period differences (see the file overview). */
export interface PairedMeanTest {
  periods: number;
  meanDifference: number;
  low: number;
  high: number;
  p: number;
}

/** The evaluation's outcome. */
export interface ExecutionEvaluation {
  universe: string;
  testFrom: string;
  testTo: string;
  trainFrom: string;
  trainTo: string;
  periods: number;
  seeds: number[];
  impact: ImpactSettings;
  commission: number;
  cfg: ExecutionConfig;
  targets: MomentumTargetSettings;
  baselines: Record<string, ExecutionRun>;
  /** one run per seed */
  learned: ExecutionRun[];
  /** mean and sample standard deviation over the seeds, per figure */
  learnedMean: ExecutionFigures;
  learnedStd: ExecutionFigures;
  /** against each baseline: the objective's and the shortfall's paired tests */
  tests: Record<string, { objective: PairedMeanTest; shortfall: PairedMeanTest }>;
  /** validation score and updates of each seed's chosen model */
  models: { seed: number; updates: number; validationBp: number; trainMs: number }[];
}

const FIGURES: (keyof ExecutionFigures)[] = [
  'costPerTradedBp',
  'costBp',
  'shortfallBp',
  'trackingErrorBp',
  'objectiveBp',
];

/**
 * Run one policy over consecutive periods starting at `starts` (see the file overview). `targetAt(t)` gives the
 * target at the close of t; the first period starts from `holdings`.
 */
export async function runExecution(
  env: ExecutionEnv,
  policy: ExecutionPolicy,
  starts: readonly number[],
  targetAt: (t: number) => Float64Array,
  holdings: Float64Array,
): Promise<ExecutionRun> {
  const n = env.n;
  let w = Float64Array.from(holdings);
  let value = 1;
  let paid = 0;
  let traded = 0;
  const tracking: number[] = [];
  const periodObjectiveBp: number[] = [];
  const periodShortfallBp: number[] = [];
  const periodCostBp: number[] = [];
  for (const t0 of starts) {
    const s = env.start(t0, w, targetAt(t0), value);
    let cost = 0;
    let penalty = 0;
    while (env.daysLeft(s) >= 1) {
      const features = env.features(s);
      const left = env.daysLeft(s);
      const f = left === 1 ? new Float64Array(n).fill(1) : await policy.fractions(features, left, s);
      const step = env.step(s, f);
      const c = step.cost.commission + step.cost.spread + step.cost.impact;
      paid += c * step.valueBefore;
      traded += step.traded * step.valueBefore;
      cost += (c * step.valueBefore) / s.startValue;
      penalty += step.penalty;
      if (Number.isFinite(step.trackingDifference)) tracking.push(step.trackingDifference);
    }
    periodCostBp.push(BP * cost);
    periodObjectiveBp.push(BP * cost + penalty);
    periodShortfallBp.push(BP * (1 - s.value / s.startValue / (s.paper / s.startValue)));
    w = Float64Array.from(s.w);
    value = s.value;
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    figures: {
      costPerTradedBp: traded > 0 ? (BP * paid) / traded : 0,
      costBp: mean(periodCostBp),
      shortfallBp: mean(periodShortfallBp),
      trackingErrorBp: tracking.length >= 2 ? BP * sampleStd(tracking) * Math.sqrt(TRADING_DAYS_PER_YEAR) : 0,
      objectiveBp: mean(periodObjectiveBp),
    },
    periodObjectiveBp,
    periodShortfallBp,
  };
}

/**
 * The paired test of a - b over the same periods (see the file overview).
 * @throws RangeError when the series differ in length or hold fewer than 3 periods
 */
export function pairedMeanTest(a: readonly number[], b: readonly number[]): PairedMeanTest {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`paired test: ${n} and ${b.length} periods`);
  if (n < 3) throw new RangeError(`paired test: ${n} periods are too few (at least 3)`);
  const d = a.map((x, i) => x - b[i]!);
  const observed = d.reduce((x, y) => x + y, 0) / n;
  const rng = seedrandom(String(PAIRED_DEFAULTS.seed));
  const idx = new Uint32Array(n);
  const block = defaultBlockLength(n);
  const B = PAIRED_DEFAULTS.resamples;
  const dev: number[] = [];
  let far = 0;
  for (let k = 0; k < B; k++) {
    stationaryBootstrapIndices(idx, block, rng);
    let s = 0;
    for (const i of idx) s += d[i]!;
    const delta = s / n - observed;
    dev.push(Math.abs(delta));
    if (Math.abs(delta) >= Math.abs(observed)) far++;
  }
  dev.sort((x, y) => x - y);
  const c = dev[Math.min(B - 1, Math.ceil(PAIRED_DEFAULTS.confidence * B) - 1)]!;
  return {
    periods: n,
    meanDifference: observed,
    low: observed - c,
    high: observed + c,
    p: observed === 0 ? 1 : (1 + far) / (1 + B),
  };
}

/** Run the evaluation (see the file overview). */
export async function evaluateExecution(o: ExecutionEvalOptions): Promise<ExecutionEvaluation> {
  const { m, cfg } = o;
  const H = cfg.horizon;
  const targets = o.targets ?? { ...MOMENTUM_TARGET_DEFAULTS };
  if (!o.seeds.length) throw new RangeError('the evaluation needs at least one seed');
  const nYears = o.testYears ?? 3;
  const trainYears = o.trainYears ?? 3;
  const full = fullCalendarYears(m.dates);
  if (full.length < nYears)
    throw new RangeError(
      `the evaluation needs ${nYears} full calendar years of data, ${m.universe} has ${full.length}`,
    );
  const years = full.slice(-nYears);
  const testStart = indexAtOrAfter(m.dates, `${years[0]!}-01-01`);
  const testEnd = indexAtOrBefore(m.dates, `${years[years.length - 1]!}-12-31`);
  const trainFirst = indexAtOrAfter(m.dates, `${years[0]! - trainYears}-01-01`);
  const trainLast = testStart - 1;
  if (testStart - H < targets.lookback)
    throw new RangeError(`the test span starts too early for ${targets.lookback} closes of momentum before it`);
  const starts: number[] = [];
  for (let t0 = testStart; t0 + H <= testEnd; t0 += H) starts.push(t0);
  if (starts.length < 3) throw new RangeError(`the test span holds ${starts.length} periods of ${H} days, too few`);

  // the book at the first test day: the previous target drifted to it
  const n = m.tickers.length;
  const first = new Float64Array(n + 1);
  first.set(momentumTarget(m, testStart - H, targets));
  first[n] = Math.max(0, 1 - first.subarray(0, n).reduce((a, b) => a + b, 0));
  for (let t = testStart - H; t < testStart; t++) drift(first, m.close[t]!, m.close[t + 1]!, 0, n);
  const targetAt = (t: number) => momentumTarget(m, t, targets);
  const newEnv = () => new ExecutionEnv(m, new ExecutionCosts(m, o.commission, o.impact), cfg);

  const baselines: Record<string, ExecutionRun> = {};
  for (const name of BASELINE_NAMES) {
    baselines[name] = await runExecution(newEnv(), baselinePolicy(name), starts, targetAt, first);
    o.onLine?.(`${name}: objective ${baselines[name].figures.objectiveBp.toFixed(2)} bp a period`);
  }

  const split = splitTrainingDays(trainFirst, trainLast, cfg.validationDays);
  const learned: ExecutionRun[] = [];
  const models: ExecutionEvaluation['models'] = [];
  for (const seed of o.seeds) {
    const trained = await trainExecutionAgent({
      m,
      costs: new ExecutionCosts(m, o.commission, o.impact),
      cfg,
      ...split,
      seed,
    });
    const policy = await ExecutionAgentPolicy.open(exportExecutionOnnx(trained.actor, cfg), `learned (seed ${seed})`);
    try {
      const run = await runExecution(newEnv(), policy, starts, targetAt, first);
      learned.push(run);
      models.push({
        seed,
        updates: trained.chosen?.updates ?? trained.updates,
        validationBp: trained.chosen?.score ?? Number.NaN,
        trainMs: trained.elapsedMs,
      });
      o.onLine?.(
        `learned, seed ${seed}: trained in ${(trained.elapsedMs / 1000).toFixed(1)} s (${trained.updates} updates, chose ${trained.chosen?.updates ?? trained.updates}); objective ${run.figures.objectiveBp.toFixed(2)} bp a period`,
      );
    } finally {
      await policy.dispose();
    }
  }

  const stat = (f: (r: ExecutionRun) => number) => {
    const xs = learned.map(f);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return { mean, std: xs.length >= 2 ? sampleStd(xs) : Number.NaN };
  };
  const learnedMean = {} as ExecutionFigures;
  const learnedStd = {} as ExecutionFigures;
  for (const k of FIGURES) {
    const s = stat((r) => r.figures[k]);
    learnedMean[k] = s.mean;
    learnedStd[k] = s.std;
  }
  const seedMean = (pick: (r: ExecutionRun) => number[]) =>
    starts.map((_, k) => learned.reduce((a, r) => a + pick(r)[k]!, 0) / learned.length);
  const objective = seedMean((r) => r.periodObjectiveBp);
  const shortfall = seedMean((r) => r.periodShortfallBp);
  const tests: ExecutionEvaluation['tests'] = {};
  for (const [name, run] of Object.entries(baselines))
    tests[name] = {
      objective: pairedMeanTest(objective, run.periodObjectiveBp),
      shortfall: pairedMeanTest(shortfall, run.periodShortfallBp),
    };
  return {
    universe: m.universe,
    testFrom: m.dates[testStart]!,
    testTo: m.dates[starts[starts.length - 1]! + H]!,
    trainFrom: m.dates[trainFirst]!,
    trainTo: m.dates[trainLast]!,
    periods: starts.length,
    seeds: [...o.seeds],
    impact: resolveImpact(o.impact, m.tickers),
    commission: o.commission,
    cfg,
    targets,
    baselines,
    learned,
    learnedMean,
    learnedStd,
    tests,
    models,
  };
}

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const pm = (mean: number, std: number, d = 2) =>
  Number.isFinite(std) ? `${fmt(mean, d)} ± ${fmt(std, d)}` : fmt(mean, d);
const pv = (p: number) => (p < 0.001 ? '< 0.001' : fmt(p, 3));

/** The evaluation as the Markdown the docs hold (settings, the table, the paired tests, the verdict). */
export function executionMarkdown(e: ExecutionEvaluation, command: string): string {
  const out: string[] = [];
  const c = e.cfg;
  out.push(
    `Written by \`${command}\` (nothing here is edited by hand). Data: ${e.universe}, test ${e.testFrom} to ${e.testTo}` +
      ` (${e.periods} periods of ${c.horizon} trading days), models trained on ${e.trainFrom} to ${e.trainTo}` +
      ` (the last ${c.validationDays} days held out for validation); seeds ${e.seeds.join(', ')}.`,
    '',
    `Targets: equal weight tilted towards the trailing ${e.targets.lookback}-day winners by up to ${fmt(100 * e.targets.tilt, 0)}%` +
      ` of a position, recomputed every ${c.horizon} days. Costs: commission ${fmt(BP * e.commission, 1)} bp,` +
      ` half-spread ${fmt(e.impact.halfSpreadBp, 1)} bp, impact k = ${e.impact.impactK} on a book of ${e.impact.bookValue.toLocaleString('en-US')}` +
      ` with an ADV of ${e.impact.advProxy.toLocaleString('en-US')} a day per asset where the data have no volume` +
      ` (σ and ADV over ${e.impact.window} days). Tracking penalty λ = ${c.riskAversion}. Training: ${c.updates.toLocaleString('en-US')}` +
      ` updates at most, validation every ${c.periodsPerValidation} periods on ${c.validationPeriods} held-out periods, patience ${c.patience}.`,
    '',
    '| execution | cost / traded (bp) | cost (bp a period) | shortfall (bp a period) | tracking error (bp a year) | objective (bp a period) |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const [name, run] of Object.entries(e.baselines)) {
    const f = run.figures;
    out.push(
      `| ${name} | ${fmt(f.costPerTradedBp)} | ${fmt(f.costBp)} | ${fmt(f.shortfallBp)} | ${fmt(f.trackingErrorBp, 1)} | ${fmt(f.objectiveBp)} |`,
    );
  }
  const mu = e.learnedMean;
  const sd = e.learnedStd;
  out.push(
    `| learned (${e.seeds.length} seeds) | ${pm(mu.costPerTradedBp, sd.costPerTradedBp)} | ${pm(mu.costBp, sd.costBp)} | ${pm(mu.shortfallBp, sd.shortfallBp)} | ${pm(mu.trackingErrorBp, sd.trackingErrorBp, 1)} | ${pm(mu.objectiveBp, sd.objectiveBp)} |`,
    '',
    'The baselines have no seed (one figure each); the learned agent is mean ± standard deviation over its seeds.',
    '',
    'Paired tests, learned (the mean over its seeds) minus baseline, per period (negative: the agent did better):',
    '',
    '| against | objective difference (bp) | 95% interval | p | shortfall difference (bp) | 95% interval | p |',
    '|---|---:|---|---:|---:|---|---:|',
  );
  for (const [name, t] of Object.entries(e.tests))
    out.push(
      `| ${name} | ${fmt(t.objective.meanDifference)} | [${fmt(t.objective.low)}, ${fmt(t.objective.high)}] | ${pv(t.objective.p)} | ${fmt(t.shortfall.meanDifference)} | [${fmt(t.shortfall.low)}, ${fmt(t.shortfall.high)}] | ${pv(t.shortfall.p)} |`,
    );
  const verdict = Object.entries(e.tests).map(([name, t]) => {
    const d = t.objective;
    const word = d.meanDifference < 0 ? (d.p < 0.05 ? 'beats' : 'is ahead of, not significantly,') : 'does not beat';
    return `${word} ${name} (${fmt(d.meanDifference)} bp a period, p ${pv(d.p)})`;
  });
  out.push('', `**On the objective the learned agent ${verdict.join('; it ')}.**`, '');
  out.push(
    'Chosen models: ' +
      e.models
        .map(
          (x) =>
            `seed ${x.seed}: ${x.updates} updates, validation ${fmt(x.validationBp)} bp, ${fmt(x.trainMs / 1000, 1)} s`,
        )
        .join('; ') +
      '.',
  );
  return out.join('\n');
}
