/**
 * Explanations of a stored run's decision: computed once (Kernel SHAP on the run's own model, explain/agents.ts),
 * stored in the `explanations` table, served from there afterwards. Also the day's capital split inputs and the
 * concentration of each agent, and over the whole run the "diversified + concentrated" reading (mean effective
 * number of holdings and Herfindahl per agent) so a PM can check the paper's claim on their own data.
 */
import { writeTransactionSync, type DB } from '../store/db';
import { getRun, getRunAgents, getRunDetails, getRunWeightSeries } from '../store/runs';
import { sampDetail, type SampDecisionDetail } from '../../src-shared/domain/decision';
import { concentration } from './concentration';
import { explainDecision, EXPLAIN_DEFAULTS, type AgentExplanation, type ExplainSettings } from './agents';
import { explainCapitalSplit, type CapitalDayInputs, type CapitalExplanation } from './capitalShap';

export const EXPLAIN_METHOD = 'kernel-shap';

/** A SAMP-HDRL decision's capital allocation as its detail records it (cash null for upper-only, which holds none apart). */
export type AllocationRecord = Pick<SampDecisionDetail, 'capital' | 'capitalBeforeCap' | 'utility' | 'fusionA' | 'rebound'> & { cash: number | null };

export interface RunExplanation {
  runId: string;
  date: string;
  settings: ExplainSettings;
  agents: AgentExplanation[];
  /** the day's capital split, utility inputs, fusion coefficient and rebound state as the strategy recorded them; null for ddpg-flat */
  allocation: AllocationRecord | null;
  /** exact Shapley attribution of the capital split to utilities, momentum and rebound state (hierarchical runs) */
  capital: CapitalExplanation[] | null;
  concentration: Record<string, { effectiveN: number; hhi: number }>;
  elapsedMs: number;
  createdAt: string;
}

/** Mean concentration per agent over every decision of a run (the "diversified + concentrated" reading). */
export function runConcentrationSummary(db: DB, runId: string): Record<string, { days: number; meanEffectiveN: number; meanHhi: number; maxWeightMean: number }> {
  const out: Record<string, { days: number; meanEffectiveN: number; meanHhi: number; maxWeightMean: number }> = {};
  for (const agent of getRunAgents(db, runId)) {
    const series = getRunWeightSeries(db, runId, agent);
    let n = 0;
    let eff = 0;
    let hhi = 0;
    let mx = 0;
    for (const { weights: all } of series) {
      const weights = all.subarray(0, all.length - 1); // cash is stored last
      const c = concentration(weights);
      if (!Number.isFinite(c.hhi)) continue;
      n++;
      eff += c.effectiveN;
      hhi += c.hhi;
      mx += Math.max(...weights) / weights.reduce((a, b) => a + b, 0);
    }
    out[agent] = { days: n, meanEffectiveN: n ? eff / n : NaN, meanHhi: n ? hhi / n : NaN, maxWeightMean: n ? mx / n : NaN };
  }
  return out;
}

export function getStoredExplanation(db: DB, runId: string, date: string): RunExplanation | null {
  const r = db.prepare(`SELECT result FROM explanations WHERE run_id = ? AND date = ? AND agent = 'all' AND method = ?`).get(runId, date, EXPLAIN_METHOD) as { result: string } | undefined;
  return r ? (JSON.parse(r.result) as RunExplanation) : null;
}

/** Compute (or return the stored) explanation of a run's decision at `date` (default: its last). */
export async function explainRun(db: DB, runId: string, date: string | undefined, settings: Partial<ExplainSettings> = {}, opts: { recompute?: boolean; progress?: (f: number, m: string) => void } = {}): Promise<RunExplanation> {
  const run = getRun(db, runId);
  if (!run) throw new Error(`run ${runId} not found`);
  const { sampExplainable } = await import('../strategies/samp/explainable');
  const s = { ...EXPLAIN_DEFAULTS, ...settings };
  const t0 = Date.now();
  opts.progress?.(0.05, 'loading the model');
  const ex = await sampExplainable(db, runId, date);
  try {
    if (!opts.recompute) {
      const stored = getStoredExplanation(db, runId, ex.date);
      if (stored && stored.settings.nSamples === s.nSamples && stored.settings.seed === s.seed && stored.settings.ticker === s.ticker) return stored;
    }
    opts.progress?.(0.2, 'computing Shapley values');
    const agents = explainDecision(ex.policy, s);
    const weights = db.prepare(`SELECT agent, weights FROM run_weights WHERE run_id = ? AND date = ?`).all(runId, ex.date) as { agent: string; weights: Buffer }[];
    const conc: RunExplanation['concentration'] = {};
    for (const w of weights) {
      const arr = new Float64Array(w.weights.buffer.slice(w.weights.byteOffset, w.weights.byteOffset + w.weights.byteLength));
      const c = concentration(arr.subarray(0, ex.policy.tickers.length));
      conc[w.agent] = { effectiveN: c.effectiveN, hhi: c.hhi };
    }
    const d = sampDetail(ex.detail);
    let capital: CapitalExplanation[] | null = null;
    if (d) {
      // background: every decision of the run; the cap is the one the decision applied
      const background: CapitalDayInputs[] = getRunDetails(db, runId).flatMap((r) => sampDetail(r.detail) ?? []);
      capital = explainCapitalSplit(d, background, ex.config.utility, d.rebound.thresholds.downtrendCap);
    }
    const result: RunExplanation = {
      runId,
      date: ex.date,
      settings: s,
      agents,
      allocation: d ? { capital: d.capital, capitalBeforeCap: d.capitalBeforeCap, utility: d.utility, fusionA: d.fusionA, rebound: d.rebound, cash: d.cash ?? null } : null,
      capital,
      concentration: conc,
      elapsedMs: Date.now() - t0,
      createdAt: new Date().toISOString(),
    };
    const store = db.prepare(
      `INSERT INTO explanations (run_id, date, agent, method, settings, result, created_at) VALUES (?, ?, 'all', ?, ?, ?, ?)
       ON CONFLICT (run_id, date, agent, method) DO UPDATE SET settings = excluded.settings, result = excluded.result, created_at = excluded.created_at`,
    );
    writeTransactionSync(db, () => store.run(runId, ex.date, EXPLAIN_METHOD, JSON.stringify(s), JSON.stringify(result), result.createdAt));
    opts.progress?.(1, 'done');
    return result;
  } finally {
    await ex.close();
  }
}
