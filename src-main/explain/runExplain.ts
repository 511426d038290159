/**
 * Explanations of a stored run's decision: computed once (Kernel SHAP on the run's own model, explain/agents.ts),
 * stored in the `explanations` table, served from there afterwards. Also the day's capital split inputs and the
 * concentration of each agent, and over the whole run the "diversified + concentrated" reading (mean effective
 * number of holdings and Herfindahl per agent) so a PM can check the paper's claim on their own data.
 *
 * The asset explained (`subject`) is the one the PM asked for, else the final book's largest holding: every agent
 * explains its weight on that asset (an agent whose group cannot hold it explains its own largest instead). The
 * book-level reading — what each agent put into the final weights through the fusion, and the plain words — is
 * derived from the stored weights and attributions each time an explanation is read, so explanations stored before
 * it existed get it too.
 *
 * A HADAPS run is explained layer by layer instead (explain/hadaps.ts): its explanation has no agents and carries
 * `hadaps` (every layer's attributions); the book-level reading splits the book into its classes. A three-level run
 * likewise carries `threeLevel` (explain/threelevel.ts: each level's decision and its reasons), and an MPLS run
 * `mpls` (explain/mpls.ts: each agent's attributions and words; the book-level reading splits the book into its
 * sectors).
 */
import { writeTransactionSync, type DB } from '../store/db';
import { getRun, getRunAgents, getRunDetails, getRunWeightsAt, getRunWeightSeries } from '../store/runs';
import { hadapsDetail, mplsDetail, sampDetail, type SampDecisionDetail } from '../../src-shared/domain/decision';
import { threeLevelDetail } from '../../src-shared/charts/threeLevel';
import type { MplsExplanation, ThreeLevelExplanation } from '../../src-shared/contract/explain';
import { concentration } from './concentration';
import {
  explainDecision,
  explanationWords,
  EXPLAIN_DEFAULTS,
  portfolioAttribution,
  type AgentExplanation,
  type ExplainSettings,
  type PortfolioAttribution,
} from './agents';
import { explainCapitalSplit, type CapitalDayInputs, type CapitalExplanation } from './capitalShap';
import { classAttribution, explainHadaps, hadapsWords, type HadapsExplanation } from './hadaps';
import { explainStoredThreeLevel, threeLevelAssetWords, threeLevelBook } from './threelevel';
import { explainStoredMpls, mplsAssetWords } from './mpls';

export const EXPLAIN_METHOD = 'kernel-shap';

/** A SAMP-HDRL decision's capital allocation as its detail records it (cash null for upper-only, which holds none apart). */
export type AllocationRecord = Pick<
  SampDecisionDetail,
  'capital' | 'capitalBeforeCap' | 'utility' | 'fusionA' | 'rebound'
> & { cash: number | null };

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
  /** the asset every agent explains (see the file overview); absent in explanations stored before it was recorded */
  subject?: string;
  /** a HADAPS decision: every layer's attributions (its `agents` is empty) */
  hadaps?: HadapsExplanation;
  /** a three-level decision: each level explained (its `agents` is empty) */
  threeLevel?: ThreeLevelExplanation;
  /** an MPLS decision: each agent explained (its `agents` is empty) */
  mpls?: MplsExplanation;
}

/** A stored explanation as it is served: with the book-level reading derived from the run's weights. */
export interface ExplanationView extends RunExplanation {
  subject: string;
  portfolio: PortfolioAttribution;
  words: { asset: string[]; portfolio: string[] };
}

