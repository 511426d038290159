/**
 * Per-agent explanations of one decision of a stored run (SAMP-HDRL step 8): Kernel SHAP over grouped
 * input features, for each agent's output weight on the asset it weights most (or a chosen ticker).
 *
 * Strategy-agnostic core: an ExplainablePolicy (strategies/types.ts) gives the input vector of a date, background
 * rows from the training window, and a batch evaluator of its agents' outputs; this module only forms players and
 * calls SHAP.
 * Players (grouped features, so results stay readable):
 * - upper agent: one player per asset (all its time steps), and separately one per time block
 *   (last 5 days, days 6-21, older) — two explanations of the same output;
 * - each lower agent: one player per asset of its group (features of other assets held at the date's values);
 * The capital split and fusion are closed-form rules (utility, momentum, rebound cap); their inputs are reported
 * as they were that day rather than attributed by SHAP.
 *
 * For the PM (second half of the file): the final book split into what each agent put into it, through the fusion
 * w = a·w0 + (1 − a)(c1·w1 + c2·w2) (linear, so the parts add up asset by asset), and the decision in plain words —
 * "MO's 36.0% comes mostly from the upper agent's guidance ...; it puts 60% on MO mainly because of its own 20-day
 * trend" — composed from that split, the agents' attributions above and the capital split's (capitalShap.ts).
 * Method names and checks stay out of the words; the desk shows them behind a toggle. The book-as-parts split
 * (`bookParts`) and the words' rules (shares, points, drivers, possessives) are shared with HADAPS's reading
 * (explain/hadaps.ts), whose parts are its classes.
 */
import type { ExplainablePolicy } from '../strategies/types';
import { kernelShap, SHAP_DEFAULTS, type ShapResult } from './shap';

export interface ExplainSettings {
  /** sampled coalitions for player sets larger than exactMaxPlayers (SHAP_DEFAULTS.exactMaxPlayers) */
  nSamples: number;
  seed: number;
  /** explain this ticker's weight instead of each agent's largest */
  ticker?: string;
}
export const EXPLAIN_DEFAULTS: ExplainSettings = { nSamples: 1024, seed: 0 };

export interface PlayerValue {
  player: string;
  value: number;
}

export interface AgentExplanation {
  agent: string;
  players: 'assets' | 'time blocks';
  /** the output explained: this agent's weight on `ticker` */
  ticker: string;
  fx: number;
  baseValue: number;
  values: PlayerValue[];
  exact: boolean;
  evaluations: number;
  /** |sum(values) - (fx - baseValue)|: the efficiency property on the real model */
  efficiencyGap: number;
  /** days of prices per asset the agent reads (an asset player is that asset's price path over them) */
  window?: number;
}

/** Time blocks of a window of L days, newest first: last 5 days, days 6-21, older. */
export function timeBlocks(L: number): { name: string; steps: number[] }[] {
  const blocks: { name: string; from: number; to: number }[] = [
    { name: 'last week (1-5 days)', from: 1, to: 5 },
    { name: 'last month (6-21 days)', from: 6, to: 21 },
    { name: 'older (22+ days)', from: 22, to: Infinity },
  ];
  return blocks
    .map((b) => ({
      name: b.name,
      steps: Array.from({ length: L }, (_, j) => j).filter((j) => L - j >= b.from && L - j <= b.to),
    }))
    .filter((b) => b.steps.length > 0);
}

