/**
 * The caveats (disclosures) of the reports, written from the runs' settings and the comparison
 * (docs/architecture.md "Reports"): the costs assumed, the rebalancing rule, no look-ahead, how many seeds a figure
 * rests on and how far they spread, hindsight references, policies that collapsed to equal weight, whether a
 * learned strategy beats equal weight on its window (src-shared/domain/verdict.ts: a higher mean Sharpe AND a
 * higher mean cumulative return than crp, else ubah, run on the same window and market), missing explanations,
 * what the regime label is, and that past performance guarantees nothing. The renderers show them as given.
 */
import {
  equalWeightReference,
  equalWeightVerdict as verdictOf,
  experimentIdentity,
  groupSeeds,
  marketIdentity,
  type EqualWeightVerdict,
} from '../../src-shared/domain';
import type { RunRebalance } from '../../src-shared/domain/runConfig';
import type { DB } from '../store/db';
import { getRunMetrics, type RunRow } from '../store/runs';
import { fixed, pct } from './format';
import { FLAG_CLOSE_TO_EW, metricStat, newestFirst, windowPeers, type RunGroup, type StrategyMeta } from './groups';
import { rebalanceOf, rebalanceWords } from './names';
import type { MetricsRow, ReportRegime } from './model';

/** A learning strategy's runs against equal weight on their window: the reference used and the verdict. */
export interface EqualWeightComparison {
  reference: string;
  verdict: EqualWeightVerdict;
}

/**
 * The equal-weight verdict (src-shared/domain/verdict.ts) of a learning strategy's runs, one per seed, on their
 * test window: against crp, else ubah, among the complete `peers` of that window that ran on the same market
 * (data and trading terms, src-shared/domain/settings.ts), each seed once. Null when no such baseline ran.
 * @param stored metrics by run id, for the runs and the peers
 */
export function equalWeightComparison(
  runs: readonly RunRow[],
  peers: readonly RunRow[],
  stored: ReadonlyMap<string, Record<string, number>>,
): EqualWeightComparison | null {
  const market = marketIdentity(runs[0]!.config);
  const same = peers.filter((r) => r.status === 'complete' && marketIdentity(r.config) === market).sort(newestFirst);
  const ewRuns = (id: string) =>
    groupSeeds(
      same.filter((r) => r.strategy === id),
      experimentIdentity,
    ).flatMap((g) => g.runs);
  const reference = equalWeightReference((id) => ewRuns(id).length > 0);
  if (!reference) return null;
  const figures = (r: RunRow) => ({
    sharpe: stored.get(r.id)?.sharpe ?? Number.NaN,
    cumulativeReturn: stored.get(r.id)?.cumulativeReturn ?? Number.NaN,
  });
  return { reference, verdict: verdictOf(runs.map(figures), ewRuns(reference).map(figures)) };
}

/**
 * The caveat that says whether a learning run (or group of seeds) beats equal weight on its window, with the
 * figures the rule compares and, for several seeds, how many of them beat it.
 * @param name display name of the learning run (or group)
 */
export function equalWeightCaveat(name: string, c: EqualWeightComparison | null): string {
  if (!c)
    return `${name}: no equal-weight baseline (crp or ubah) was run on this test window with the same data and trading terms, so whether it beats equal weight is not shown; run one to compare.`;
  const v = c.verdict;
  if (v.outcome === 'not-comparable')
    return `${name}: Sharpe ratio or cumulative return undefined, so it cannot be compared with equal weight (${c.reference}).`;
  const figures = `Sharpe ${fixed(v.sharpe.mean, 2)} vs ${fixed(v.ewSharpe.mean, 2)}, cumulative return ${pct(v.cumulativeReturn.mean, 2)} vs ${pct(v.ewCumulativeReturn.mean, 2)}`;
  const seeds = v.seeds > 1 ? `; ${v.seedsBeating} of ${v.seeds} seeds beat it on both` : '';
  if (v.outcome === 'beats') return `${name} beats equal weight (${c.reference}) on this window: ${figures}${seeds}.`;
  const oneOfTwo = v.sharpe.mean > v.ewSharpe.mean || v.cumulativeReturn.mean > v.ewCumulativeReturn.mean;
  const why = oneOfTwo
    ? 'Beating equal weight takes a higher Sharpe ratio and a higher cumulative return; one of the two is not enough.'
    : 'On this evidence the learning strategy adds nothing over holding every asset equally.';
  return `${name} does NOT beat equal weight (${c.reference}) on this window: ${figures}${seeds}. ${why}`;
}

function costCaveat(cost: number): string {
  return `Transaction costs assumed: ${pct(cost, 2)} of the value traded in risky assets (proportional, charged once per unit moved; no spread, market impact or taxes beyond it).`;
}

function rebalanceCaveat(rule: RunRebalance): string {
  if (rule === 'daily')
    return 'Rebalanced daily: the target weights of a date are traded at that close and held over the next trading day.';
  return `Rebalanced ${rebalanceWords(rule)}: on other days the target is recorded but not traded and the holdings drift with prices.`;
}

const LOOK_AHEAD_CAVEAT =
  'Decisions use data up to each close only (look-ahead test in the suite: changing every price after a date leaves the decisions up to it unchanged).';
const PAST_PERFORMANCE_CAVEAT =
  'Past performance, in a backtest above all, does not guarantee future results; a backtest ignores liquidity, capacity and execution delays.';
const HINDSIGHT_CAVEAT =
  'Rows marked \u2020 are hindsight references (they use future prices) and cannot be invested in.';

/**
 * Caveats of an allocation report, from the run's config and the comparison: cost, rebalancing, no look-ahead,
 * seeds and their spread, hindsight, explanations, the equal-weight verdict of a learning run, past performance.
 */
