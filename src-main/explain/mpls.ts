/**
 * Explanations of an MPLS decision, agent by agent (issue 19, docs/mpls.md "Explanations"), for the Agents view,
 * `hdrl explain` and the allocation report.
 *
 * Method: Kernel SHAP (shap.ts kernelShapOutputs) on the run's own ONNX policies, each agent apart, with the same
 * baseline rule as SAMP-HDRL's and HADAPS's explanations: the background is BACKGROUND_WINDOWS days spread evenly over
 * the model's training days, each with the weights the strategy itself would have held that day (its daily rule
 * replayed over the training days from an all-cash book, {@link replayMpls}); "typical" is the mean output over them.
 * Each agent's inputs are grouped into players; the inputs of one group move together, every other input of the
 * agent stays at the decision's value. Twelve players or fewer are evaluated exactly (every coalition), more are
 * sampled; either way the attributions of an output add up to the output minus its typical value.
 *
 * - Fusion agent (its module weights, the modules on): each module's proposal and each module's sector features
 *   (a player each), and the sector weights held. The on/off mask never varies.
 * - High-level agent (every sector's weight): the fused allocation (with its log, which the residual agent adds to
 *   its output), each sector's return window (a player per sector), and the sector weights held.
 * - Low-level agent of each sector of two or more stocks (the weights inside it): each member's price window (a
 *   player per member), the members' graph embeddings (one player, when the graph module is on), and the weights
 *   held inside the sector. The other sectors' inputs stay at the decision's values.
 * The module proposals, the conservative switch and the fused allocation are the decision's own records
 * (MplsDecisionDetail); a run-level summary of the fusion weights ({@link mplsFusionSummary}) reads every decision of
 * the run. The decision is reopened as the strategy made it (strategies/mpls: the model file, the modules rebuilt from
 * their artifacts, agents/mpls/env.ts MplsStates for the inputs) and `reproduced` says whether the agents, re-run on
 * the rebuilt inputs, give the weights the decision recorded.
 *
 * The plain words (second half) say what each agent did and what moved it, built from these figures only; the book
 * is split into its sectors (hadaps.ts classAttribution: sector weight × weights inside).
 *
 * Why this file is long: the opening of a stored decision (model, modules, replay, the three agents' input rows),
 * the attributions and the words read the same players and outputs, so they stay together.
 */
import type { MplsAgentAttribution, MplsExplanation, MplsFusionSummary } from '../../src-shared/contract/explain';
import {
  MPLS_MODULES,
  mplsDetail,
  type DecisionDetail,
  type MplsDecisionDetail,
  type MplsModuleName,
} from '../../src-shared/domain/decision';
import type { ClassLayout } from '../agents/hadaps/classes';
import type { MplsArtifacts } from '../agents/mpls/artifacts';
import { MplsStates, sectorHoldings, type AgentState, type MplsAgents } from '../agents/mpls/env';
import { lowInput, lowSectors, sectorCount, type MplsShape } from '../agents/mpls/network';
import { MplsPolicy } from '../agents/mpls/policy';
import type { DB } from '../store/db';
import { fileMplsModelStore } from '../store/models';
import { sentimentInput } from '../store/news';
import { getRunDetails } from '../store/runs';
import { hadapsTrade, layoutOf } from '../strategies/hadaps';
import { conservativeRule, mplsPeriods, rebuildModules, shapeOf } from '../strategies/mpls';
import { NotExplainableError } from '../strategies/samp/explainable';
import { backgroundPicks, reopenStoredDecision, replayFromCash, type ReplayDay } from '../strategies/storedDecision';
import {
  cap,
  drivers,
  pctWords,
  points,
  possessive,
  EXPLAIN_DEFAULTS,
  type ExplainSettings,
  type PortfolioAttribution,
} from './agents';
import { kernelShapOutputs, SHAP_DEFAULTS } from './shap';

