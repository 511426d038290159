/**
 * Explanations of a three-level decision, level by level (issue 20, docs/three-level.md "The desk"), in plain words
 * for the Agents view and `hdrl explain`:
 *
 * - Level 1, strategic: the decision in force (made on the last strategic decision day), what decided it (a fixed
 *   rule, or the learned policy of three-level/learned-strategic, with what it reads and is rewarded for) and, for
 *   the inverse-volatility rule, the volatility it read for each class — the daily volatility of the class's
 *   equal-weight basket over the trailing strategic period, up to that day (signals.ts); for a learned policy with
 *   macro inputs, the series it read on that day (recorded in the decision detail) and what each stood at.
 * - Level 2, tactical: the tilts in force, the class signals the policy read on its decision day (trend over 21 and
 *   63 days, volatility, drawdown) and an attribution of each class's tilt to four groups of its inputs: trend (both
 *   returns), volatility, drawdown and the book (the class's weight held and its distance from the strategic weight;
 *   the strategic weight itself and the cash flag stay at the decision's values). The attribution is EXACT Shapley
 *   values (shap.ts kernelShapOutputs, four players: every coalition is evaluated) on the run's own ONNX policy,
 *   with the tilts bounded as the strategy bounds them (tilts.ts boundTilts: the projection couples the classes, so
 *   a group's value for one class includes what the group did to the others). A group is one signal across every
 *   class: "trend" is the trend of every class. The baseline is a typical month: the same strategic target, the
 *   signals of the training window's last months (one every tactical period back from its end, at most
 *   {@link BACKGROUND_MONTHS}), and the book on its strategic target. Tilts fixed at zero (the no-tactical ablation)
 *   have nothing to attribute; two-levels has no tactical level at all.
 * - Level 3, execution: on the decision day, each asset's gap (the period's target, drifted with prices as the
 *   execution level's paper portfolio, minus the book before the trade), the fraction of it traded, and what is left,
 *   with the days left until the next target.
 *
 * The book-level part (the ExplanationView's `portfolio`) splits the book into its classes: each class's weight in
 * the book times the weights inside it.
 *
 * Why this file is long: the three levels' figures, their words and the opening of a stored decision (rebuilding
 * the states the policy read on the tactical day) are one explanation; the words read the figures' fields one by
 * one, so they stay next to them.
 */
import type { ThreeLevelExplanation } from '../../src-shared/contract/explain';
import {
  classMembers,
  driftInPlace,
  levelDecisionDays,
  targetWeights,
  threeLevelDetail,
} from '../../src-shared/charts/threeLevel';
import { CASH_CLASS_NAME } from '../../src-shared/charts/classes';
import type { ThreeLevelDecisionDetail } from '../../src-shared/domain/decision';
import type { ClassLayout } from '../agents/hadaps/classes';
import { basketDailyReturns, classSignals, type ClassSignals } from '../agents/threelevel/signals';
import { TACTICAL_FEATURE_COUNT, tacticalFeatures } from '../agents/threelevel/tactical-env';
import { TacticalPolicy } from '../agents/threelevel/tactical-network';
import { boundTilts } from '../agents/threelevel/tilts';
import { driftWeights } from '../agents/samp/trading';
import { sampleStd } from '../metrics';
import type { DB } from '../store/db';
import { fileThreeLevelModelStore, modelsDir } from '../store/models';
import { loadPriceMatrix } from '../store/prices';
import { getRun, getRunDetails, getRunWeightSeries } from '../store/runs';
import { threeLevelConfigsFromParams } from '../strategies/threelevel/params';
import { NotExplainableError } from '../strategies/samp/explainable';
import { bookParts, cap, type PortfolioAttribution } from './agents';
import { kernelShapOutputs } from './shap';

/** The signal groups a tilt is attributed to, and the entries of a class state (tactical-env.ts) each holds. */
export const TILT_PLAYERS = [
  { name: 'trend', features: [0, 1] },
  { name: 'volatility', features: [2] },
  { name: 'drawdown', features: [3] },
  { name: 'book', features: [5, 6] },
] as const;