/** The book-level reading of an explanation: the fusion split of the day's weights and the plain words. */
export function describeExplanation(db: DB, r: RunExplanation): ExplanationView {
  const run = getRun(db, r.runId);
  const at = getRunWeightsAt(db, r.runId, r.date);
  if (!run || !at?.agents.final) throw new Error(`run ${r.runId} has no weights on ${r.date} to explain`);
  const tickers = run.config.tickers;
  const n = tickers.length;
  const final = at.agents.final;
  const cash = final[n] ?? Math.max(0, 1 - final.subarray(0, n).reduce((x, y) => x + y, 0));
  const tl = threeLevelDetail(at.detail);
  if (r.threeLevel && tl) {
    const portfolio = threeLevelBook(tickers, tl, final.subarray(0, n), cash);
    const subject = r.subject ?? portfolio.assets[0]!.ticker;
    const w = r.threeLevel.words;
    const words = {
      asset: threeLevelAssetWords(r.threeLevel, tl, subject),
      portfolio: [...w.strategic, ...w.tactical, ...w.execution],
    };
    return { ...r, subject, portfolio, words };
  }
  const mp = mplsDetail(at.detail);
  if (r.mpls && mp) {
    const portfolio = classAttribution(tickers, mp.sectors, final.subarray(0, n), cash);
    const subject = r.subject ?? portfolio.assets[0]!.ticker;
    const w = r.mpls.words;
    const words = {
      asset: mplsAssetWords(r.mpls, subject, portfolio),
      portfolio: [...w.fusion, ...w.high, ...w.low],
    };
    return { ...r, subject, portfolio, words };
  }
  const h = hadapsDetail(at.detail);
  if (r.hadaps && h) {
    const portfolio = classAttribution(tickers, h.classes, final.subarray(0, n), cash);
    const subject = r.subject ?? portfolio.assets[0]!.ticker;
    const words = hadapsWords({ subject, explanation: r.hadaps, classes: h.classes, attribution: portfolio });
    return { ...r, subject, portfolio, words };
  }
  const agents = Object.fromEntries(
    Object.entries(at.agents)
      .filter(([a]) => a !== 'final' && a !== 'held')
      .map(([a, w]) => [a, w.subarray(0, n)]),
  );
  const d = sampDetail(at.detail);
  const portfolio = portfolioAttribution(
    tickers,
    agents,
    final.subarray(0, n),
    cash,
    d ? { fusionA: d.fusionA, capital: d.capital } : null,
  );
  const subject =
    r.subject ??
    r.settings.ticker ??
    r.agents.find((a) => a.agent === 'upper' || a.agent === 'flat')?.ticker ??
    portfolio.assets[0]!.ticker;
  const words = explanationWords({
    subject,
    window: r.agents.find((a) => a.window)?.window ?? 0,
    attribution: portfolio,
    agents: r.agents,
    capital: r.capital,
    capitalBeforeCap: d?.capitalBeforeCap ?? null,
    rebound: d ? { capped: d.rebound.capped, reasons: d.rebound.reasons } : null,
  });
  return { ...r, subject, portfolio, words };
}

/** Mean concentration per agent over every decision of a run (the "diversified + concentrated" reading). */
export function runConcentrationSummary(
  db: DB,
  runId: string,
): Record<string, { days: number; meanEffectiveN: number; meanHhi: number; maxWeightMean: number }> {
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
    out[agent] = {
      days: n,
      meanEffectiveN: n ? eff / n : NaN,
      meanHhi: n ? hhi / n : NaN,
      maxWeightMean: n ? mx / n : NaN,
    };
  }
  return out;
}

export function getStoredExplanation(db: DB, runId: string, date: string): RunExplanation | null {
  const r = db
    .prepare(`SELECT result FROM explanations WHERE run_id = ? AND date = ? AND agent = 'all' AND method = ?`)
    .get(runId, date, EXPLAIN_METHOD) as { result: string } | undefined;
  return r ? (JSON.parse(r.result) as RunExplanation) : null;
}

/** The stored explanation of a run's decision as it is served (with the book-level reading), null when none. */
export function getExplanationView(db: DB, runId: string, date: string): ExplanationView | null {
  const r = getStoredExplanation(db, runId, date);
  return r ? describeExplanation(db, r) : null;
}

/** The stored explanation of `s` when it was computed with the same settings (else null: compute again). */
function storedWithSettings(db: DB, runId: string, date: string, s: ExplainSettings): RunExplanation | null {
  const stored = getStoredExplanation(db, runId, date);
  return stored &&
    stored.settings.nSamples === s.nSamples &&
    stored.settings.seed === s.seed &&
    stored.settings.ticker === s.ticker
    ? stored
    : null;
}

/** The asset explained: the one asked for, else the final book's largest holding (file overview). */
function subjectOf(db: DB, runId: string, date: string, tickers: readonly string[], asked?: string): string {
  if (asked && tickers.includes(asked)) return asked;
  const final = getRunWeightsAt(db, runId, date)?.agents.final;
  let top = 0;
  for (let i = 1; i < tickers.length; i++) if ((final?.[i] ?? 0) > (final?.[top] ?? 0)) top = i;
  return tickers[top]!;
}

/** The concentration of every stored agent's weights (and the final book's) on one decision day. */
function dayConcentration(db: DB, runId: string, date: string, n: number): RunExplanation['concentration'] {
  const weights = db
    .prepare(`SELECT agent, weights FROM run_weights WHERE run_id = ? AND date = ?`)
    .all(runId, date) as {
    agent: string;
    weights: Buffer;
  }[];
  const conc: RunExplanation['concentration'] = {};
  for (const w of weights) {
    const arr = new Float64Array(
      w.weights.buffer.slice(w.weights.byteOffset, w.weights.byteOffset + w.weights.byteLength),
    );
    const c = concentration(arr.subarray(0, n));
    conc[w.agent] = { effectiveN: c.effectiveN, hhi: c.hhi };
  }
  return conc;
}

