/**
 * Per-agent explanations of one decision of a stored run (method.md SAMP-HDRL step 8): Kernel SHAP over grouped
 * input features, for each agent's output weight on the asset it weights most (or a chosen ticker).
 *
 * Strategy-agnostic core: an {@link ExplainablePolicy} gives the input vector of a date, background rows from the
 * training window, and a batch evaluator of its agents' outputs; this module only forms players and calls SHAP.
 * Players (grouped features, so results stay readable):
 * - upper agent: one player per asset (all its time steps), and separately one per time block
 *   (last 5 days, days 6-21, older) — two explanations of the same output;
 * - each lower agent: one player per asset of its group (features of other assets held at the date's values);
 * The capital split and fusion are closed-form rules (utility, momentum, rebound cap); their inputs are reported
 * as they were that day rather than attributed by SHAP.
 */
import { kernelShap, SHAP_DEFAULTS, type ShapResult } from './shap';

export interface ExplainablePolicy {
  tickers: string[];
  /** features per asset (L time steps), layout [asset * L + step], oldest step first */
  window: number;
  /** agents this policy has and which assets each may hold (mask) */
  agents: { name: string; mask: boolean[] }[];
  /** the decision's input */
  x: Float64Array;
  /** reference inputs from the training window */
  background: Float64Array[];
  /** outputs (weights over all assets) of every agent for a batch of inputs */
  evaluate(rows: Float64Array[]): Record<string, Float64Array[]>;
}

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
}

/** Time blocks of a window of L days, newest first: last 5 days, days 6-21, older. */
export function timeBlocks(L: number): { name: string; steps: number[] }[] {
  const blocks: { name: string; from: number; to: number }[] = [
    { name: 'last week (1-5 days)', from: 1, to: 5 },
    { name: 'last month (6-21 days)', from: 6, to: 21 },
    { name: 'older (22+ days)', from: 22, to: Infinity },
  ];
  return blocks
    .map((b) => ({ name: b.name, steps: Array.from({ length: L }, (_, j) => j).filter((j) => L - j >= b.from && L - j <= b.to) }))
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
      const r: ShapResult = kernelShap(model, p.x, p.background, players, { nSamples: s.nSamples, seed: s.seed, exactMaxPlayers: SHAP_DEFAULTS.exactMaxPlayers });
      const sum = r.values.reduce((x, y) => x + y, 0);
      out.push({
        agent: a.name,
        players: kind,
        ticker: p.tickers[target]!,
        fx: r.fx,
        baseValue: r.baseValue,
        values: names.map((nm, k) => ({ player: nm, value: r.values[k]! })).sort((x, y) => Math.abs(y.value) - Math.abs(x.value)),
        exact: r.exact,
        evaluations: r.evaluations,
        efficiencyGap: Math.abs(sum - (r.fx - r.baseValue)),
      });
    };
    const members = p.tickers.map((_, i) => i).filter((i) => a.mask[i]);
    run(members.map(assetFeatures), members.map((i) => p.tickers[i]!), 'assets');
    if (a.name === 'upper') {
      const blocks = timeBlocks(L);
      run(blocks.map((b) => Array.from({ length: n }, (_, i) => b.steps.map((j) => i * L + j)).flat()), blocks.map((b) => b.name), 'time blocks');
    }
  }
  return out;
}