/** The player of the sector weights held (fusion and high-level agents). */
export const SECTORS_HELD_PLAYER = 'sector weights held';
/** The player of the weights held inside a sector (a low-level agent). */
export const HELD_INSIDE_PLAYER = 'weights held';
/** The high-level agent's player of the fused allocation. */
export const FUSED_PLAYER = 'fused allocation';
/** A low-level agent's player of its members' graph embeddings. */
export const EMBEDDINGS_PLAYER = 'graph embeddings';
/** The fusion agent's players of a module. */
export const proposalPlayer = (m: MplsModuleName) => `${m} proposal`;
export const featuresPlayer = (m: MplsModuleName) => `${m} features`;
/** The high-level agent's player of a sector's return window. */
export const returnsPlayer = (sector: string) => `${sector} returns`;

/** How close a re-run agent's output must come to the decision's record (float32 policies, float64 records). */
const REPRODUCED = 1e-5;
/** A share or move smaller than this is not said (a twentieth of a percentage point). */
const SAY = 0.0005;
/** How many sectors a proposal's words name. */
const TOP_SECTORS = 3;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** One agent ready to be explained: its input row at the decision, the background rows, its players and outputs. */
export interface MplsAgentView {
  agent: MplsAgentAttribution['agent'];
  /** the sector of a low-level agent; null otherwise */
  sector: string | null;
  /** the names of its outputs, in the order `evaluate` gives them */
  outputs: string[];
  players: { name: string; features: number[] }[];
  x: Float64Array;
  background: Float64Array[];
  /** per row, its outputs in `outputs` order */
  evaluate(rows: readonly Float64Array[]): Float64Array[];
}

/** What {@link explainMpls} needs of an opened decision (a test may hand-build it). */
export interface MplsDecisionView {
  detail: MplsDecisionDetail;
  window: number;
  /** the model's conservative setting */
  conservativeEnabled: boolean;
  backgroundDates: string[];
  /** the fusion agent (when a module is on), the high-level agent, then each low-level agent */
  agents: MplsAgentView[];
}

/** Attribute every output of one agent over its players (file overview). */
export function explainAgent(v: MplsAgentView, settings: Partial<ExplainSettings> = {}): MplsAgentAttribution {
  const s = { ...EXPLAIN_DEFAULTS, ...settings };
  const res = kernelShapOutputs(
    {
      outputs: v.outputs.length,
      batch: (rows) => {
        const out = v.evaluate(rows);
        return v.outputs.map((_, o) => Float64Array.from(out, (r) => r[o]!));
      },
    },
    v.x,
    v.background,
    v.players.map((p) => p.features),
    { nSamples: s.nSamples, seed: s.seed, exactMaxPlayers: SHAP_DEFAULTS.exactMaxPlayers },
  );
  return {
    agent: v.agent,
    sector: v.sector,
    exact: res[0]!.exact,
    evaluations: res[0]!.evaluations,
    outputs: res.map((r, o) => {
      const sum = r.values.reduce((a, b) => a + b, 0);
      return {
        output: v.outputs[o]!,
        fx: r.fx,
        baseValue: r.baseValue,
        values: v.players.map((p, j) => ({ player: p.name, value: r.values[j]! })),
        efficiencyGap: Math.abs(sum - (r.fx - r.baseValue)),
      };
    }),
  };
}

/** Whether every explained output lands on the weight the decision recorded. */
function reproduces(
  d: MplsDecisionDetail,
  fusion: MplsAgentAttribution | null,
  high: MplsAgentAttribution,
  low: MplsAgentAttribution[],
): boolean {
  const near = (a: number, b: number | undefined) => b !== undefined && Math.abs(a - b) < REPRODUCED;
  const mods = new Map(d.modules.map((m) => [m.name as string, m.weight]));
  const sectors = new Map(d.sectors.map((c) => [c.name, c]));
  return (
    (fusion?.outputs.every((o) => near(o.fx, mods.get(o.output))) ?? true) &&
    high.outputs.every((o) => near(o.fx, sectors.get(o.output)?.weight)) &&
    low.every((l) => {
      const c = sectors.get(l.sector ?? '');
      return !!c && l.outputs.every((o) => near(o.fx, c.intra[c.tickers.indexOf(o.output)]));
    })
  );
}