/** At most this many training months make the typical month. */
export const BACKGROUND_MONTHS = 12;

/** How close the re-run policy's tilts must come to the recorded ones (the states are rebuilt in float64, run in float32). */
const REPRODUCED = 1e-6;

/** A tilt or gap smaller than this is said to be none (a hundredth of a percentage point). */
const NOTHING = 1e-4;

type Decider = ThreeLevelExplanation['strategic']['decider'];
type ThreeLevelMacro = NonNullable<ThreeLevelDecisionDetail['macro']>;

/** A recorded decider (domain/decision.ts ThreeLevelDecider) as the explanation names it. */
function deciderOf(x: ThreeLevelDecisionDetail['levels']['strategic']): Decider {
  return 'rule' in x
    ? { kind: 'rule', rule: x.rule }
    : { kind: 'model', key: x.key, trainedFrom: x.trainedFrom, trainedTo: x.trainedTo };
}

/** Everything {@link explainThreeLevel} reads about one decision (the loader below builds it; a test may by hand). */
export interface ThreeLevelDecisionInputs {
  detail: ThreeLevelDecisionDetail;
  /** the run's tickers (the order of every weight vector here) */
  tickers: readonly string[];
  strategic: {
    date: string;
    daysAgo: number;
    /** the trailing days the rule read, and each risky class's basket volatility over them (null: too short) */
    window: number;
    volatility: (number | null)[];
  };
  /** null: the variant has no tactical level */
  tactical: {
    date: string;
    daysAgo: number;
    nextIn: number;
    maxTilt: number;
    /** the decision of the tactical day (its tilts and strategic weights are those in force) */
    detail: ThreeLevelDecisionDetail;
    /** each risky class's signals on the tactical day */
    signals: ClassSignals[];
    /** the learned policy's part; null when the tilts are fixed at zero */
    policy: {
      /** every class's state on the tactical day, [K x F] flattened */
      x: Float64Array;
      background: Float64Array[];
      backgroundDates: string[];
      /** the raw tilts (each in (−1, 1)) of `batch` class states [batch x F] */
      rawTilts: (states: Float32Array) => Float32Array;
    } | null;
  } | null;
  execution: {
    horizon: number;
    /** trading days left in the execution period including today; null when none is open */
    daysLeft: number | null;
    /** the book before the trade (the previous decision drifted to today), the target drifted to today, the book after */
    before: Float64Array;
    paper: Float64Array;
    after: Float64Array;
  };
}

/** The bounded tilts of every class for a batch of rows of class states (the strategy's rule). */
function boundedTiltsOf(
  rows: readonly Float64Array[],
  K: number,
  strategic: readonly number[],
  maxTilt: number,
  rawTilts: (states: Float32Array) => Float32Array,
): Float64Array[] {
  const F = TACTICAL_FEATURE_COUNT;
  const all = new Float32Array(rows.length * K * F);
  rows.forEach((r, b) => all.set(r, b * K * F));
  const raw = rawTilts(all);
  const out = Array.from({ length: K }, () => new Float64Array(rows.length));
  rows.forEach((_, b) => {
    const tilts = boundTilts(
      strategic,
      Array.from(raw.subarray(b * K, (b + 1) * K), (a) => maxTilt * a),
      maxTilt,
    );
    for (let k = 0; k < K; k++) out[k]![b] = tilts[k]!;
  });
  return out;
}

const half = (xs: Iterable<number>) => {
  let s = 0;
  for (const x of xs) s += Math.abs(x);
  return s / 2;
};