function storeExplanation(db: DB, result: RunExplanation): void {
  const store = db.prepare(
    `INSERT INTO explanations (run_id, date, agent, method, settings, result, created_at) VALUES (?, ?, 'all', ?, ?, ?, ?)
     ON CONFLICT (run_id, date, agent, method) DO UPDATE SET settings = excluded.settings, result = excluded.result, created_at = excluded.created_at`,
  );
  writeTransactionSync(db, () =>
    store.run(
      result.runId,
      result.date,
      EXPLAIN_METHOD,
      JSON.stringify(result.settings),
      JSON.stringify(result),
      result.createdAt,
    ),
  );
}

/** Compute (or return the stored) explanation of a run's decision at `date` (default: its last). */
export async function explainRun(
  db: DB,
  runId: string,
  date: string | undefined,
  settings: Partial<ExplainSettings> = {},
  opts: { recompute?: boolean; progress?: (f: number, m: string) => void } = {},
): Promise<RunExplanation> {
  const run = getRun(db, runId);
  if (!run) throw new Error(`run ${runId} not found`);
  const detail = getRunWeightsAt(db, runId, date)?.detail;
  if (hadapsDetail(detail)) return explainHadapsRun(db, runId, date, settings, opts);
  // a three-level run: each level explained (explain/threelevel.ts)
  if (threeLevelDetail(detail))
    return explainFamilyRun(db, runId, date, settings, opts, 'explaining each level', async () => {
      const { date: at, explanation } = await explainStoredThreeLevel(db, runId, date);
      return { date: at, tickers: run.config.tickers, part: { threeLevel: explanation } };
    });
  // an MPLS run: each agent explained (explain/mpls.ts)
  if (mplsDetail(detail))
    return explainFamilyRun(
      db,
      runId,
      date,
      settings,
      opts,
      'rebuilding the modules and computing Shapley values of every agent',
      async (s) => {
        const { date: at, tickers, explanation } = await explainStoredMpls(db, runId, date, s);
        return { date: at, tickers, part: { mpls: explanation } };
      },
    );
  const { sampExplainable } = await import('../strategies/samp/explainable');
  const s = { ...EXPLAIN_DEFAULTS, ...settings };
  const t0 = Date.now();
  opts.progress?.(0.05, 'loading the model');
  const ex = await sampExplainable(db, runId, date);
  try {
    if (!opts.recompute) {
      const stored = storedWithSettings(db, runId, ex.date, s);
      if (stored) return stored;
    }
    opts.progress?.(0.2, 'computing Shapley values');
    const subject = subjectOf(db, runId, ex.date, ex.policy.tickers, s.ticker);
    const agents = explainDecision(ex.policy, { ...s, ticker: subject });
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
      allocation: d
        ? {
            capital: d.capital,
            capitalBeforeCap: d.capitalBeforeCap,
            utility: d.utility,
            fusionA: d.fusionA,
            rebound: d.rebound,
            cash: d.cash ?? null,
          }
        : null,
      capital,
      concentration: dayConcentration(db, runId, ex.date, ex.policy.tickers.length),
      elapsedMs: Date.now() - t0,
      createdAt: new Date().toISOString(),
      subject,
    };
    storeExplanation(db, result);
    opts.progress?.(1, 'done');
    return result;
  } finally {
    await ex.close();
  }
}

/** explainRun for a HADAPS decision: every layer explained (explain/hadaps.ts), stored the same way. */
async function explainHadapsRun(
  db: DB,
  runId: string,
  date: string | undefined,
  settings: Partial<ExplainSettings>,
  opts: { recompute?: boolean; progress?: (f: number, m: string) => void },
): Promise<RunExplanation> {
  const { hadapsExplainable } = await import('../strategies/hadaps/explainable');
  const s = { ...EXPLAIN_DEFAULTS, ...settings };
  const t0 = Date.now();
  opts.progress?.(0.05, 'loading the model');
  const ex = await hadapsExplainable(db, runId, date);
  try {
    if (!opts.recompute) {
      const stored = storedWithSettings(db, runId, ex.date, s);
      if (stored) return stored;
    }
    opts.progress?.(0.2, 'computing Shapley values of every layer');
    const subject = subjectOf(db, runId, ex.date, ex.tickers, s.ticker);
    const result: RunExplanation = {
      runId,
      date: ex.date,
      settings: s,
      agents: [],
      allocation: null,
      capital: null,
      concentration: dayConcentration(db, runId, ex.date, ex.tickers.length),
      elapsedMs: 0,
      createdAt: new Date().toISOString(),
      subject,
      hadaps: explainHadaps(ex, s),
    };
    result.elapsedMs = Date.now() - t0;
    storeExplanation(db, result);
    opts.progress?.(1, 'done');
    return result;
  } finally {
    await ex.close();
  }
}

