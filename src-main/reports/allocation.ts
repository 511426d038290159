/**
 * The allocation report of run R at date d (default: R's last decision date), filled from the database
 * (docs/architecture.md "Reports"; the renderers never read the database).
 *
 * - Weights, previous (drifted) weights and groups: ./holdings.ts.
 * - Regime at d: src-main/explain/regimes.ts labelRegimes over the universe's prices from the first stored
 *   date up to d (the same labels market.regimes gives for d: the labeller is causal).
 * - Rebound: the state the run recorded in its detail (`detail.rebound`, SAMP-HDRL step 5), else none.
 * - Three levels (three-level runs): each class's strategic weight, tilt and target at the date, and what decided
 *   each level (src-shared/charts/threeLevel.ts).
 * - MPLS: each module (on, or off and why) with its fusion weight at d, its mean weight over the run and how often
 *   it led (explain/mpls.ts mplsFusionSummary over the run's decisions), the conservative switch, and each sector's
 *   fused weight against the high-level agent's; absent for other strategies.
 * - Classes (HADAPS): where its classes came from, its action scale and each class's weight as the inter-class
 *   layer set it at d, from its detail; absent for other strategies.
 * - Agents: for each stored agent (upper, lower1, lower2, ...; not 'final' or 'held') the concentration of its
 *   risky weights at d (explain/concentration.ts: HHI of the renormalised weights and 1/HHI), and its top
 *   drivers when an explanation of (R, d, agent) is stored in the `explanations` table (none otherwise; the
 *   caveats then say they were not computed).
 * - Metrics: R first (one seed), then every other COMPLETE run of the same universe and the same test window,
 *   grouped into experiments and seeds as ./groups.ts does (the group of R itself, R included, follows R when it
 *   has other seeds). Order: the registry's strategy order.
 * - Equity: R's value series, then the lowest seed of up to {@link REPORT_MAX_EQUITY_BASELINES} baseline
 *   groups (equal-weight baselines first). Drawdown: R's values against their running peak.
 * - Caveats: ./caveats.ts, from R's config and the comparison (a learning run's include the equal-weight verdict
 *   of R's group of seeds).
 */
import { equalWeightReference } from '../../src-shared/domain';
import { hadapsDetail, mplsDetail, reboundFlagSeries, sampDetail } from '../../src-shared/domain/decision';
import { classBasisText } from '../../src-shared/charts/classes';
import { deciderText, levelTargetRows, threeLevelDetail } from '../../src-shared/charts/threeLevel';
import type { DB } from '../store/db';
import { getRunDetails, getRunMetrics, getRunWeightsAt, type RunWeightsAt } from '../store/runs';
import { labelRegimes } from '../explain/regimes';
import { getStoredExplanation } from '../explain/runExplain';
import { mplsFusionSummary } from '../explain/mpls';
import { concentration } from '../explain/concentration';
import type { PriceMatrix } from '../market/prices';
import { groupVerdicts } from '../analytics/gather';
import { allocationCaveats, equalWeightComparison } from './caveats';
import { drawdownSeries } from './derive';
import { pct } from './format';
import {
  completeRun,
  configForDisplay,
  EQUAL_WEIGHT_BASELINES,
  equitySeries,
  metaOf,
  metricsRow,
  prices,
  reportUniverse,
  ReportInputError,
  sourceLine,
  strategyMeta,
  groupRuns,
  windowPeers,
  type BuildOptions,
} from './groups';
import { holdingsAt } from './holdings';
import { fitName, shortLabel } from './names';
import type {
  AgentSummary,
  AllocationReportData,
  DriverValue,
  MetricsRow,
  ReportClasses,
  ReportMpls,
  ReportThreeLevel,
  ReportRebound,
  ReportRegime,
  ReportSeries,
} from './model';

/** Top drivers kept per agent from a stored explanation (largest |value| first). */
export const REPORT_TOP_DRIVERS = 10;
/** Baseline equity curves drawn beside the run in an allocation report (the metrics table lists all). */
export const REPORT_MAX_EQUITY_BASELINES = 6;
/** Fewest price dates up to the report date for which a regime label is given (as market.regimes). */
export const REGIME_MIN_DATES = 30;

/**
 * The allocation report of a run at a date (rules in the file overview).
 * @param db the database
 * @param runId a complete run
 * @param date ISO date of a decision of the run (default: its last decision date)
 * @throws ReportInputError unknown run, incomplete run, no decision on that date
 */