/** Explain a three-level decision (file overview); the words are {@link threeLevelWords}'. */
export function explainThreeLevel(x: ThreeLevelDecisionInputs): ThreeLevelExplanation {
  const d = x.detail;
  const n = x.tickers.length;
  const strategic: ThreeLevelExplanation['strategic'] = {
    date: x.strategic.date,
    daysAgo: x.strategic.daysAgo,
    nextIn: d.nextStrategicIn,
    decider: deciderOf(d.levels.strategic),
    window: x.strategic.window,
    classes: d.classes.map((c, k) => ({
      name: c.name,
      weight: c.strategic,
      volatility: c.tickers.length ? (x.strategic.volatility[k] ?? null) : null,
    })),
  };
  let tactical: ThreeLevelExplanation['tactical'] = null;
  if (x.tactical) {
    const t = x.tactical;
    const td = t.detail;
    const K = td.classes.length;
    const s = td.classes.map((c) => c.strategic);
    let attribution: (ThreeLevelExplanation['tactical'] & object)['classes'][number]['attribution'][] = td.classes.map(
      () => null,
    );
    let reproduced: boolean | null = null;
    const p = t.policy;
    if (p) {
      const F = TACTICAL_FEATURE_COUNT;
      const players = TILT_PLAYERS.map((g) => td.classes.flatMap((_, k) => g.features.map((f) => k * F + f)));
      const res = kernelShapOutputs(
        { outputs: K, batch: (rows) => boundedTiltsOf(rows, K, s, t.maxTilt, p.rawTilts) },
        p.x,
        p.background,
        players,
        { exactMaxPlayers: TILT_PLAYERS.length },
      );
      reproduced = res.every((r, k) => Math.abs(r.fx - td.classes[k]!.tilt) < REPRODUCED);
      attribution = res.map((r) => {
        const sum = Array.from(r.values).reduce((a, b) => a + b, 0);
        return {
          baseValue: r.baseValue,
          values: TILT_PLAYERS.map((g, j) => ({ player: g.name, value: r.values[j]! })),
          efficiencyGap: Math.abs(sum - (r.fx - r.baseValue)),
        };
      });
    }
    tactical = {
      date: t.date,
      daysAgo: t.daysAgo,
      nextIn: t.nextIn,
      decider: deciderOf(d.levels.tactical),
      maxTilt: t.maxTilt,
      classes: td.classes.map((c, k) => ({
        name: c.name,
        strategic: c.strategic,
        tilt: c.tilt,
        target: c.target,
        signals: c.tickers.length && t.signals[k] ? { ...t.signals[k] } : null,
        attribution: attribution[k] ?? null,
      })),
      backgroundDates: p ? [...p.backgroundDates] : [],
      reproduced,
    };
  }
  const e = x.execution;
  const classOf = new Map(d.classes.flatMap((c) => c.tickers.map((tk) => [tk, c.name] as const)));
  const assets = x.tickers.map((ticker, i) => ({
    ticker,
    className: classOf.get(ticker) ?? '',
    gapBefore: e.paper[i]! - e.before[i]!,
    fraction: d.fractions[i] ?? 0,
    traded: e.after[i]! - e.before[i]!,
    gapAfter: e.paper[i]! - e.after[i]!,
  }));
  const execution: ThreeLevelExplanation['execution'] = {
    decider: deciderOf(d.levels.execution),
    horizon: e.horizon,
    daysLeft: e.daysLeft,
    assets,
    gapBefore: half(Array.from({ length: n + 1 }, (_, i) => e.paper[i]! - e.before[i]!)),
    gapAfter: half(Array.from({ length: n + 1 }, (_, i) => e.paper[i]! - e.after[i]!)),
    traded: half(Array.from({ length: n }, (_, i) => e.after[i]! - e.before[i]!)) + 0,
  };
  const out = {
    variant: d.variant,
    strategic,
    tactical,
    execution,
    words: { strategic: [], tactical: [], execution: [] },
  };
  return { ...out, words: threeLevelWords(out, d.macro) };
}

// ---------------------------------------------------------------------------------------------------------
// Words