/** Every agent of an MPLS decision explained, with the run's fusion summary and the words (file overview). */
export function explainMpls(
  v: MplsDecisionView,
  run: MplsFusionSummary,
  settings: Partial<ExplainSettings> = {},
): MplsExplanation {
  const d = v.detail;
  const by = (agent: MplsAgentAttribution['agent']) => v.agents.filter((a) => a.agent === agent);
  const fusionView = by('fusion')[0];
  const highView = by('high')[0];
  if (!highView) throw new Error('an MPLS decision without its high-level agent cannot be explained');
  const fusion = fusionView ? explainAgent(fusionView, settings) : null;
  const high = explainAgent(highView, settings);
  const low = by('low').map((a) => explainAgent(a, settings));
  const names = d.sectors.map((c) => c.name);
  const figures: Omit<MplsExplanation, 'words'> = {
    variant: d.variant,
    window: v.window,
    sectors: d.sectors.map((c, k) => ({
      name: c.name,
      tickers: [...c.tickers],
      fused: d.fused[k]!,
      weight: c.weight,
      intra: [...c.intra],
    })),
    modules: d.modules.map((m) => ({
      name: m.name,
      on: m.on,
      reason: m.on ? null : (m.reason ?? 'off'),
      weight: m.weight,
      typical: fusion?.outputs.find((o) => o.output === m.name)?.baseValue ?? null,
      top: m.proposal
        .map((w, k) => ({ sector: names[k]!, weight: w }))
        .sort((a, b) => b.weight - a.weight)
        .slice(0, TOP_SECTORS),
    })),
    conservative: d.volatility
      ? {
          uncertainty: d.volatility.uncertainty,
          threshold: d.volatility.threshold,
          fired: d.volatility.conservative,
          enabled: v.conservativeEnabled,
        }
      : null,
    fusion,
    high,
    low,
    backgroundDates: [...v.backgroundDates],
    reproduced: reproduces(d, fusion, high, low),
    run,
  };
  return { ...figures, words: mplsWords(figures) };
}

/**
 * The fusion agent's module weights over a run's decisions: per module its weight on each date, its mean and the
 * share of the decisions it led (had the largest weight; none leads where no module is on), and the share of the
 * decisions the volatility module made conservative.
 */
export function mplsFusionSummary(rows: readonly { date: string; detail: DecisionDetail | null }[]): MplsFusionSummary {
  const days = rows.flatMap((r) => {
    const d = mplsDetail(r.detail);
    return d ? [{ date: r.date, d }] : [];
  });
  const n = days.length;
  const led = new Array<number>(MPLS_MODULES.length).fill(0);
  for (const { d } of days) {
    let top = -1;
    d.modules.forEach((m, k) => {
      if (m.on && (top < 0 || m.weight > d.modules[top]!.weight)) top = k;
    });
    if (top >= 0) led[top]!++;
  }
  const vol = days.filter(({ d }) => d.volatility !== null);
  return {
    dates: days.map((x) => x.date),
    modules: MPLS_MODULES.map((name, k) => {
      const weights = days.map(({ d }) => d.modules.find((m) => m.name === name)?.weight ?? 0);
      return {
        name,
        on: days.some(({ d }) => d.modules.find((m) => m.name === name)?.on ?? false),
        weights,
        mean: n ? weights.reduce((a, b) => a + b, 0) / n : 0,
        led: n ? led[k]! / n : 0,
      };
    }),
    conservative: vol.length ? vol.filter(({ d }) => d.volatility!.conservative).length / vol.length : null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// A stored decision reopened

/**
 * The strategy's daily rule (strategies/mpls decide) replayed over days from..to from an all-cash book: drift the
 * last decision to the day, decide the day (MplsStates.decide), trade as decide trades (hadapsTrade). A test checks
 * that replaying a run's test window gives its stored weights.
 */
export function replayMpls(
  states: MplsStates,
  agents: MplsAgents,
  rule: Parameters<MplsStates['decide']>[3],
  closes: (d: number) => ArrayLike<number>,
  from: number,
  to: number,
  cfg: MplsArtifacts['cfg'],
): ReplayDay[] {
  return replayFromCash(states.n, closes, from, to, (t, held) =>
    hadapsTrade(states.decide(t, held, agents, rule).target, held, cfg),
  );
}

/** Every agent's input on one day with the weights `held` (the fusion's absent when no module is on). */
export interface DayInputs {
  fusion: AgentState | null;
  high: AgentState;
  low: AgentState;
}

function dayInputs(
  states: MplsStates,
  agents: MplsAgents,
  rule: Parameters<MplsStates['decide']>[3],
  t: number,
  held: Float64Array,
): DayInputs {
  const sectorsHeld = sectorHoldings(states.sh.layout, held);
  const day = states.decide(t, held, agents, rule);
  return {
    fusion: agents.fusion ? states.fusion(t, sectorsHeld) : null,
    high: states.high(t, day.fused, sectorsHeld),
    low: states.low(t, held, sectorsHeld),
  };
}

const concat = (...xs: ArrayLike<number>[]) => {
  const out = new Float64Array(xs.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const x of xs) {
    out.set(x, o);
    o += x.length;
  }
  return out;
};

/** `rows` (each `width` long, from `offset`) side by side in one float32 batch. */
function batchOf(rows: readonly Float64Array[], offset: number, width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, b) => out.set(r.subarray(offset, offset + width), b * width));
  return out;
}