export async function buildAllocationReport(
  db: DB,
  runId: string,
  date?: string,
  opts: BuildOptions = {},
): Promise<AllocationReportData> {
  const run = completeRun(db, runId);
  const meta = await strategyMeta();
  const me = metaOf(meta, run.strategy);
  const u = reportUniverse(db, run.universe);
  const probe = getRunWeightsAt(db, run.id, date);
  if (!probe) throw new ReportInputError('not-found', `weights of run ${runId}${date ? ` on ${date}` : ''}`);
  const m = prices(db, run.universe, probe.date);
  const h = holdingsAt(db, run, probe.date, m);
  const n = run.config.tickers.length;

  // metrics: the run, its own group (other seeds), then every other group of the window
  const peers = [run, ...windowPeers(db, run).filter((r) => r.id !== run.id)]; // the run stands for its seed
  const stored = new Map(peers.map((r) => [r.id, getRunMetrics(db, r.id)]));
  const groups = groupRuns(peers, meta);
  const own = groups.find((g) => g.runs.some((r) => r.id === run.id))!;
  const runName = fitName(shortLabel(me.label), ` \u00b7 seed ${run.seed}`, me.label);
  const rows: MetricsRow[] = [metricsRow(runName, [run], stored)];
  if (own.runs.length > 1)
    rows.push(metricsRow(fitName(own.name, `, ${own.runs.length} seeds`, own.meta.label), own.runs, stored));
  const others = groups.filter((g) => g !== own);
  for (const g of others) rows.push(metricsRow(g.name, g.runs, stored));

  // equity: the run, then baselines (equal weight first)
  const equity: ReportSeries[] = [{ ...equitySeries(db, run, runName, m.dates), highlight: true }];
  const drawn = [...others]
    .sort((a, b) => ewRank(a.strategy) - ewRank(b.strategy))
    .slice(0, REPORT_MAX_EQUITY_BASELINES);
  const ew = equalWeightReference((id) => drawn.some((g) => g.strategy === id));
  for (const g of drawn)
    equity.push({ ...equitySeries(db, g.rep, g.name, m.dates), ...(g.strategy === ew ? { equalWeight: true } : {}) });
  const dd: ReportSeries = { name: runName, dates: equity[0]!.dates, values: drawdownSeries(equity[0]!.values) };

  const regime = regimeAt(m);
  const { agents, explained } = agentSummaries(db, run.id, h.at, n);
  const caveats = allocationCaveats({
    run,
    meta: me,
    name: runName,
    ownGroup: own.runs,
    rows,
    groupName: own.runs.length > 1 ? rows[1]!.strategy : runName,
    ew: me.family === 'learning' ? equalWeightComparison(own.runs, peers, stored) : null,
    stored,
    date: h.date,
    agentsWithoutDrivers: agents.length > 0 && !explained,
    regime,
  });
  return {
    kind: 'allocation',
    header: {
      universe: { id: u.id, name: u.name },
      dataSource: sourceLine(u),
      strategy: { id: run.strategy, label: me.label },
      config: configForDisplay(run),
      seed: run.seed,
      codeVersion: run.codeVersion,
      runId: run.id,
      date: h.date,
      window: { from: run.windowFrom, to: run.windowTo },
      backend: run.backend,
      generatedAt: (opts.now ?? new Date()).toISOString(),
    },
    groups: h.groups,
    cashWeight: h.cashWeight,
    previousCashWeight: h.previousCashWeight,
    regime,
    rebound: reboundOf(h.at),
    ...classesOf(h.at),
    ...threeLevelOf(h.at),
    ...mplsOf(db, run.id, h.at),
    agents,
    metrics: rows,
    equity,
    drawdown: dd,
    caveats,
    // analytics (issue 17): the verdict of the run's group of seeds, for the first page
    verdicts: await groupVerdicts(
      db,
      me.family === 'learning'
        ? [{ name: own.runs.length > 1 ? rows[1]!.strategy : runName, runIds: own.runs.map((r) => r.id) }]
        : [],
    ),
  };
}

function ewRank(strategy: string): number {
  const i = (EQUAL_WEIGHT_BASELINES as readonly string[]).indexOf(strategy);
  return i < 0 ? EQUAL_WEIGHT_BASELINES.length : i;
}

/**

/** The regime labels of the universe at the last date of `m` (prices up to that date only), null with too few dates. */
export function regimeAt(m: PriceMatrix): ReportRegime | null {
  if (m.dates.length < REGIME_MIN_DATES) return null;
  const l = labelRegimes(m);
  const t = l.dates.length - 1;
  return { trend: l.trend[t]!, volatility: l.vol[t]!, date: l.dates[t]! };
}

/**
 * The rebound state a run recorded at the date (SAMP-HDRL step 5: `detail.rebound` with per-series states,
 * flagsToday and thresholds); null for a strategy without a detector.
 */
export function reboundOf(at: RunWeightsAt): ReportRebound | null {
  const r = sampDetail(at.detail)?.rebound;
  if (!r) return null;
  if (!r.enabled) return { flagged: false, detail: { detector: 'off (ablation)' } };
  const flaggedSeries = [...new Set([...r.flagsToday.map(reboundFlagSeries), ...at.reboundFlags.map((f) => f.group)])];
  const detail: Record<string, unknown> = {};
  detail['flags today'] = flaggedSeries.length ? flaggedSeries.join(', ') : 'none';
  detail['risky cap active'] = r.capped ? 'yes' : 'no';
  if (r.capped && r.reasons.length) detail['cap reason'] = r.reasons.join('; ');
  for (const s of ['market', 'high', 'ordinary'] as const) {
    const st = r[s];
    // the detector stores the drawdown as a fall (>= 0); reports show drawdowns as negative fractions
    if (st) detail[s === 'high' ? 'high-quality' : s] = `${st.phase}, dd ${pct(-st.drawdown, 1)}`;
  }
  detail['drawdown threshold'] = pct(r.thresholds.drawdownThreshold, 1);
  detail['rise threshold'] = pct(r.thresholds.riseThreshold, 1);
  detail['min days held'] = r.thresholds.minDays;
  return { flagged: flaggedSeries.length > 0, detail };
}