/** A weight: "12.3%". */
const pw = (v: number, digits = 1) => `${(Math.abs(v) < 0.5 * 10 ** -(digits + 2) ? 0 : v * 100).toFixed(digits)}%`;
/** A change of weight in percentage points, two decimals (tilts are small): "+0.25 points". */
/** A signed change in points of the book, rounded first so that a gap under half a hundredth reads +0.00, never −0.00. */
const pts = (v: number) => {
  const r = Number((v * 100).toFixed(2));
  return `${r >= 0 ? '+' : '−'}${Math.abs(r).toFixed(2)} points`;
};
/** "in 1 trading day", "in 12 trading days" */
const days = (k: number) => `${k} trading day${k === 1 ? '' : 's'}`;
const PLAYER_WORDS: Record<string, string> = {
  trend: 'the trend signals (21- and 63-day returns)',
  volatility: 'the volatility signals',
  drawdown: 'the drawdown signals',
  book: "the book's distance from the strategic weights",
};
const list = (xs: string[]) =>
  xs.length > 1 ? `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]!}` : (xs[0] ?? '');

function deciderWords(x: Decider, what: string): string {
  if (x.kind === 'model')
    return `the learned ${what} policy (model ${x.key.slice(0, 12)}, trained ${x.trainedFrom} – ${x.trainedTo})`;
  return x.rule === 'inverse-volatility'
    ? 'the fixed inverse-volatility rule'
    : x.rule === 'equal'
      ? 'the fixed equal-weight rule'
      : x.rule === 'linear'
        ? 'the linear schedule (1 / days left of each gap a day)'
        : x.rule === 'trade-at-once'
          ? 'trade-at-once (the whole gap on the first day)'
          : `the rule "${x.rule}"`;
}

/** What Level 1 read of its macro series, in one sentence. */
function macroWords(m: ThreeLevelMacro): string {
  const one = (r: (typeof m.series)[number]) =>
    r.value === null || r.date === null
      ? `${r.name} (no value yet, read as 0)`
      : `${r.name} at ${r.value.toPrecision(4)} on ${r.date} (${r.change >= 0 ? '+' : '−'}${Math.abs(r.change).toFixed(3)} in log terms over the trailing year, z-score ${r.z >= 0 ? '+' : '−'}${Math.abs(r.z).toFixed(2)} against it)`;
  return `It also read ${m.series.length === 1 ? 'the macro series' : `${m.series.length} macro series`} of universe ${m.universe}, each as it stood on or before that day: ${list(m.series.map(one))}.`;
}

/**
 * The three levels in plain words (file overview), from an explanation's figures and, for a learned Level 1 with
 * macro inputs, the series it read (the decision detail's `macro`, which the figures do not repeat).
 */
