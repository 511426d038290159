/**
 * Explanations of a HADAPS decision, layer by layer (issue 18): Kernel SHAP (shap.ts) on the run's own ONNX policy,
 * each layer's outputs explained by the inputs that layer reads, the layers apart.
 *
 * - Inter-class layer: every class's weight (cash included), explained by the volatility state — one player per
 *   asset (its volatility over the whole window), and separately one per time block of the window (every asset's
 *   volatility over the last week, the last month, older: agents.ts timeBlocks, as SAMP-HDRL's upper agent) — and
 *   the class weights held as one more player.
 * - Intra-class layer of each class of two or more assets: the weight of each member INSIDE the class (the policy's
 *   weight divided by its class weight, both from one evaluation of the policy), explained by the members' price
 *   states — per asset and per time block — and the members' weights held as one player.
 * - The flat ablation (one layer): every asset's weight and cash, by each asset's two states, per asset and per time
 *   block, and the weights held.
 * All outputs of a layer share one set of coalitions (kernelShapOutputs). Inputs a layer does not read stay at the
 * decision's values; the background rows (strategies/hadaps/explainable.ts) are typical days of the training period
 * with the weights the policy held then, so "typical" below means the average output over them.
 *
 * For the PM (second half): the book split into its classes (agents.ts bookParts: class weight × weight inside the
 * class, plus what the no-trade band left as held) and the decision in plain words, made with the words' rules of
 * agents.ts (shares, points, the largest drivers). The inter layer's drivers are read by class where there are two
 * or more risky classes: a class's players added up ("the recent volatility of Industrials"); a player's total move
 * of the class weights is half the sum of its absolute attributions over the classes (the class weights always sum
 * to one, so what one class gains the others lose).
 */
import type { HadapsExplainable } from '../strategies/hadaps/explainable';
import {
  bookParts,
  cap,
  drivers,
  pctWords,
  points,
  possessive,
  timeBlocks,
  EXPLAIN_DEFAULTS,
  type ExplainSettings,
  type PlayerValue,
  type PortfolioAttribution,
} from './agents';
import { kernelShapOutputs, SHAP_DEFAULTS, type ShapOutputsModel } from './shap';

/** The player of the weights held (the inter-class layer reads them summed by class; an intra-class layer its members'). */
export const HELD_PLAYER = 'weights held';

/** One output of a layer and its attribution; `values` in the layer's player order. */
export interface HadapsOutputExplanation {
  /** a class name (inter-class layer), or a ticker (intra-class layer; flat: a ticker or the cash class) */
  output: string;
  fx: number;
  baseValue: number;
  values: PlayerValue[];
  /** |sum(values) - (fx - baseValue)|: the efficiency property on the real model */
  efficiencyGap: number;
}

/** The attribution of one layer's outputs to one way of grouping its inputs. */
export interface HadapsLayerExplanation {
  layer: 'inter' | 'intra' | 'flat';
  /** the class whose inside weights an intra-class layer sets; null for the other layers */
  className: string | null;
  players: 'assets' | 'time blocks';
  outputs: HadapsOutputExplanation[];
  exact: boolean;
  evaluations: number;
}

/** Every layer of a HADAPS decision explained. */
export interface HadapsExplanation {
  /** the policy's form (the hierarchy, or an ablation: 'flat', 'intra-only', 'inter-only') */
  policy: string;
  /** k, days of every state */
  window: number;
  /** every class with its tickers, cash last (no tickers) */
  classes: { name: string; tickers: string[] }[];
  /** the days the background rows come from */
  backgroundDates: string[];
  layers: HadapsLayerExplanation[];
}

/** What {@link explainHadaps} needs of an opened decision (a test may hand-build it). */
export type HadapsPolicyView = Pick<
  HadapsExplainable,
  | 'tickers'
  | 'window'
  | 'policyKind'
  | 'layout'
  | 'classNames'
  | 'layers'
  | 'index'
  | 'x'
  | 'background'
  | 'backgroundDates'
  | 'evaluate'