/** `x` repeated `B` times. */
function repeat(x: Float32Array, B: number): Float32Array {
  const out = new Float32Array(B * x.length);
  for (let b = 0; b < B; b++) out.set(x, b * x.length);
  return out;
}

/** The agents of a decision as {@link MplsAgentView}s (their players, rows and evaluators; file overview). */
export function agentViews(
  sh: MplsShape,
  tickers: readonly string[],
  policy: Pick<MplsPolicy, 'runAgent'>,
  x: DayInputs,
  background: readonly DayInputs[],
): MplsAgentView[] {
  const S = sectorCount(sh);
  const L = sh.cfg.window;
  const layout = sh.layout;
  const names = layout.classes.map((c) => c.name);
  const out: MplsAgentView[] = [];

  if (x.fusion) {
    // f = [proposals 3 x S, the modules' sector features (modules on), sector weights held S, mask 3]
    const F = x.fusion.f!.length;
    const mask = x.fusion.mask!;
    const players: MplsAgentView['players'] = [];
    let o = MPLS_MODULES.length * S;
    MPLS_MODULES.forEach((m, k) => {
      if (!sh.on[k]) return;
      players.push({ name: proposalPlayer(m), features: range(S).map((c) => k * S + c) });
    });
    MPLS_MODULES.forEach((m, k) => {
      const w = sh.sectorWidths[k]! * S;
      if (!sh.on[k] || !w) return;
      players.push({ name: featuresPlayer(m), features: range(w).map((j) => o + j) });
      o += w;
    });
    players.push({ name: SECTORS_HELD_PLAYER, features: range(S).map((c) => o + c) });
    const on = MPLS_MODULES.flatMap((m, k) => (sh.on[k] ? [{ m, k }] : []));
    out.push({
      agent: 'fusion',
      sector: null,
      outputs: on.map((q) => q.m),
      players,
      x: Float64Array.from(x.fusion.f!),
      background: background.map((b) => Float64Array.from(b.fusion!.f!)),
      evaluate: (rows) => {
        const B = rows.length;
        const w = policy.runAgent('fusion', { f: batchOf(rows, 0, F), mask: repeat(mask, B) }, B);
        return rows.map((_, b) => Float64Array.from(on, (q) => w[b * MPLS_MODULES.length + q.k]!));
      },
    });
  }

  // high row = [h (fused S, return windows S x L, sector weights held S), log(fused) S when residual]
  const H = x.high.h!.length;
  const residual = x.high.logFused !== undefined;
  const highRow = (s: AgentState) => (residual ? concat(s.h!, s.logFused!) : Float64Array.from(s.h!));
  out.push({
    agent: 'high',
    sector: null,
    outputs: names,
    players: [
      { name: FUSED_PLAYER, features: [...range(S), ...(residual ? range(S).map((c) => H + c) : [])] },
      ...names.map((nm, c) => ({ name: returnsPlayer(nm), features: range(L).map((j) => S + c * L + j) })),
      { name: SECTORS_HELD_PLAYER, features: range(S).map((c) => S + S * L + c) },
    ],
    x: highRow(x.high),
    background: background.map((b) => highRow(b.high)),
    evaluate: (rows) => {
      const B = rows.length;
      const st: AgentState = { h: batchOf(rows, 0, H) };
      if (residual) st.logFused = batchOf(rows, H, S);
      const w = policy.runAgent('high', st, B);
      return rows.map((_, b) => Float64Array.from(w.subarray(b * S, (b + 1) * S)));
    },
  });

  // each low-level agent: s_c = [price windows m x L, graph embeddings m x G, weights held inside m]
  const G = sh.assetWidth;
  const sectors = lowSectors(sh);
  const M = sectors.reduce((a, c) => a + c.members.length, 0);
  let offset = 0;
  for (const c of sectors) {
    const m = c.members.length;
    const key = lowInput(c.sector);
    const W = x.low[key]!.length;
    const at = offset;
    offset += m;
    out.push({
      agent: 'low',
      sector: names[c.sector]!,
      outputs: c.members.map((i) => tickers[i]!),
      players: [
        ...c.members.map((i, k) => ({ name: tickers[i]!, features: range(L).map((j) => k * L + j) })),
        ...(G ? [{ name: EMBEDDINGS_PLAYER, features: range(m * G).map((j) => m * L + j) }] : []),
        { name: HELD_INSIDE_PLAYER, features: range(m).map((k) => m * (L + G) + k) },
      ],
      x: Float64Array.from(x.low[key]!),
      background: background.map((b) => Float64Array.from(b.low[key]!)),
      evaluate: (rows) => {
        const B = rows.length;
        const st: AgentState = {};
        for (const [k, v] of Object.entries(x.low)) st[k] = k === key ? batchOf(rows, 0, W) : repeat(v, B);
        const w = policy.runAgent('low', st, B);
        return rows.map((_, b) => Float64Array.from(w.subarray(b * M + at, b * M + at + m)));
      },
    });
  }
  return out;
}