export function allocationCaveats(p: {
  run: RunRow;
  meta: StrategyMeta;
  name: string;
  ownGroup: RunRow[];
  rows: MetricsRow[];
  /** name of the run's group of seeds (the run's own name when it is the only seed) */
  groupName: string;
  ew: EqualWeightComparison | null;
  stored: Map<string, Record<string, number>>;
  date: string;
  agentsWithoutDrivers: boolean;
  regime: ReportRegime | null;
}): string[] {
  const { run, meta } = p;
  const out = [costCaveat(run.config.cost), rebalanceCaveat(rebalanceOf(run)), LOOK_AHEAD_CAVEAT];
  const rf = run.config.riskFreeRate;
  out.push(
    `Cash earns ${rf === 0 ? 'nothing (risk-free rate 0)' : `a risk-free rate of ${pct(rf, 2)} a year`}; Sharpe and Sortino use the same rate.`,
  );
  const seeds = p.ownGroup.length;
  if (seeds <= 1)
    out.push(
      `This report shows seed ${run.seed}, the only complete seed of this strategy and settings on this window: the spread over seeds is unknown.`,
    );
  else {
    const sh = metricStat(p.ownGroup.map((r) => p.stored.get(r.id)?.sharpe ?? Number.NaN));
    const spread =
      sh.std === 0
        ? 'identical across seeds (a deterministic strategy)'
        : `Sharpe ${fixed(sh.mean, 2)} \u00b1 ${fixed(sh.std ?? Number.NaN, 2)} (mean \u00b1 standard deviation)`;
    out.push(
      `This report shows seed ${run.seed} of ${seeds} complete seeds of this strategy and settings on this window: ${spread}.`,
    );
  }
  if (run.flags.includes(FLAG_CLOSE_TO_EW))
    out.push(
      'This run is flagged \u2021 close to equal weight: its daily weights stay near 1/N, so the policy may have collapsed to equal weighting.',
    );
  if (run.hindsight)
    out.push('This run is itself a hindsight reference (it uses future prices): it is not an investable strategy.');
  if (p.rows.some((r) => r.hindsight)) out.push(HINDSIGHT_CAVEAT);
  if (meta.family === 'learning') out.push(equalWeightCaveat(p.groupName, p.ew));
  if (p.agentsWithoutDrivers)
    out.push(
      'Agent top drivers: not computed (no explanation is stored for this run and date); the concentration figures are computed from the stored agent weights.',
    );
  if (p.date < run.windowTo)
    out.push(
      `The weights are those of ${p.date}; the metrics and curves cover the whole test window ${run.windowFrom} to ${run.windowTo}, days after ${p.date} included.`,
    );
  if (p.regime)
    out.push(
      'The market regime is a label of the universe\u2019s equal-weight index computed from prices up to the report date; it describes, it does not forecast.',
    );
  out.push(PAST_PERFORMANCE_CAVEAT);
  return out;
}

/**
 * Caveats of a backtest tear sheet: cost and rebalancing (or that they differ), no look-ahead, the seeds behind
 * the figures, hindsight and close-to-equal-weight marks, the equal-weight verdict of each learned group against
 * the peers of its window (read here, once per window), past performance.
 */
export function tearSheetCaveats(
  db: DB,
  p: {
    /** the distinct costs and rebalancing rules of the runs */
    costs: readonly number[];
    rules: readonly RunRebalance[];
    groups: readonly RunGroup[];
    /** one metrics row per group */
    metrics: readonly MetricsRow[];
    /** metrics of the report's runs, by id */
    stored: ReadonlyMap<string, Record<string, number>>;
  },
): string[] {
  const { costs, rules, groups, metrics, stored } = p;
  const caveats: string[] = [];
  caveats.push(
    costs.length === 1
      ? costCaveat(costs[0]!)
      : `The runs assume different transaction costs (${costs.map((c) => pct(c, 2)).join(', ')}); compare them with care.`,
  );
  caveats.push(
    rules.length === 1
      ? rebalanceCaveat(rules[0]!)
      : `The runs rebalance differently (${rules.map(rebalanceWords).join('; ')}).`,
  );
  caveats.push(LOOK_AHEAD_CAVEAT);
  if (groups.some((g) => g.runs.length > 1))
    caveats.push(
      'Metrics are mean \u00b1 standard deviation over the selected seeds of each strategy; curves, monthly returns, drawdowns and last weights show its lowest seed.',
    );
  else caveats.push('Every strategy is shown with one seed: the spread over seeds is unknown.');
  if (metrics.some((r) => r.hindsight)) caveats.push(HINDSIGHT_CAVEAT);
  if (metrics.some((r) => r.closeToEqualWeight))
    caveats.push('Rows marked \u2021 stay close to equal weight (a possibly collapsed policy).');
  const peerCache = new Map<string, { peers: RunRow[]; stored: Map<string, Record<string, number>> }>();
  for (const g of groups) {
    if (g.meta.family !== 'learning') continue;
    const wk = `${g.rep.windowFrom}|${g.rep.windowTo}`;
    let pc = peerCache.get(wk);
    if (!pc) {
      const peers = windowPeers(db, g.rep);
      pc = { peers, stored: new Map(peers.map((r) => [r.id, getRunMetrics(db, r.id)])) };
      peerCache.set(wk, pc);
    }
    caveats.push(
      equalWeightCaveat(g.name, equalWeightComparison(g.runs, pc.peers, new Map([...pc.stored, ...stored]))),
    );
  }
  caveats.push(PAST_PERFORMANCE_CAVEAT);
  return caveats;
}