/** What HADAPS decided over its classes at the date (basis in words, action scale, layer weights); {} otherwise. */
export function classesOf(at: RunWeightsAt): { classes?: ReportClasses } {
  const d = hadapsDetail(at.detail);
  if (!d) return {};
  return {
    classes: {
      basis: classBasisText(d.basis),
      actionScale: d.actionScale,
      layer: d.classes.map((c) => ({ name: c.name, weight: c.weight })),
    },
  };
}

/** What a three-level run's levels set at the date (the three targets per class, the deciders); {} otherwise. */
export function threeLevelOf(at: RunWeightsAt): { threeLevel?: ReportThreeLevel } {
  const d = threeLevelDetail(at.detail);
  if (!d) return {};
  return {
    threeLevel: {
      levels: {
        strategic: deciderText(d.levels.strategic),
        tactical: deciderText(d.levels.tactical),
        execution: deciderText(d.levels.execution),
      },
      nextStrategicIn: d.nextStrategicIn,
      nextTacticalIn: d.nextTacticalIn,
      rows: levelTargetRows(d),
    },
  };
}

/** What an MPLS run's modules and agents set at the date, with its fusion weights over the run; {} otherwise. */
export function mplsOf(db: DB, runId: string, at: RunWeightsAt): { mpls?: ReportMpls } {
  const d = mplsDetail(at.detail);
  if (!d) return {};
  const run = mplsFusionSummary(getRunDetails(db, runId));
  const v = d.volatility;
  return {
    mpls: {
      modules: d.modules.map((m) => {
        const r = run.modules.find((x) => x.name === m.name);
        return {
          name: m.name,
          on: m.on,
          reason: m.on ? null : (m.reason ?? 'off'),
          weight: m.weight,
          mean: r?.mean ?? 0,
          led: r?.led ?? 0,
        };
      }),
      conservative: v
        ? `uncertainty ${v.uncertainty.toFixed(3)} against a threshold of ${v.threshold.toFixed(3)}: ${v.conservative ? 'the fused allocation was made conservative' : 'not made conservative'}`
        : null,
      days: run.dates.length,
      sectors: d.sectors.map((s, k) => ({ name: s.name, fused: d.fused[k]!, weight: s.weight })),
    },
  };
}

const AGENT_ORDER = ['upper', 'lower1', 'lower2'];

/** The strongest drivers first (largest |value|, then by name), at most {@link REPORT_TOP_DRIVERS}; NaN values left out. */
export function topDrivers(values: readonly DriverValue[]): DriverValue[] {
  return values
    .filter((d) => !Number.isNaN(d.value))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || a.player.localeCompare(b.player))
    .slice(0, REPORT_TOP_DRIVERS);
}

/**
 * The stored explanation of a run's decision at a date (explain/runExplain.ts, the one writer of the
 * `explanations` table: one row per decision holding every agent) as top drivers per agent: the attribution of
 * each agent's weight on the explained asset to the assets' input windows.
 */
function storedDrivers(db: DB, runId: string, date: string): Map<string, DriverValue[]> {
  const out = new Map<string, DriverValue[]>();
  const stored = getStoredExplanation(db, runId, date);
  for (const a of stored?.agents ?? []) {
    if (a.players === 'assets')
      out.set(
        a.agent,
        topDrivers(a.values.map((v) => ({ player: `${v.player} (weight on ${a.ticker})`, value: v.value }))),
      );
  }
  return out;
}

/**
 * Per-agent summaries at a date: the concentration of each stored agent's risky weights (renormalised, as
 * explain/concentration.ts) and the stored top drivers (SAMP-HDRL step 8).
 * @param n number of risky assets (agent rows hold n weights + cash)
 */
export function agentSummaries(
  db: DB,
  runId: string,
  at: RunWeightsAt,
  n: number,
): { agents: AgentSummary[]; explained: boolean } {
  const names = Object.keys(at.agents)
    .filter((a) => a !== 'final' && a !== 'held')
    .sort((a, b) => {
      const ia = AGENT_ORDER.indexOf(a);
      const ib = AGENT_ORDER.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
    });
  const drivers = names.length ? storedDrivers(db, runId, at.date) : new Map<string, DriverValue[]>();
  const agents = names.map((a): AgentSummary => {
    const c = concentration(at.agents[a]!.subarray(0, n).map((v) => Math.max(0, v)));
    return {
      agent: a,
      topDrivers: drivers.get(a) ?? [],
      concentration: { effectiveN: c.effectiveN, herfindahl: c.hhi },
    };
  });
  return { agents, explained: agents.some((a) => a.topDrivers.length > 0) };
}