export function threeLevelWords(
  e: Omit<ThreeLevelExplanation, 'words'>,
  macro?: ThreeLevelMacro,
): ThreeLevelExplanation['words'] {
  const st = e.strategic;
  const risky = st.classes.filter((c) => c.name !== CASH_CLASS_NAME);
  const byWeight = [...risky].sort((a, b) => b.weight - a.weight);
  const when = (date: string, ago: number, next: number | null, what: string) =>
    `on ${date} (${ago > 0 ? `${days(ago)} ago` : 'today'}${next !== null ? `; the next ${what} decision comes in ${days(next)}` : ''})`;
  const strategic = [
    `Level 1 (strategic), by ${deciderWords(st.decider, 'strategic')}, set the class weights ${when(st.date, st.daysAgo, st.nextIn, 'strategic')}.`,
  ];
  const volText = (c: (typeof st.classes)[number]) =>
    c.volatility !== null ? ` (volatility ${pw(c.volatility, 2)} a day)` : '';
  if (st.decider.kind === 'rule' && st.decider.rule === 'inverse-volatility' && byWeight.length > 1) {
    const top = byWeight
      .slice(0, Math.min(2, byWeight.length - 1))
      .map((c) => `${c.name} ${pw(c.weight)}${volText(c)}`);
    const low = byWeight[byWeight.length - 1]!;
    strategic.push(
      `Each class's weight is proportional to 1 / the daily volatility of its equal-weight basket over the last ${st.window} days, so calmer classes weigh more: the largest ${top.length > 1 ? 'are' : 'is'} ${list(top)}; the smallest is ${low.name} ${pw(low.weight)}${volText(low)}.`,
    );
  } else if (byWeight.length)
    strategic.push(
      `The weights: ${list(byWeight.slice(0, 4).map((c) => `${c.name} ${pw(c.weight)}`))}${byWeight.length > 4 ? ` and ${byWeight.length - 4} more` : ''}.`,
    );
  if (st.decider.kind === 'model')
    strategic.push(
      "The policy read the market's trend and volatility regimes (as the Regimes view labels them), each class's trend, volatility and drawdown over the trailing year and the book's class weights; it was trained to maximise a year's return minus a penalty on the year's variance.",
    );
  if (macro) strategic.push(macroWords(macro));
  const cash = st.classes.find((c) => c.name === CASH_CLASS_NAME);
  if (cash && cash.weight === 0) strategic.push('The strategic book is fully invested: cash gets 0.');
  else if (cash && st.decider.kind === 'model') strategic.push(`Cash gets ${pw(cash.weight)} of the strategic book.`);

  const tactical: string[] = [];
  const t = e.tactical;
  if (!t)
    tactical.push(
      'This ablation has no tactical level: the execution level trades towards the strategic weights, set once a year, and the book drifts in between.',
    );
  else if (t.decider.kind === 'rule')
    tactical.push(
      `Level 2 (tactical) is switched off in this ablation: the tilts are 0, so the month's target set ${when(t.date, t.daysAgo, t.nextIn, 'tactical')} is the strategic weights again.`,
    );
  else {
    const moved = [...t.classes].sort((a, b) => Math.abs(b.tilt) - Math.abs(a.tilt));
    const biggest = moved[0];
    tactical.push(
      `Level 2 (tactical), by ${deciderWords(t.decider, 'tactical')}, decided the tilts of at most ±${pw(t.maxTilt, 0)} a class ${when(t.date, t.daysAgo, t.nextIn, 'tactical')}.`,
    );
    if (!biggest || Math.abs(biggest.tilt) < NOTHING)
      tactical.push(
        `It left every class within ${pts(NOTHING).replace('+', '')} of its strategic weight: in effect no tilt this month.`,
      );
    else {
      const shown = moved.filter((c) => Math.abs(c.tilt) >= NOTHING).slice(0, 3);
      tactical.push(
        `It tilted ${list(shown.map((c) => `${c.name} ${pts(c.tilt)} (to ${pw(c.target, 2)})`))}${moved.filter((c) => Math.abs(c.tilt) >= NOTHING).length > 3 ? ', and the other classes less' : ''}.`,
      );
      const sg = biggest.signals;
      if (sg)
        tactical.push(
          `${biggest.name}'s signals that day: ${pw(sg.trendShort)} over 21 days and ${pw(sg.trendLong)} over 63, a daily volatility of ${pw(sg.volatility, 2)}, ${sg.drawdown < -NOTHING ? `${pw(-sg.drawdown)} below its 252-day high` : 'at its 252-day high'}.`,
        );
      const a = biggest.attribution;
      if (a) {
        const drivers = [...a.values]
          .filter((v) => Math.abs(v.value) >= NOTHING / 10)
          .sort((p, q) => Math.abs(q.value) - Math.abs(p.value))
          .slice(0, 2)
          .map((v) => `${PLAYER_WORDS[v.player] ?? v.player} (${pts(v.value)})`);
        if (drivers.length)
          tactical.push(
            `Against a typical month (the same strategic weights, the training period's signals, the book on target), whose tilt of ${biggest.name} is ${pts(a.baseValue)}, it came mostly from ${list(drivers)}.`,
          );
      }
    }
    // which signal group moved the tilts most over all classes (half the summed absolute attribution)
    const total = TILT_PLAYERS.map((g) => ({
      player: g.name,
      moved: half(t.classes.map((c) => c.attribution?.values.find((v) => v.player === g.name)?.value ?? 0)),
    }))
      .filter((g) => g.moved >= NOTHING / 10)
      .sort((p, q) => q.moved - p.moved);
    if (total.length && biggest && Math.abs(biggest.tilt) >= NOTHING)
      tactical.push(
        `Over every class, the tilts moved most with ${PLAYER_WORDS[total[0]!.player]} (${pts(total[0]!.moved).replace('+', '')} of the book)${total[1] ? `, then ${PLAYER_WORDS[total[1].player]} (${pts(total[1].moved).replace('+', '')})` : ''}.`,
      );
    if (t.reproduced === false)
      tactical.push(
        'The stored model, re-run on the states rebuilt from the data, does not give the recorded tilts: the attribution explains another decision and is not said.',
      );
  }

  const x = e.execution;
  const execution: string[] = [];
  const by = deciderWords(x.decider, 'execution');
  if (x.daysLeft === null || x.daysLeft < 1)
    execution.push(
      `No execution period is open today (the last one ended ${x.horizon} days after its target came): the book drifts with prices until the next target.`,
    );
  else if (x.daysLeft === 1)
    execution.push(
      `Today is the last day of the execution period: ${by === deciderWords({ kind: 'rule', rule: 'trade-at-once' }, '') ? 'the book already holds the target' : 'the whole rest of every gap is traded'}, ${pw(x.traded, 2)} of the book, so the book ends on the month's target (a gap of ${pw(x.gapBefore, 2)} before the trade).`,
    );
  else {
    const traded = x.assets.filter((a) => Math.abs(a.gapBefore) >= NOTHING / 10);
    const fr = traded.map((a) => a.fraction).sort((p, q) => p - q);
    const median = fr.length ? fr[Math.floor(fr.length / 2)]! : 0;
    execution.push(
      `Level 3 (execution), by ${by}, traded ${pw(x.traded, 2)} of the book today towards the month's target: the gap was ${pw(x.gapBefore, 2)} of the book before the trade and is ${pw(x.gapAfter, 2)} after it, with ${days(x.daysLeft)} left until the next target (today included).`,
    );
    if (fr.length)
      execution.push(
        `It traded ${fr[0] === fr[fr.length - 1] ? pw(median, 0) : `between ${pw(fr[0]!, 0)} and ${pw(fr[fr.length - 1]!, 0)} (median ${pw(median, 0)})`} of each asset's gap; a linear schedule would trade ${pw(1 / x.daysLeft, 0)} of each today, trade-at-once would have traded all of it on the period's first day.`,
      );
    else execution.push('The book was already on the target: nothing needed trading.');
  }
  return { strategic, tactical, execution };
}