/** A stored MPLS decision, reopened for explanation. */
export interface OpenedMplsDecision extends MplsDecisionView {
  date: string;
  tickers: string[];
  layout: ClassLayout;
  close(): Promise<void>;
}

/**
 * Open an MPLS run's decision at `date` (default: its last) for explanation: the model by the key the decision
 * records, the universe's closes up to that day (its stocks the model's), the modules rebuilt from their artifacts
 * (the sentiment module from the universe's stored news, as the backtest reads them), the weights held the previous
 * stored decision drifted to the day, and the background days from a replay over the training days.
 * @throws NotExplainableError when the run, the decision or its model is missing, the decision is not MPLS's, or the
 *   universe no longer holds the model's stocks
 */
export async function openMplsDecision(db: DB, runId: string, date?: string): Promise<OpenedMplsDecision> {
  const {
    run,
    at,
    detail,
    model: m,
    prices,
    t,
    trainStart,
    trainEnd,
    held,
  } = await reopenStoredDecision(db, runId, date, {
    runs: 'an MPLS run',
    detail: mplsDetail,
    store: fileMplsModelStore,
  });
  const layout = layoutOf(m, m.tickers);
  const news = m.modules.sentiment ? sentimentInput(db, run.universe) : null;
  const mods = rebuildModules(m, prices, layout, news);
  const dispose = () => {
    for (const mod of Object.values(mods.on)) (mod as { dispose?: () => void }).dispose?.();
  };
  let policy: MplsPolicy | null = null;
  try {
    const sh = shapeOf(m.cfg, layout, m.modules, mods.on);
    const closes = (d: number) => prices.close[d]!;
    const states = new MplsStates(sh, closes, mods.on, m.cfg);
    policy = await MplsPolicy.open(m.onnx, sh);
    const agents = policy.agents();
    const rule = conservativeRule(m.cfg, mods.vol, m.modules.volatility);
    const first = Math.max(
      mplsPeriods(m.cfg, { trainStart, trainEnd, testStart: trainEnd + 1 }).first,
      states.firstDay,
      1,
    );
    if (first > trainEnd)
      throw new NotExplainableError(`the model of run ${runId} has no training day its modules can read`);
    const replay = replayMpls(states, agents, rule, closes, first, trainEnd, m.cfg);
    const picks = backgroundPicks(replay.length);
    const background = picks.map((b) => dayInputs(states, agents, rule, replay[b]!.day, replay[b]!.held));
    const x = dayInputs(states, agents, rule, t, held);
    const p = policy;
    return {
      date: at.date,
      detail,
      tickers: [...m.tickers],
      layout,
      window: m.cfg.window,
      conservativeEnabled: m.cfg.conservative,
      backgroundDates: picks.map((b) => prices.dates[replay[b]!.day]!),
      agents: agentViews(sh, m.tickers, p, x, background),
      close: async () => {
        dispose();
        await p.dispose();
      },
    };
  } catch (e) {
    dispose();
    await policy?.dispose();
    throw e;
  }
}