/** What one family's own explanation adds to a stored run explanation, with the day and stocks it explains. */
interface FamilyExplanation {
  date: string;
  tickers: readonly string[];
  part: Pick<RunExplanation, 'threeLevel' | 'mpls'>;
}

/**
 * explainRun for a family whose explanation is its own (no SAMP agents, no capital split): the stored explanation of
 * the day with the same settings unless `opts.recompute`, else `explain` computes the family's part and it is stored
 * with the day's concentration and subject, the same way as every other explanation.
 */
async function explainFamilyRun(
  db: DB,
  runId: string,
  date: string | undefined,
  settings: Partial<ExplainSettings>,
  opts: { recompute?: boolean; progress?: (f: number, m: string) => void },
  computing: string,
  explain: (s: ExplainSettings) => Promise<FamilyExplanation>,
): Promise<RunExplanation> {
  const s = { ...EXPLAIN_DEFAULTS, ...settings };
  const t0 = Date.now();
  const day = date ?? getRunWeightsAt(db, runId)?.date;
  if (day && !opts.recompute) {
    const stored = storedWithSettings(db, runId, day, s);
    if (stored) return stored;
  }
  opts.progress?.(0.1, computing);
  const { date: at, tickers, part } = await explain(s);
  const result: RunExplanation = {
    runId,
    date: at,
    settings: s,
    agents: [],
    allocation: null,
    capital: null,
    concentration: dayConcentration(db, runId, at, tickers.length),
    elapsedMs: 0,
    createdAt: new Date().toISOString(),
    subject: subjectOf(db, runId, at, tickers, s.ticker),
    ...part,
  };
  result.elapsedMs = Date.now() - t0;
  storeExplanation(db, result);
  opts.progress?.(1, 'done');
  return result;
}

/** One decision's rebound state and capital cut (contract: CapitalCuts). */
export interface CapitalCutDay {
  date: string;
  capped: boolean;
  reasons: string[];
  riskyBefore: number;
  riskyAfter: number;
  phase: Record<string, string>;
  drawdown: Record<string, number>;
  rebounds: string[];
}

/**
 * A SAMP-HDRL run's own capital cuts: per decision, whether the rebound detector capped the lower agents' risky
 * capital, why, by how much (c1 + c2 before and after the cap) and the phase and drawdown of each series it watches,
 * as the run recorded them (no recomputation). Runs of other families have no days.
 * @throws Error when the run does not exist
 */
export function capitalCuts(
  db: DB,
  runId: string,
): {
  runId: string;
  strategy: string;
  windowFrom: string;
  windowTo: string;
  enabled: boolean;
  thresholds: SampDecisionDetail['rebound']['thresholds'] | null;
  days: CapitalCutDay[];
} {
  const run = getRun(db, runId);
  if (!run) throw new Error(`run ${runId} not found`);
  const details = getRunDetails(db, runId).flatMap(({ date, detail }) => {
    const d = sampDetail(detail);
    return d ? [{ date, d }] : [];
  });
  const last = details[details.length - 1]?.d;
  const series = ['market', 'ordinary', 'high'] as const;
  return {
    runId,
    strategy: run.strategy,
    windowFrom: run.windowFrom,
    windowTo: run.windowTo,
    enabled: details.some(({ d }) => d.rebound.enabled),
    thresholds: last ? { ...last.rebound.thresholds } : null,
    days: details.map(({ date, d }) => {
      const r = d.rebound;
      const phase: Record<string, string> = {};
      const drawdown: Record<string, number> = {};
      for (const k of series) {
        const st = r[k];
        if (st) {
          phase[k] = st.phase;
          drawdown[k] = st.drawdown;
        }
      }
      return {
        date,
        capped: r.capped,
        reasons: r.reasons,
        riskyBefore: d.capitalBeforeCap.c1 + d.capitalBeforeCap.c2,
        riskyAfter: d.capital.c1 + d.capital.c2,
        phase,
        drawdown,
        rebounds: series.filter((k) => r[k]?.rebound),
      };
    }),
  };
}
