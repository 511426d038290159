/**
 * `node --import tsx/esm scripts/mpls-modules.mts --db PATH [--universe ID] [--since ISO-TIME]`: what the MPLS runs
 * stored in a database did with their modules, read from their decisions (src-shared/domain/decision.ts
 * MplsDecisionDetail): per strategy id and test window, the share of test days on which the volatility module's uncertainty was
 * above its threshold (so the fused allocation was made conservative), the fusion agent's mean weight on each
 * module, and the mean cash after the trade rule. One run per strategy, seed and test window: the newest complete
 * one (created at or after `--since` when given), so a database that holds an older evaluation too counts only the
 * latest. docs/mpls.md "Results" cites it.
 */
import { parseArgs } from 'node:util';
import { MPLS_MODULES, mplsDetail } from '../src-shared/domain/decision';
import { openDatabase } from '../src-main/store/db';
import { getRunDetails, listRuns, type RunRow } from '../src-main/store/runs';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    universe: { type: 'string', default: 'djia30' },
    since: { type: 'string', default: '' },
  },
});
if (!values.db) {
  console.error('usage: mpls-modules.mts --db PATH [--universe ID] [--since ISO-TIME]');
  process.exit(2);
}
const db = openDatabase(values.db, { readonly: true });
const latest = new Map<string, RunRow>();
for (const r of listRuns(db, { universe: values.universe, status: 'complete', limit: 1_000_000 })) {
  if (!r.strategy.startsWith('mpls') || r.createdAt < values.since!) continue;
  const key = `${r.strategy}|${r.seed}|${r.windowFrom}`;
  if (!latest.has(key)) latest.set(key, r); // newest first
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const byStrategy = new Map<string, RunRow[]>();
for (const r of latest.values()) {
  const key = `${r.strategy} | ${r.windowFrom}..${r.windowTo}`;
  byStrategy.set(key, [...(byStrategy.get(key) ?? []), r]);
}
console.log(
  `| strategy | test window | runs | conservative days (mean, min-max) | ${MPLS_MODULES.map((m) => `${m} weight`).join(' | ')} | mean cash |`,
);
console.log(`|---|---|---:|---|${MPLS_MODULES.map(() => '---:').join('|')}|---:|`);
for (const [strategy, runs] of [...byStrategy].sort(([a], [b]) => a.localeCompare(b))) {
  const conservative: number[] = [];
  const weight = MPLS_MODULES.map(() => 0);
  let cash = 0;
  let days = 0;
  for (const r of runs) {
    let con = 0;
    let n = 0;
    for (const { detail } of getRunDetails(db, r.id)) {
      const d = mplsDetail(detail);
      if (!d) continue;
      n++;
      if (d.volatility?.conservative) con++;
      d.modules.forEach((m) => (weight[MPLS_MODULES.indexOf(m.name)]! += m.weight));
      cash += d.cash;
    }
    if (n) conservative.push(con / n);
    days += n;
  }
  if (!days) continue;
  const mean = conservative.reduce((a, b) => a + b, 0) / conservative.length;
  console.log(
    `| ${strategy} | ${runs.length} | ${pct(mean)} (${pct(Math.min(...conservative))}-${pct(Math.max(...conservative))}) | ${weight.map((w) => (w / days).toFixed(2)).join(' | ')} | ${pct(cash / days)} |`,
  );
}