/** The words about one asset: its class's three targets, its own target and what Level 3 did with its gap today. */
export function threeLevelAssetWords(
  e: ThreeLevelExplanation,
  detail: ThreeLevelDecisionDetail,
  ticker: string,
): string[] {
  const c = detail.classes.find((x) => x.tickers.includes(ticker));
  const a = e.execution.assets.find((x) => x.ticker === ticker);
  if (!c || !a) return [];
  const m = c.tickers.length;
  const out = [
    `${ticker} is ${m === 1 ? `the only stock of ${c.name}` : `one of ${m} stocks of ${c.name}`}: Level 1 gave the class ${pw(c.strategic, 2)}, Level 2 tilted it ${pts(c.tilt)} to ${pw(c.target, 2)}, so ${ticker}'s target is ${pw(c.target / m, 2)} of the book (equal weight inside the class).`,
  ];
  if (Math.abs(a.gapBefore) < NOTHING / 10) out.push(`It was on its target before today's trade: nothing to trade.`);
  else
    out.push(
      `Before today's trade it stood ${pts(-a.gapBefore).replace('points', 'points from')} its target as drifted to today; Level 3 traded ${pw(a.fraction, 0)} of that gap (${pts(a.traded)}), leaving ${pts(a.gapAfter).replace('+', '')}.`,
    );
  return out.map(cap);
}

/** The book split into its classes: each class's weight in the book times the weights inside it (file overview). */
export function threeLevelBook(
  tickers: readonly string[],
  detail: ThreeLevelDecisionDetail,
  final: ArrayLike<number>,
  cash: number,
): PortfolioAttribution {
  const members = classMembers(detail, tickers);
  const parts = detail.classes
    .map((c, j) => ({ c, idx: members[j]! }))
    .filter(({ idx }) => idx.length > 0)
    .map(({ c, idx }) => {
      const weight = idx.reduce((s, i) => s + final[i]!, 0);
      const inside = new Float64Array(tickers.length);
      for (const i of idx) inside[i] = weight > 0 ? final[i]! / weight : 0;
      return { agent: c.name, multiplier: weight, weights: inside };
    });
  return { ...bookParts(tickers, parts, final, cash), fusionA: null, capital: null };
}