/** Open a stored MPLS decision and explain it (runExplain.ts stores the result). */
export async function explainStoredMpls(
  db: DB,
  runId: string,
  date: string | undefined,
  settings: Partial<ExplainSettings> = {},
): Promise<{ date: string; tickers: string[]; explanation: MplsExplanation }> {
  const ex = await openMplsDecision(db, runId, date);
  try {
    const run = mplsFusionSummary(getRunDetails(db, runId));
    return { date: ex.date, tickers: ex.tickers, explanation: explainMpls(ex, run, settings) };
  } finally {
    await ex.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// The decision as a PM reads it

type Figures = Omit<MplsExplanation, 'words'>;

/** What each module's sector features are (modules.ts; the module files say how they are formed). */
const FEATURE_WORDS: Record<MplsModuleName, string> = {
  volatility: "the volatility module's forecasts and their uncertainty",
  graph: "the graph module's sector scores",
  sentiment: 'the sentiment index and its news counts',
};

/** A player of an agent as a PM reads it. */
function playerWords(p: string, agent: MplsAgentAttribution, subject?: string): string {
  if (p === SECTORS_HELD_PLAYER) return 'the sector weights held';
  if (agent.agent === 'fusion') {
    const [m, what] = p.split(' ') as [MplsModuleName, string];
    return what === 'proposal' ? `the ${m} module's proposal` : FEATURE_WORDS[m];
  }
  if (agent.agent === 'high') {
    if (p === FUSED_PLAYER) return 'the fused allocation';
    return `${possessive(p.replace(/ returns$/, ''))} recent returns`;
  }
  if (p === EMBEDDINGS_PLAYER) return "the stocks' graph embeddings";
  if (p === HELD_INSIDE_PLAYER) return `the weights held in ${agent.sector}`;
  return p === subject ? 'its own price path' : `${possessive(p)} price path`;
}

const list = (xs: string[]) =>
  xs.length > 1 ? `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]!}` : (xs[0] ?? '');

/** The reason of an off module, without the strategy's note on the equal fused allocation (said once instead). */
const offReason = (r: string | null) =>
  (r ?? 'off').replace(/; with no module on, the fused allocation is equal over the sectors$/, '');

/** Which modules led the fusion over a run, in words ("graph led on every day", "graph led on 60% of the days and ..."). */
function ledWords(mods: readonly { name: string; led: number }[]): string {
  const led = mods.filter((m) => m.led > 0).sort((a, b) => b.led - a.led);
  if (led.length === 1 && led[0]!.led >= 1) return `${led[0]!.name} led on every one of them`;
  return list(led.map((m) => `${m.name} led on ${pctWords(m.led, 0)} of them`));
}

/** The sectors that depart most from the fused allocation, largest departure first. */
function departures(e: Figures): { name: string; fused: number; weight: number; gap: number }[] {
  return e.sectors
    .map((c) => ({ name: c.name, fused: c.fused, weight: c.weight, gap: c.weight - c.fused }))
    .filter((c) => Math.abs(c.gap) >= SAY)
    .sort((a, b) => Math.abs(b.gap) - Math.abs(a.gap));
}

/**
 * The three agents in plain words (file overview): the fusion agent (its module weights and why, each module's
 * proposal, the conservative switch, the run's weights over time), the high-level agent (its largest departures from
 * the fused allocation and what moved the largest) and the low-level agents of the largest sectors (their largest
 * weights inside and what moved the largest). Percentages are of the book unless said "inside"; points are
 * percentage points against the typical training day.
 */
export function mplsWords(e: Figures): MplsExplanation['words'] {
  const fusion: string[] = [];
  const on = e.modules.filter((m) => m.on);
  const off = e.modules.filter((m) => !m.on);
  if (!on.length)
    fusion.push(
      `No module is on (${off.map((m) => `${m.name}: ${offReason(m.reason)}`).join('; ')}): there is nothing to fuse, so the fused allocation is equal over the ${e.sectors.length} sectors.`,
    );
  else {
    const weights = [...on]
      .sort((a, b) => b.weight - a.weight)
      .map((m) => `the ${m.name} module ${pctWords(m.weight)}`);
    fusion.push(
      `The fusion agent weighs ${list(weights)}${off.map((m) => `; the ${m.name} module is off (${offReason(m.reason)})`).join('')}.`,
    );
    for (const m of on)
      fusion.push(
        `The ${m.name} module's own proposal puts the most in ${list(m.top.filter((s) => s.weight >= SAY).map((s) => `${s.sector} (${pctWords(s.weight)})`))}.`,
      );
    const lead = e.fusion?.outputs.reduce((a, b) => (b.fx > a.fx ? b : a));
    if (on.length === 1) fusion.push(`With one module on, its weight is 100% whatever the day.`);
    else if (lead && e.fusion) {
      const why = drivers(lead.values, (p) => playerWords(p, e.fusion!));
      if (why && Math.abs(lead.fx - lead.baseValue) >= SAY)
        fusion.push(
          `The ${lead.output} module's weight is ${pctWords(lead.fx)} against ${pctWords(lead.baseValue)} on a typical training day, moved mostly by ${why}.`,
        );
    }
  }
  const c = e.conservative;
  if (c) {
    const above = c.uncertainty > c.threshold;
    const fig = `the volatility forecast's uncertainty (${c.uncertainty.toFixed(3)}) was ${above ? 'above' : 'not above'} its threshold (${c.threshold.toFixed(3)})`;
    fusion.push(
      cap(
        c.fired
          ? `${fig}, so the fused allocation was made conservative: mixed with inverse-variance sector weights.`
          : above && !c.enabled
            ? `${fig}, but this model's conservative switch is off: the fused allocation stands.`
            : `${fig}: the fused allocation is the modules' proposals as the fusion agent weighed them.`,
      ),
    );
  }
  const r = e.run;
  const n = r.dates.length;
  const runOn = r.modules.filter((m) => m.on);
  if (n > 1 && runOn.length > 1)
    fusion.push(
      `Over the run's ${n} decisions the fusion agent's weights averaged ${list(runOn.map((m) => `${m.name} ${pctWords(m.mean)}`))}; ${ledWords(runOn)}${r.conservative !== null && r.conservative > 0 ? `, and the allocation was made conservative on ${pctWords(r.conservative, 0)} of them` : ''}.`,
    );

  const high: string[] = [];
  const dep = departures(e);
  if (!dep.length)
    high.push(
      `The high-level agent keeps the fused allocation: no sector's weight departs from it by 0.05 points or more.`,
    );
  else {
    high.push(
      `The high-level agent departs from the fused allocation most in ${list(dep.slice(0, 3).map((s) => `${s.name} (${pctWords(s.weight)} against ${pctWords(s.fused)} fused, ${points(s.gap)})`))}.`,
    );
    const o = e.high.outputs.find((x) => x.output === dep[0]!.name);
    const why = o ? drivers(o.values, (p) => playerWords(p, e.high)) : '';
    if (o && why)
      high.push(
        `${possessive(o.output)} ${pctWords(o.fx)} (typical ${pctWords(o.baseValue)}) was moved mostly by ${why}.`,
      );
  }

  const low: string[] = [];
  const bySize = [...e.low].sort(
    (a, b) =>
      (e.sectors.find((s) => s.name === b.sector)?.weight ?? 0) -
      (e.sectors.find((s) => s.name === a.sector)?.weight ?? 0),
  );
  for (const l of bySize.slice(0, 3)) {
    const s = e.sectors.find((x) => x.name === l.sector)!;
    const top = [...l.outputs].sort((a, b) => b.fx - a.fx);
    const why = drivers(top[0]!.values, (p) => playerWords(p, l, top[0]!.output));
    low.push(
      `Inside ${s.name} (${pctWords(s.weight)} of the book) the low-level agent gives ${list(top.slice(0, 3).map((o) => `${o.output} ${pctWords(o.fx)}`))}${why ? `; ${possessive(top[0]!.output)} weight inside (typical ${pctWords(top[0]!.baseValue)}) was moved mostly by ${why}` : ''}.`,
    );
  }
  const single = e.sectors.filter((s) => s.tickers.length === 1);
  if (single.length)
    low.push(
      `${list(single.map((s) => `${s.name} (${s.tickers[0]!})`))} ${single.length > 1 ? 'hold one stock each' : 'holds one stock'}: no low-level agent there.`,
    );
  return { fusion, high, low };
}

/**
 * The asset's sentences: its weight as sector weight × weight inside, the trade rule's part, what moved its
 * sector's weight (high-level agent) and its weight inside (its sector's low-level agent). From the stored figures
 * and the book split into sectors only.
 */
export function mplsAssetWords(e: MplsExplanation, subject: string, book: PortfolioAttribution): string[] {
  const out: string[] = [];
  const s = e.sectors.find((c) => c.tickers.includes(subject));
  const row = book.assets.find((a) => a.ticker === subject);
  if (!s || !row) return out;
  const inside = s.intra[s.tickers.indexOf(subject)]!;
  const target = s.weight * inside;
  out.push(
    s.tickers.length === 1
      ? `${subject}'s ${pctWords(row.weight)} is ${possessive(s.name)} ${pctWords(s.weight)} of the book: it is the sector's only stock.`
      : `${subject}'s ${pctWords(row.weight)} is ${possessive(s.name)} ${pctWords(s.weight)} of the book × ${pctWords(inside)} inside ${s.name}.`,
  );
  if (Math.abs(row.weight - target) >= SAY)
    out.push(
      `The trade rule leaves it ${points(row.weight - target)} from the agents' ${pctWords(target)}: the book moves only part of the way to the target each day (the trade rate) and skips trades smaller than the no-trade band, so part of the weight stays as held.`,
    );
  const h = e.high.outputs.find((o) => o.output === s.name);
  const hw = h ? drivers(h.values, (p) => playerWords(p, e.high)) : '';
  if (h && hw)
    out.push(
      `The high-level agent gives ${s.name} ${pctWords(h.fx)} against ${pctWords(s.fused)} in the fused allocation (typical ${pctWords(h.baseValue)}), mainly because of ${hw}.`,
    );
  const l = e.low.find((x) => x.sector === s.name);
  const o = l?.outputs.find((x) => x.output === subject);
  const lw = l && o ? drivers(o.values, (p) => playerWords(p, l, subject)) : '';
  if (o && lw)
    out.push(
      `Inside ${s.name}, ${possessive(subject)} ${pctWords(o.fx)} (typical ${pctWords(o.baseValue)}) came mostly from ${lw}.`,
    );
  return out;
}