/** Explain every agent of a policy at one decision (see the file overview). */
export function explainDecision(p: ExplainablePolicy, settings: Partial<ExplainSettings> = {}): AgentExplanation[] {
  const s = { ...EXPLAIN_DEFAULTS, ...settings };
  const n = p.tickers.length;
  const L = p.window;
  const fx = p.evaluate([p.x]);
  const out: AgentExplanation[] = [];
  const assetFeatures = (i: number) => Array.from({ length: L }, (_, j) => i * L + j);
  for (const a of p.agents) {
    const w = fx[a.name]![0]!;
    let target = s.ticker ? p.tickers.indexOf(s.ticker) : -1;
    if (target < 0 || !a.mask[target]) {
      target = 0;
      for (let i = 1; i < n; i++) if (a.mask[i] && (w[i]! > w[target]! || !a.mask[target])) target = i;
    }
    const model = { batch: (rows: Float64Array[]) => Float64Array.from(p.evaluate(rows)[a.name]!, (r) => r[target]!) };
    const run = (players: number[][], names: string[], kind: AgentExplanation['players']) => {
      const r: ShapResult = kernelShap(model, p.x, p.background, players, {
        nSamples: s.nSamples,
        seed: s.seed,
        exactMaxPlayers: SHAP_DEFAULTS.exactMaxPlayers,
      });
      const sum = r.values.reduce((x, y) => x + y, 0);
      out.push({
        agent: a.name,
        players: kind,
        ticker: p.tickers[target]!,
        fx: r.fx,
        baseValue: r.baseValue,
        values: names
          .map((nm, k) => ({ player: nm, value: r.values[k]! }))
          .sort((x, y) => Math.abs(y.value) - Math.abs(x.value)),
        exact: r.exact,
        evaluations: r.evaluations,
        efficiencyGap: Math.abs(sum - (r.fx - r.baseValue)),
        window: L,
      });
    };
    const members = p.tickers.map((_, i) => i).filter((i) => a.mask[i]);
    run(
      members.map(assetFeatures),
      members.map((i) => p.tickers[i]!),
      'assets',
    );
    if (a.name === 'upper') {
      const blocks = timeBlocks(L);
      run(
        blocks.map((b) => Array.from({ length: n }, (_, i) => b.steps.map((j) => i * L + j)).flat()),
        blocks.map((b) => b.name),
        'time blocks',
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The decision as a PM reads it: agent contributions through the fusion, and plain words

/** What each agent's allocation adds to the final book (SAMP-HDRL step 6, or the one agent of a flat policy). */
export interface AgentShare {
  agent: string;
  /** its part of the book: a·Σw0, (1 − a)·c1·Σw1, (1 − a)·c2·Σw2, or 1 − cash for a single agent */
  share: number;
  /** the multiplier on the agent's own weights: a, (1 − a)·c1, (1 − a)·c2, or 1 */
  multiplier: number;
}

/** One asset of the final book, split into what each agent put into it. */
export interface AssetAttribution {
  ticker: string;
  /** its final target weight */
  weight: number;
  /** per agent: its own weight on the asset and the part of the final weight it gives (multiplier × own weight) */
  parts: { agent: string; agentWeight: number; contribution: number }[];
}

/** The final portfolio explained through the fusion and the capital split. */
export interface PortfolioAttribution {
  /** fusion coefficient a (null for a single-agent policy) */
  fusionA: number | null;
  /** the lower agents' capital split after the rebound cap (null for a single-agent policy) */
  capital: { c1: number; c2: number; cash: number } | null;
  agents: AgentShare[];
  cash: number;
  /** every asset, largest final weight first */
  assets: AssetAttribution[];
}

/**
 * The part of a final weight no agent gave: the policy trades its target through a no-trade band, and a trade too
 * small to make leaves the asset at its held weight. Differences below BAND_EPSILON are rounding.
 */
export const BAND = 'no-trade band';
const BAND_EPSILON = 1e-9;

/** The multiplier of each agent's weights in the final book: w = a·w0 + (1 − a)(c1·w1 + c2·w2). */
function multipliers(
  agents: readonly string[],
  fusion: { fusionA: number; capital: { c1: number; c2: number } } | null,
): Record<string, number> {
  if (!fusion || agents.length === 1) return Object.fromEntries(agents.map((a) => [a, 1]));
  const a = fusion.fusionA;
  const m: Record<string, number> = {
    upper: a,
    lower1: (1 - a) * fusion.capital.c1,
    lower2: (1 - a) * fusion.capital.c2,
  };
  return Object.fromEntries(agents.map((x) => [x, m[x] ?? 0]));
}

/**
 * Split the final book into the agents' contributions (the fusion is linear, so asset by asset they add up to the
 * final weight).
 * @param agentWeights each agent's own weights over the tickers ('upper', 'lower1', 'lower2'; or one agent)
 * @param fusion the decision's fusion coefficient and capital split; null for a single-agent policy
 */
export function portfolioAttribution(
  tickers: readonly string[],
  agentWeights: Record<string, ArrayLike<number>>,
  final: ArrayLike<number>,
  cash: number,
  fusion: { fusionA: number; capital: { c1: number; c2: number; cash: number } } | null,
): PortfolioAttribution {
  const order = ['upper', 'lower1', 'lower2', 'flat'];
  const names = Object.keys(agentWeights)
    .filter((a) => a !== 'held' && a !== 'final')
    .sort((x, y) => order.indexOf(x) - order.indexOf(y));
  const single = names.length <= 1;
  const mult = multipliers(names, single ? null : fusion);
  return {
    ...bookParts(
      tickers,
      names.map((agent) => ({ agent, multiplier: mult[agent]!, weights: agentWeights[agent]! })),
      final,
      cash,
    ),
    fusionA: single || !fusion ? null : fusion.fusionA,
    capital: single || !fusion ? null : { ...fusion.capital },
  };
}

/**
 * The book as a sum of parts, each a multiplier times its own weights (SAMP-HDRL's agents through the fusion;
 * HADAPS's classes, each its class weight times the weights inside it), plus what the no-trade band left as held:
 * asset by asset the parts add up to the final weight. The parts keep the given order.
 */
export function bookParts(
  tickers: readonly string[],
  parts: readonly { agent: string; multiplier: number; weights: ArrayLike<number> }[],
  final: ArrayLike<number>,
  cash: number,
): Omit<PortfolioAttribution, 'fusionA' | 'capital'> {
  const agents = parts.map(({ agent, multiplier, weights: w }) => {
    let s = 0;
    for (let i = 0; i < tickers.length; i++) s += w[i]!;
    return { agent, share: multiplier * s, multiplier };
  });
  const assets = tickers
    .map((ticker, i) => {
      const own = parts.map((p) => ({
        agent: p.agent,
        agentWeight: p.weights[i]!,
        contribution: p.multiplier * p.weights[i]!,
      }));
      // what the trade left as held (a no-trade band), so the parts add up to the weight the book takes
      const rest = final[i]! - own.reduce((s, p) => s + p.contribution, 0);
      return {
        ticker,
        weight: final[i]!,
        parts: Math.abs(rest) > BAND_EPSILON ? [...own, { agent: BAND, agentWeight: 0, contribution: rest }] : own,
      };
    })
    .sort((a, b) => b.weight - a.weight || a.ticker.localeCompare(b.ticker));
  const band = assets.reduce((s, a) => s + (a.parts.find((p) => p.agent === BAND)?.contribution ?? 0), 0);
  if (assets.some((a) => a.parts.some((p) => p.agent === BAND)))
    agents.push({ agent: BAND, share: band, multiplier: 1 });
  return { agents, cash, assets };
}

/** How a PM names each agent. */
export const AGENT_WORDS: Record<string, string> = {
  upper: "the upper agent's guidance",
  lower1: 'the ordinary-group agent',
  lower2: 'the high-quality-group agent',
  flat: 'the DDPG agent',
  [BAND]: 'the no-trade band (trades too small to make, left as held)',
};

/** How far an attribution's split may be from the decision's recorded split and still explain it (rounding). */
const SPLIT_TOLERANCE = 1e-6;

/** A share as the words print it: percent with `digits` decimals, no "-0.0%". */
export const pctWords = (x: number, digits = 1) =>
  `${(Math.abs(x) < 0.5 * 10 ** -(digits + 2) ? 0 : x * 100).toFixed(digits)}%`;
/** A change as the words print it: signed percentage points. */
export const points = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} points`;

/** A SHAP player as a PM reads it: an asset's price path over the window, or a stretch of time of every asset. */
function playerWords(player: string, kind: AgentExplanation['players'], subject: string, window: number): string {
  if (kind === 'time blocks') return `the whole market's ${player.replace(/ \(.*\)$/, '')}`;
  const trend = window > 0 ? `${window}-day trend` : 'recent price trend';
  return player === subject ? `its own ${trend}` : `${player}'s ${trend}`;
}

/** The capital-split player as a PM reads it (capitalShap.ts CAPITAL_PLAYERS). */
function capitalWords(player: string): string {
  const group = player.startsWith('high') ? 'the high-quality group' : 'the ordinary group';
  if (player.includes('utility')) return `${group}'s utility (recent mean return less λ × variance)`;
  if (player.includes('momentum')) return `${group}'s momentum`;
  if (player.startsWith('smoothing')) return "the past days' splits (smoothing)";
  return 'the downtrend flags of the rebound detector';
}

/** The largest players of an explanation, by size, as words with their points (at most `k`, at least 0.05 points). */
export function drivers(
  values: readonly { player: string; value: number }[],
  name: (p: string) => string,
  k = 2,
): string {
  const top = [...values]
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .filter((v) => Math.abs(v.value) >= 0.0005)
    .slice(0, k);
  if (!top.length) return '';
  return top.map((v) => `${name(v.player)} (${points(v.value)})`).join(' and ');
}

/** Inputs of {@link explanationWords}. */
export interface WordsInput {
  /** the asset explained */
  subject: string;
  /** days of prices every network reads (the players' window) */
  window: number;
  attribution: PortfolioAttribution;
  agents: readonly AgentExplanation[];
  capital:
    readonly { output: string; fx: number; baseValue: number; values: { player: string; value: number }[] }[] | null;
  /** the lower agents' split before the rebound cap, when one was applied */
  capitalBeforeCap?: { c1: number; c2: number; cash: number } | null;
  rebound?: { capped: boolean; reasons: string[] } | null;
}

/**
 * The decision in plain words, first the asset then the whole book, built from the fusion split and the stored
 * attributions (nothing new is computed). Percentages are of the book; "points" are percentage points of an agent's
 * weight (or of the capital split) against the model's typical day in its training window.
 */
export function explanationWords(x: WordsInput): { asset: string[]; portfolio: string[] } {
  const a = x.attribution;
  // an attribution of the capital split that does not land on the split the decision used explains another split:
  // its outputs are left out of the words rather than said wrong
  const recorded: Record<string, number | undefined> = {
    high: a.capital?.c2,
    ordinary: a.capital?.c1,
    cash: a.capital?.cash,
  };
  const capital = (x.capital ?? []).filter((c) => {
    const r = recorded[c.output.split(/[ -]/)[0]!];
    return r !== undefined && Math.abs(c.fx - r) < SPLIT_TOLERANCE;
  });
  const asset: string[] = [];
  const row = a.assets.find((r) => r.ticker === x.subject);
  if (row) {
    const parts = row.parts
      .filter((p) => p.agent !== BAND && p.contribution > 0.0005)
      .sort((p, q) => q.contribution - p.contribution);
    const band = row.parts.find((p) => p.agent === BAND && Math.abs(p.contribution) > 0.0005);
    const from = parts.map(
      (p) =>
        `${AGENT_WORDS[p.agent] ?? p.agent} (${pctWords(p.contribution)} of the book: ${a.fusionA === null ? '' : `${pctWords(a.agents.find((g) => g.agent === p.agent)!.multiplier, 0)} of the book × `}its ${pctWords(p.agentWeight)} on ${x.subject})`,
    );
    asset.push(
      row.weight < 0.0005
        ? `${x.subject} gets nothing (${pctWords(row.weight)}): no agent puts a meaningful weight on it.`
        : `${x.subject}'s ${pctWords(row.weight)} comes ${parts.length > 1 ? 'mostly ' : ''}from ${from.join(parts.length > 2 ? ', ' : ' and ')}.`,
    );
    if (band)
      asset.push(
        `The no-trade band moves it ${points(band.contribution)} from the agents' target: a trade smaller than the band is not made, so part of the weight stays as held.`,
      );
    for (const p of parts) {
      const e = x.agents.find((g) => g.agent === p.agent && g.ticker === x.subject && g.players === 'assets');
      if (!e) continue;
      const byAsset = drivers(e.values, (pl) => playerWords(pl, 'assets', x.subject, x.window));
      const t = x.agents.find((g) => g.agent === p.agent && g.ticker === x.subject && g.players === 'time blocks');
      const byTime = t ? drivers(t.values, (pl) => playerWords(pl, 'time blocks', x.subject, x.window), 1) : '';
      const dir = e.fx >= e.baseValue ? 'above' : 'below';
      if (byAsset)
        asset.push(
          `${cap(AGENT_WORDS[p.agent] ?? p.agent)} puts ${pctWords(e.fx)} on ${x.subject}, ${dir} its typical ${pctWords(e.baseValue)}, mainly because of ${byAsset}${byTime ? `; over time, mostly ${byTime}` : ''}.`,
        );
    }
    const groupOut = parts.find((p) => p.agent === 'lower1' || p.agent === 'lower2');
    if (groupOut) {
      const out = capital.find((c) => c.output.startsWith(groupOut.agent === 'lower2' ? 'high' : 'ordinary'));
      const why = out ? drivers(out.values, capitalWords) : '';
      if (out && why)
        asset.push(
          `Its group's share of the lower agents' capital is ${pctWords(out.fx)} (typical ${pctWords(out.baseValue)}), mostly because of ${why}.`,
        );
    }
  }
  const portfolio: string[] = [];
  const shares = a.agents.filter((g) => g.agent !== BAND && g.share > 0.0005).sort((p, q) => q.share - p.share);
  const bandShare = a.agents.find((g) => g.agent === BAND)?.share ?? 0;
  const topOf = (agent: string) =>
    a.assets
      .filter((r) => (r.parts.find((p) => p.agent === agent)?.contribution ?? 0) > 0.0005)
      .sort(
        (p, q) =>
          q.parts.find((z) => z.agent === agent)!.contribution - p.parts.find((z) => z.agent === agent)!.contribution,
      )
      .slice(0, 3)
      .map((r) => `${r.ticker} ${pctWords(r.parts.find((z) => z.agent === agent)!.contribution)}`);
  portfolio.push(
    `The book is ${shares.map((g) => `${pctWords(g.share)} from ${AGENT_WORDS[g.agent] ?? g.agent}${topOf(g.agent).length ? ` (largest: ${topOf(g.agent).join(', ')})` : ''}`).join('; ')}${Math.abs(bandShare) > 0.0005 ? `; ${points(bandShare).replace(' points', '%')} from ${AGENT_WORDS[BAND]}` : ''}${a.cash > 0.0005 ? `; and ${pctWords(a.cash)} cash` : ''}.`,
  );
  if (a.capital && a.fusionA !== null) {
    const lower = 1 - a.fusionA;
    portfolio.push(
      `The upper agent's guidance is fused at a = ${pctWords(a.fusionA, 0)}; the other ${pctWords(lower, 0)} goes to the lower agents, split ${pctWords(a.capital.c2)} high-quality, ${pctWords(a.capital.c1)} ordinary and ${pctWords(a.capital.cash)} cash — so the fused book's cash is ${pctWords(lower, 0)} × ${pctWords(a.capital.cash)} = ${pctWords(lower * a.capital.cash)}${Math.abs(lower * a.capital.cash - a.cash) >= 0.0005 ? `, and ${pctWords(a.cash)} once the no-trade band has left small trades undone` : ''}.`,
    );
    const cashOut = capital.find((c) => c.output.startsWith('cash'));
    const why = cashOut ? drivers(cashOut.values, capitalWords) : '';
    if (cashOut && why && Math.abs(cashOut.fx - cashOut.baseValue) >= 0.0005)
      portfolio.push(
        `That cash share is ${pctWords(cashOut.fx)} against ${pctWords(cashOut.baseValue)} on the run's typical day, mostly because of ${why}.`,
      );
    if (x.rebound?.capped && x.capitalBeforeCap)
      portfolio.push(
        `The rebound cap cut the lower agents' risky capital from ${pctWords(x.capitalBeforeCap.c1 + x.capitalBeforeCap.c2)} to ${pctWords(a.capital.c1 + a.capital.c2)} (${x.rebound.reasons.join('; ') || 'downtrend without a confirmed rebound'}).`,
      );
  }
  return { asset, portfolio };
}

/** A name's possessive: "Industrials'" for a plural word, "MSFT's" for a ticker. */
export function possessive(name: string): string {
  return /[a-z]s$/.test(name) ? `${name}'` : `${name}'s`;
}

/** The sentence's first letter in capitals. */
export function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
