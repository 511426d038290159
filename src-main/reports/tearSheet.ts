/**
 * The backtest tear sheet over runs R1..Rk, filled from the database (docs/architecture.md "Reports"; the
 * renderers never read the database): the runs are grouped as ./groups.ts does (experiment, one run per seed, the
 * newest); each group gives one metrics row (mean ± std over its seeds) and its lowest seed gives the curves, the
 * monthly / yearly returns, the worst drawdowns and the last target weights (previous weights drifted as
 * ./holdings.ts says). The analytics sections and the verdicts of the first page come from src-main/analytics over
 * the same groups; the caveats from ./caveats.ts. HADAPS groups add their lowest seed's class allocation over time,
 * and HADAPS runs at two or more action scales the action scale's effect over all their seeds
 * (src-shared/charts/classes.ts, the same figures as the desk's Backtests view).
 */
import { equalWeightReference } from '../../src-shared/domain';
import type { DB } from '../store/db';
import { getRunDetails, getRunMetrics } from '../store/runs';
import {
  actionScaleEffect,
  actionScaleRunOf,
  classAllocationOf,
  classWeightStd,
  isActionScaleStrategy,
  type ActionScaleRun,
} from '../../src-shared/charts/classes';
import { hadapsDetail } from '../../src-shared/domain/decision';
import type { PriceMatrix } from '../market/prices';
import { reportAnalytics } from '../analytics/gather';
import { tearSheetCaveats } from './caveats';
import { tearSheetParts } from './derive';
import {
  completeRun,
  equitySeries,
  groupRuns,
  metricsRow,
  newestFirst,
  prices,
  REPORT_MAX_RUNS,
  reportUniverse,
  ReportInputError,
  sourceLine,
  strategyMeta,
  type BuildOptions,
} from './groups';
import { holdingsAt } from './holdings';
import { rebalanceOf, rebalanceWords } from './names';
import type { BacktestReportData, RunClassAllocation, RunHoldings } from './model';

/**
 * The backtest tear sheet over chosen runs (rules in the file overview): one metrics row per group of seeds,
 * curves, monthly / yearly returns, worst drawdowns and last weights of each group's lowest seed.
 * @param db the database
 * @param runIds 1..REPORT_MAX_RUNS complete runs of one universe
 * @throws ReportInputError unknown or incomplete run, runs of different universes, no run or too many
 */
export async function buildBacktestReport(
  db: DB,
  runIds: readonly string[],
  opts: BuildOptions = {},
): Promise<BacktestReportData> {
  const ids = [...new Set(runIds)];
  if (ids.length === 0) throw new ReportInputError('invalid', 'a backtest report needs at least one run');
  if (ids.length > REPORT_MAX_RUNS)
    throw new ReportInputError('invalid', `a backtest report takes at most ${REPORT_MAX_RUNS} runs`);
  const runs = ids.map((id) => completeRun(db, id));
  const universes = [...new Set(runs.map((r) => r.universe))];
  if (universes.length > 1)
    throw new ReportInputError(
      'invalid',
      `the runs belong to different universes (${universes.join(', ')}); a tear sheet covers one`,
    );
  const meta = await strategyMeta();
  const u = reportUniverse(db, universes[0]!);
  const stored = new Map(runs.map((r) => [r.id, getRunMetrics(db, r.id)]));
  const groups = groupRuns([...runs].sort(newestFirst), meta);

  const metrics = groups.map((g) => metricsRow(g.name, g.runs, stored));
  const calendar = prices(
    db,
    u.id,
    runs
      .map((r) => r.windowTo)
      .sort()
      .at(-1)!,
  ).dates;
  const ew = equalWeightReference((id) => groups.some((g) => g.strategy === id));
  const equity = groups.map((g) => ({
    ...equitySeries(db, g.rep, g.name, calendar),
    ...(g.meta.family === 'learning' ? { highlight: true } : {}),
    ...(g.strategy === ew ? { equalWeight: true } : {}),
  }));
  const parts = equity.map((e) => ({ name: e.name, p: tearSheetParts(e) }));
  const byEnd = new Map<string, PriceMatrix>(); // prices up to each window end, loaded once
  const held = groups.map((g) => {
    let pm = byEnd.get(g.rep.windowTo);
    if (!pm) byEnd.set(g.rep.windowTo, (pm = prices(db, u.id, g.rep.windowTo)));
    return holdingsAt(db, g.rep, undefined, pm);
  });
  const lastWeights: RunHoldings[] = held.map((h, i) => ({
    run: groups[i]!.name,
    date: h.date,
    groups: h.groups,
    cashWeight: h.cashWeight,
  }));

  // HADAPS: the class allocation of each group's lowest seed, and the action scale's effect over every seed
  const classes: RunClassAllocation[] = [];
  const scaled: ActionScaleRun[] = [];
  groups.forEach((g, i) => {
    if (!hadapsDetail(held[i]!.at.detail)) return;
    const repDays = getRunDetails(db, g.rep.id);
    const allocation = classAllocationOf(repDays);
    if (allocation) classes.push({ run: g.name, allocation, std: classWeightStd(allocation) });
    if (!isActionScaleStrategy(g.strategy)) return;
    for (const r of g.runs) {
      const days = r.id === g.rep.id ? repDays : getRunDetails(db, r.id);
      const run = actionScaleRunOf(g.strategy, days, stored.get(r.id)?.cumulativeReturn ?? null);
      if (run) scaled.push(run);
    }
  });
  const actionScale = actionScaleEffect(scaled);

  const costs = [...new Set(runs.map((r) => r.config.cost))];
  const rules = [...new Set(runs.map(rebalanceOf))];
  const caveats = tearSheetCaveats(db, { costs, rules, groups, metrics, stored });

  const from = runs.map((r) => r.windowFrom).sort()[0]!;
  const to = runs
    .map((r) => r.windowTo)
    .sort()
    .at(-1)!;
  const versions = [...new Set(runs.map((r) => r.codeVersion))];
  return {
    kind: 'backtest',
    header: {
      universe: { id: u.id, name: u.name },
      window: { from, to },
      cost: costs[0]!,
      rebalance: rules.length === 1 ? rebalanceWords(rules[0]!) : 'mixed (see caveats)',
      generatedAt: (opts.now ?? new Date()).toISOString(),
      dataSource: sourceLine(u),
      codeVersion: versions.join(', '),
    },
    metrics,
    equity,
    underwater: parts.map((x) => x.p.underwater),
    monthly: parts.map((x) => ({ name: x.name, items: x.p.monthly })),
    yearly: parts.map((x) => ({ name: x.name, items: x.p.yearly })),
    worstDrawdowns: parts.map((x) => ({ name: x.name, items: x.p.worstDrawdowns })),
    lastWeights,
    ...(classes.length ? { classes } : {}),
    ...(actionScale.length ? { actionScale } : {}),
    caveats,
    // analytics (issue 17): the sections of src-main/analytics over the same groups, verdicts for the first page
    ...(await reportAnalytics(
      db,
      groups.map((g) => ({ name: g.name, runIds: g.runs.map((r) => r.id) })),
    ).then((analytics) => ({ analytics, verdicts: analytics.verdicts }))),
  };
}
