/**
 * The action scale's section of a results document (issue 18): over the runs of HADAPS and its sweep
 * `hadaps-beta/1..10`, per action scale, how much the class weights moved and the mean cumulative return — the same
 * figure as the desk's Backtests view and the tear sheet draw (src-shared/charts/classes.ts actionScaleEffect, which
 * holds the rule), laid out as a table. Absent unless the runs hold two or more scales.
 */
import {
  actionScaleEffect,
  actionScaleRunOf,
  isActionScaleStrategy,
  type ActionScaleRun,
} from '../../src-shared/charts/classes';
import { DecisionDetail } from '../../src-shared/domain/decision';
import type { BacktestRunResult } from './run';

/** A run's decision details, one per decision day in date order; null where they are not at hand. */
export type DetailsOf = (
  r: BacktestRunResult,
) => readonly { date: string; detail: DecisionDetail | null | undefined }[] | null;

/** The details a run's own simulation recorded (as strategies write them, read through the schema). */
export const detailsFromResults: DetailsOf = (r) => {
  const sim = r.sim;
  if (!sim?.details) return null;
  return sim.dates.map((date, k) => {
    const d = sim.details![k];
    return { date, detail: d == null ? null : DecisionDetail.parse(d) };
  });
};

const pct = (v: number | null) => (v == null ? '—' : `${(v * 100).toFixed(2)}%`);

/** The section's lines (heading, what it shows, the table), or none when fewer than two scales are present. */
export function actionScaleSection(results: readonly BacktestRunResult[], detailsOf: DetailsOf): string[] {
  const runs: ActionScaleRun[] = [];
  for (const r of results) {
    if (r.status !== 'complete' || !isActionScaleStrategy(r.strategy)) continue;
    const days = detailsOf(r);
    const run = days ? actionScaleRunOf(r.strategy, days, r.metrics?.cumulativeReturn ?? null) : null;
    if (run) runs.push(run);
  }
  const rows = actionScaleEffect(runs);
  if (!rows.length) return [];
  return [
    '## The action scale',
    '',
    "How much the class weights moved at each action scale β (the multiplier of the policy's output before each softmax): for each run, every class's weight as the inter-class layer set it, its standard deviation over the test days, then the mean over the classes (cash one of them; 0 for a policy that holds its classes still). Each row is the mean over the scale's runs (seeds × test windows), beside their mean cumulative return; the desk's Backtests view draws the same figure.",
    '',
    '| action scale β | runs | class-weight std | cumulative return |',
    '|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.actionScale} | ${r.runs} | ${pct(r.classStd)} | ${pct(r.cumulativeReturn)} |`),
    '',
  ];
}