// ---------------------------------------------------------------------------------------------------------
// A stored decision, opened

/**
 * Open a three-level run's decision at `date` (default: its last) and explain it (file overview). The states are
 * rebuilt from the universe's closes up to the tactical decision day and the weights the run held then (its
 * previous decision drifted to that day, as the strategy's HeldBook did); the tactical model is reopened by the key
 * the decision records (hdrl-data/models/threelevel-<key>.json).
 * @throws NotExplainableError when the run, the decision or its tactical model is missing, the decision is not a
 *   three-level one, or the universe no longer holds the run's closes
 */
export async function explainStoredThreeLevel(
  db: DB,
  runId: string,
  date?: string,
): Promise<{ date: string; detail: ThreeLevelDecisionDetail; explanation: ThreeLevelExplanation }> {
  const run = getRun(db, runId);
  if (!run) throw new NotExplainableError(`run ${runId} not found`);
  const rows = getRunDetails(db, runId);
  const k = date ? rows.findIndex((r) => r.date === date) : rows.length - 1;
  const at = rows[k];
  const detail = threeLevelDetail(at?.detail);
  if (!at || !detail)
    throw new NotExplainableError(`run ${runId} has no three-level decision${date ? ` on ${date}` : ''}`);
  const details = rows.slice(0, k + 1).map((r) => {
    const d = threeLevelDetail(r.detail);
    if (!d) throw new NotExplainableError(`run ${runId}'s decision of ${r.date} records no three-level detail`);
    return d;
  });
  const decided = levelDecisionDays(details);
  let sDay = k;
  while (sDay > 0 && !decided[sDay]!.strategic) sDay--;
  let tDay = k;
  while (tDay > 0 && !decided[tDay]!.tactical) tDay--;

  const tickers = run.config.tickers;
  const n = tickers.length;
  const prices = loadPriceMatrix(db, run.universe, { to: at.date });
  const col = tickers.map((tk) => prices.tickers.indexOf(tk));
  const gone = tickers.filter((_, j) => col[j]! < 0);
  if (gone.length) throw new NotExplainableError(`the universe ${run.universe} no longer holds ${gone.join(', ')}`);
  const rowOf = new Map(prices.dates.map((d, i) => [d, i]));
  const closes = (day: number) => Float64Array.from(col, (c) => prices.close[day]![c]!);
  const dayOf = (d: string) => {
    const i = rowOf.get(d);
    if (i === undefined) throw new NotExplainableError(`the universe ${run.universe} has no closes on ${d}`);
    return i;
  };
  const members = classMembers(detail, tickers);
  const layout: ClassLayout = {
    basis: detail.basis,
    classes: detail.classes.filter((c) => c.tickers.length > 0).map((c, j) => ({ name: c.name, members: members[j]! })),
    nAssets: n,
    classOf: [],
  };
  layout.classOf = Array.from({ length: n }, (_, i) => layout.classes.findIndex((c) => c.members.includes(i)));
  const { exec, tactical: tcfg } = threeLevelConfigsFromParams(run.strategy, run.config.params);

  // the weights the run held at the close of a test day before its trade: the previous decision drifted there
  const series = getRunWeightSeries(db, runId, 'final');
  const weightsOn = new Map(series.map((w) => [w.date, w.weights]));
  const heldAt = (r: number): Float64Array => {
    const w = new Float64Array(n + 1);
    if (r === 0) {
      w[n] = 1;
      return w;
    }
    const prev = weightsOn.get(rows[r - 1]!.date);
    if (!prev) throw new NotExplainableError(`run ${runId} stored no weights on ${rows[r - 1]!.date}`);
    const a = closes(dayOf(rows[r - 1]!.date));
    const b = closes(dayOf(rows[r]!.date));
    w.set(
      driftWeights(
        prev.subarray(0, n),
        Float64Array.from(a, (p, i) => b[i]! / p),
      ),
    );
    w[n] = Math.max(0, 1 - w.subarray(0, n).reduce((x, y) => x + y, 0));
    return w;
  };

  const sClose = dayOf(rows[sDay]!.date);
  const strategicInputs = {
    date: rows[sDay]!.date,
    daysAgo: k - sDay,
    window: tcfg.strategicPeriod,
    volatility: layout.classes.map((c) => {
      const r = basketDailyReturns(closes, c.members, sClose, tcfg.strategicPeriod);
      return r.length >= 2 ? sampleStd(r) : null;
    }),
  };

  let tacticalInputs: ThreeLevelDecisionInputs['tactical'] = null;
  let policy: TacticalPolicy | null = null;
  try {
    if (detail.nextTacticalIn !== null) {
      const tdetail = details[tDay]!;
      const t0 = dayOf(rows[tDay]!.date);
      const strategic = tdetail.classes.map((c) => c.strategic);
      let policyPart: NonNullable<ThreeLevelDecisionInputs['tactical']>['policy'] = null;
      const dec = tdetail.levels.tactical;
      if (!('rule' in dec)) {
        const dir = modelsDir(db);
        const m = dir
          ? await fileThreeLevelModelStore(dir)
              .get(dec.key)
              .catch((e: Error) => {
                throw new NotExplainableError(`the tactical model of run ${runId} cannot be read: ${e.message}`);
              })
          : undefined;
        if (!m || m.level !== 'tactical')
          throw new NotExplainableError(
            `the tactical model of run ${runId} is no longer stored next to the database (key ${dec.key.slice(0, 12)})`,
          );
        policy = await TacticalPolicy.open(m.onnx);
        const open = policy;
        const x = Float64Array.from(tacticalFeatures(closes, t0, layout, heldAt(tDay), strategic, tcfg));
        // typical months: the training window's last tactical periods, the book on the strategic target
        const trainEnd = dayOf(dec.trainedTo);
        const trainStart = dayOf(dec.trainedFrom);
        const onTarget = targetWeights(
          { classes: tdetail.classes.map((c) => ({ ...c, target: c.strategic })) },
          members,
          n,
        );
        const bgDays = Array.from({ length: BACKGROUND_MONTHS }, (_, j) => trainEnd - j * exec.horizon)
          .filter((d) => d >= trainStart)
          .reverse();
        policyPart = {
          x,
          background: bgDays.map((d) =>
            Float64Array.from(tacticalFeatures(closes, d, layout, onTarget, strategic, tcfg)),
          ),
          backgroundDates: bgDays.map((d) => prices.dates[d]!),
          rawTilts: (states) => open.run(states),
        };
      }
      tacticalInputs = {
        date: rows[tDay]!.date,
        daysAgo: k - tDay,
        nextIn: detail.nextTacticalIn,
        maxTilt: tcfg.maxTilt,
        detail: tdetail,
        signals: classSignals(closes, t0, layout, tcfg),
        policy: policyPart,
      };
    }

    // Level 3 today: the target of the period drifted to today, the book before and after the trade
    const paper = targetWeights(details[tDay]!, members, n);
    for (let r = tDay + 1; r <= k; r++)
      driftInPlace(paper, closes(dayOf(rows[r - 1]!.date)), closes(dayOf(rows[r]!.date)));
    const after = new Float64Array(n + 1);
    after.set(weightsOn.get(at.date)!.subarray(0, n + 1));
    const since = k - tDay;
    const daysLeft = exec.horizon - since;
    const e = explainThreeLevel({
      detail,
      tickers,
      strategic: strategicInputs,
      tactical: tacticalInputs,
      execution: { horizon: exec.horizon, daysLeft: daysLeft >= 1 ? daysLeft : null, before: heldAt(k), paper, after },
    });
    return { date: at.date, detail, explanation: e };
  } finally {
    await policy?.dispose();
  }
}