>;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Explain every layer of a HADAPS decision (file overview). */
export function explainHadaps(p: HadapsPolicyView, settings: Partial<ExplainSettings> = {}): HadapsExplanation {
  const s = { ...EXPLAIN_DEFAULTS, ...settings };
  const n = p.tickers.length;
  const k = p.window;
  const ix = p.index;
  const steps = range(k);
  const blocks = timeBlocks(k);
  const C = p.classNames.length;
  const layers: HadapsLayerExplanation[] = [];

  /** one SHAP run over `players` (named), for the outputs `out` picks from each row's policy outputs */
  const explain = (
    layer: HadapsLayerExplanation['layer'],
    className: string | null,
    kind: HadapsLayerExplanation['players'],
    players: { name: string; features: number[] }[],
    outputs: string[],
    out: (weights: Float64Array, classes: Float64Array) => number[],
  ) => {
    const model: ShapOutputsModel = {
      outputs: outputs.length,
      batch: (rows) => {
        const o = p.evaluate(rows);
        const cols = outputs.map(() => new Float64Array(rows.length));
        o.weights.forEach((w, r) => out(w, o.classes[r]!).forEach((v, c) => (cols[c]![r] = v)));
        return cols;
      },
    };
    const res = kernelShapOutputs(
      model,
      p.x,
      p.background,
      players.map((q) => q.features),
      { nSamples: s.nSamples, seed: s.seed, exactMaxPlayers: SHAP_DEFAULTS.exactMaxPlayers },
    );
    layers.push({
      layer,
      className,
      players: kind,
      exact: res[0]!.exact,
      evaluations: res[0]!.evaluations,
      outputs: res.map((r, o) => {
        const sum = r.values.reduce((a, b) => a + b, 0);
        return {
          output: outputs[o]!,
          fx: r.fx,
          baseValue: r.baseValue,
          values: players.map((q, j) => ({ player: q.name, value: r.values[j]! })),
          efficiencyGap: Math.abs(sum - (r.fx - r.baseValue)),
        };
      }),
    });
  };

  for (const net of p.layers) {
    if (net.name === 'inter' || net.name === 'flat') {
      const flat = net.name === 'flat';
      // an asset's inputs: its volatility path (inter), or both its paths (flat)
      const assetFeatures = (i: number, js: number[]) =>
        flat ? [...js.map((j) => ix.p(i, j)), ...js.map((j) => ix.v(i, j))] : js.map((j) => ix.v(i, j));
      const held = { name: HELD_PLAYER, features: range(n).map((i) => ix.held(i)) };
      const outputs = flat ? [...p.tickers, p.classNames[C - 1]!] : p.classNames;
      const pick = flat
        ? (w: Float64Array) => [...w, 1 - w.reduce((a, b) => a + b, 0)]
        : (_w: Float64Array, c: Float64Array) => Array.from(c);
      explain(
        net.name,
        null,
        'assets',
        [...p.tickers.map((t, i) => ({ name: t, features: assetFeatures(i, steps) })), held],
        outputs,
        pick,
      );
      explain(
        net.name,
        null,
        'time blocks',
        [...blocks.map((b) => ({ name: b.name, features: range(n).flatMap((i) => assetFeatures(i, b.steps)) })), held],
        outputs,
        pick,
      );
    } else {
      const cls = p.layout.classes[net.cls!]!;
      const mem = cls.members;
      const held = { name: HELD_PLAYER, features: mem.map((i) => ix.held(i)) };
      const outputs = mem.map((i) => p.tickers[i]!);
      // the weights inside the class: the policy's weights over its class weight
      const pick = (w: Float64Array, c: Float64Array) => mem.map((i) => w[i]! / c[net.cls!]!);
      explain(
        'intra',
        cls.name,
        'assets',
        [...mem.map((i) => ({ name: p.tickers[i]!, features: steps.map((j) => ix.p(i, j)) })), held],
        outputs,
        pick,
      );
      explain(
        'intra',
        cls.name,
        'time blocks',
        [...blocks.map((b) => ({ name: b.name, features: mem.flatMap((i) => b.steps.map((j) => ix.p(i, j))) })), held],
        outputs,
        pick,
      );
    }
  }
  return {
    policy: p.policyKind,
    window: k,
    classes: p.classNames.map((name, c) => ({
      name,
      tickers: c < p.layout.classes.length ? p.layout.classes[c]!.members.map((i) => p.tickers[i]!) : [],
    })),
    backgroundDates: [...p.backgroundDates],
    layers,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The decision as a PM reads it

/** A class of the decision as the policy set it (the decision detail's classes, cash last). */
export interface DecidedClass {
  name: string;
  /** the class's share of the book, from the inter-class layer */
  weight: number;
  tickers: string[];
  /** the weights inside the class, in `tickers` order */
  intra: number[];
}

/**
 * The final book split into its classes: each class's part is its weight times the weights inside it (as the policy
 * set them), and what the no-trade band left as held is a part of its own (agents.ts bookParts). Cash is the book's.
 */
export function classAttribution(
  tickers: readonly string[],
  classes: readonly DecidedClass[],
  final: ArrayLike<number>,
  cash: number,
): PortfolioAttribution {
  const parts = classes
    .filter((c) => c.tickers.length > 0)
    .map((c) => {
      const inside = new Float64Array(tickers.length);
      c.tickers.forEach((t, j) => {
        const i = tickers.indexOf(t);
        if (i >= 0) inside[i] = c.intra[j]!;
      });
      return { agent: c.name, multiplier: c.weight, weights: inside };
    });
  return { ...bookParts(tickers, parts, final, cash), fusionA: null, capital: null };
}

/** Inputs of {@link hadapsWords}. */
export interface HadapsWordsInput {
  /** the asset explained */
  subject: string;
  explanation: HadapsExplanation;
  /** the decision's classes as the policy set them */
  classes: readonly DecidedClass[];
  /** the book split into classes ({@link classAttribution}) */
  attribution: PortfolioAttribution;
}

/** How many classes the book sentence names before it sums the rest. */
const BOOK_CLASSES = 4;
/** How close an attribution's output must be to the decision's recorded weight to be said (rounding). */
const RECORDED_TOLERANCE = 1e-5;

const find = (e: HadapsExplanation, layer: string, players: string, className: string | null = null) =>
  e.layers.find((l) => l.layer === layer && l.players === players && l.className === className);

/** The inter layer's asset players as the words group them: by class when there are two or more risky classes. */
function byClass(e: HadapsExplanation, values: readonly PlayerValue[]): PlayerValue[] {
  const risky = e.classes.filter((c) => c.tickers.length > 0);
  if (risky.length < 2) return [...values];
  const out = risky.map((c) => ({ player: c.name, value: 0 }));
  const rest: PlayerValue[] = [];
  for (const v of values) {
    const c = risky.findIndex((x) => x.tickers.includes(v.player));
    if (c >= 0) out[c]!.value += v.value;
    else rest.push({ ...v });
  }
  return [...out, ...rest];
}

/**
 * The decision in plain words, first the asset (its class's weight, then its weight inside the class, each with
 * what moved it), then the book (its classes, and what moved the class weights most). Built from the stored
 * attributions only. Percentages are of the book unless said "inside"; points are percentage points against the
 * typical day of the training period.
 */
export function hadapsWords(x: HadapsWordsInput): { asset: string[]; portfolio: string[] } {
  const e = x.explanation;
  const k = e.window;
  const a = x.attribution;
  const asset: string[] = [];
  const cls = x.classes.find((c) => c.tickers.includes(x.subject));
  const row = a.assets.find((r) => r.ticker === x.subject);
  // an output that does not land on the decision's recorded weight explains another decision: left out, not said wrong
  const sameAs = <T extends { fx: number }>(o: T | undefined, recorded: number): T | undefined =>
    o && Math.abs(o.fx - recorded) < RECORDED_TOLERANCE ? o : undefined;
  const interName = (p: string) => (p === HELD_PLAYER ? 'the class weights held' : `the recent volatility of ${p}`);
  const blockName = (what: string) => (p: string) =>
    p === HELD_PLAYER ? 'the weights held' : `${what} over the ${p.replace(/ \(.*\)$/, '')}`;
  if (cls && row) {
    const j = cls.tickers.indexOf(x.subject);
    const inside = cls.intra[j]!;
    const target = cls.weight * inside;
    asset.push(
      cls.tickers.length === 1
        ? `${x.subject}'s ${pctWords(row.weight)} is ${possessive(cls.name)} ${pctWords(cls.weight)} of the book: it is the class's only stock.`
        : `${x.subject}'s ${pctWords(row.weight)} is ${possessive(cls.name)} ${pctWords(cls.weight)} of the book × ${pctWords(inside)} inside ${cls.name}.`,
    );
    if (Math.abs(row.weight - target) >= 0.0005)
      asset.push(
        `The no-trade band moves it ${points(row.weight - target)} from the policy's ${pctWords(target)}: a trade smaller than the band is not made, so part of the weight stays as held.`,
      );
    if (e.policy === 'flat') {
      const o = sameAs(
        find(e, 'flat', 'assets')?.outputs.find((q) => q.output === x.subject),
        target,
      );
      const t = find(e, 'flat', 'time blocks')?.outputs.find((q) => q.output === x.subject);
      const why = o
        ? drivers(o.values, (p) =>
            p === HELD_PLAYER
              ? 'the weights held'
              : p === x.subject
                ? 'its own price and volatility'
                : `${p}'s price and volatility`,
          )
        : '';
      if (o && why)
        asset.push(
          `The policy (one layer over every stock) puts ${pctWords(o.fx)} on ${x.subject}, ${o.fx >= o.baseValue ? 'above' : 'below'} its typical ${pctWords(o.baseValue)}, mainly because of ${why}${t ? `; over time, mostly ${drivers(t.values, blockName("every stock's prices and volatility"), 1)}` : ''}.`,
        );
    } else {
      const inter = sameAs(
        find(e, 'inter', 'assets')?.outputs.find((q) => q.output === cls.name),
        cls.weight,
      );
      if (e.policy === 'intra-only')
        asset.push(
          `Every class gets the same weight (${pctWords(1 / x.classes.length)} each): this ablation has no inter-class layer.`,
        );
      else if (inter) {
        const why = drivers(byClass(e, inter.values), interName);
        const t = find(e, 'inter', 'time blocks')?.outputs.find((q) => q.output === cls.name);
        const when = t ? drivers(t.values, blockName("every stock's volatility"), 1) : '';
        if (why)
          asset.push(
            `The class weights give ${cls.name} ${pctWords(inter.fx)}, ${inter.fx >= inter.baseValue ? 'above' : 'below'} its typical ${pctWords(inter.baseValue)}, mainly because of ${why}${when ? `; over time, mostly ${when}` : ''}.`,
          );
      }
      if (cls.tickers.length > 1) {
        const intra = sameAs(
          find(e, 'intra', 'assets', cls.name)?.outputs.find((q) => q.output === x.subject),
          inside,
        );
        if (e.policy === 'inter-only')
          asset.push(`Inside ${cls.name} every stock gets the same weight: this ablation has no intra-class layer.`);
        else if (intra) {
          const why = drivers(intra.values, (p) =>
            p === HELD_PLAYER
              ? `the weights held in ${cls.name}`
              : p === x.subject
                ? `its own price path over the last ${k} days`
                : `${p}'s price path`,
          );
          const t = find(e, 'intra', 'time blocks', cls.name)?.outputs.find((q) => q.output === x.subject);
          const when = t ? drivers(t.values, blockName(`the class's prices`), 1) : '';
          if (why)
            asset.push(
              `Inside ${cls.name}, ${x.subject}'s ${pctWords(intra.fx)} (typical ${pctWords(intra.baseValue)}) came mostly from ${why}${when ? `; over time, mostly ${when}` : ''}.`,
            );
        }
      }
    }
  }

  const portfolio: string[] = [];
  // the classes as the book holds them (after the band), largest first
  const held = x.classes
    .filter((c) => c.tickers.length > 0)
    .map((c) => {
      const rows = a.assets.filter((r) => c.tickers.includes(r.ticker));
      return { name: c.name, weight: rows.reduce((s, r) => s + r.weight, 0), rows };
    })
    .filter((c) => c.weight >= 0.0005)
    .sort((p, q) => q.weight - p.weight);
  const named = held.slice(0, BOOK_CLASSES).map((c) => {
    const top = c.rows
      .filter((r) => r.weight >= 0.0005)
      .slice(0, 3)
      .map((r) => `${r.ticker} ${pctWords(r.weight)}`);
    return `${pctWords(c.weight)} ${c.name}${top.length > 1 || c.rows.length > 1 ? ` (${top.join(', ')})` : ''}`;
  });
  const rest = held.slice(BOOK_CLASSES);
  if (rest.length)
    named.push(
      `${pctWords(rest.reduce((s, c) => s + c.weight, 0))} in ${rest.length} other class${rest.length > 1 ? 'es' : ''}`,
    );
  if (a.cash >= 0.0005) named.push(`${pctWords(a.cash)} cash`);
  const list = named.length > 1 ? `${named.slice(0, -1).join('; ')}; and ${named[named.length - 1]!}` : named.join('');
  portfolio.push(`The book is ${list || 'all cash'}.`);
  const inter = find(e, 'inter', 'assets');
  const recorded = new Map(x.classes.map((c) => [c.name, c.weight]));
  if (inter && inter.outputs.every((o) => sameAs(o, recorded.get(o.output) ?? Number.NaN))) {
    // each player's move of the class weights: what it adds to some classes it takes from others
    const players = byClass(e, inter.outputs[0]!.values).map((v) => v.player);
    const per = players.map((player, j) => {
      const by = inter.outputs.map((o) => ({ output: o.output, value: byClass(e, o.values)[j]!.value }));
      return { player, moved: by.reduce((s, b) => s + Math.abs(b.value), 0) / 2, by };
    });
    const top = per
      .filter((q) => q.moved >= 0.0005)
      .sort((p, q) => q.moved - p.moved)
      .slice(0, 2)
      .map((q) => {
        const gain = q.by.reduce((b, c) => (c.value > b.value ? c : b));
        const loss = q.by.reduce((b, c) => (c.value < b.value ? c : b));
        return `${interName(q.player)}, which moved ${pctWords(q.moved)} of the book (${gain.output} ${points(gain.value).replace(' points', '')}, ${loss.output} ${points(loss.value).replace(' points', '')} points)`;
      });
    if (top.length)
      portfolio.push(
        `Against a typical day of the training period, the class weights were driven mostly by ${top.join(', and by ')}.`,
      );
  }
  return { asset: asset.map(cap), portfolio };
}
