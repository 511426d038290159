/**
 * One MPLS day, from the modules' outputs and the weights held to the book's target (docs/mpls.md "A day"), the one
 * definition the training (trainer.ts), the validation runs and the strategy's decisions (strategies/mpls) share:
 *
 *   1. the modules that are on give their sector proposals and features for day t (modules.ts); an off module
 *      gives a zero proposal and no features, and its mask entry is 0;
 *   2. fusion agent: module weights alpha [3] (an off module's exactly 0); fused = sum_m alpha_m proposal_m; then,
 *      when the volatility module is on and its uncertainty is above its threshold, its conservative allocation
 *      of the fused one (injected as {@link ConservativeRule}); with every module off the fused allocation is
 *      equal over the sectors (nothing to fuse) and the fusion agent does not exist;
 *   3. high-level agent: sector weights [S] from the fused allocation, each sector's return window and the sector
 *      weights held;
 *   4. low-level agents: the weights inside each sector of two or more assets, from the members' price windows,
 *      their graph embeddings and the weights inside the sector held (a one-asset sector's weight inside is 1);
 *   5. target of asset i = sector weight x weight inside the sector ({@link composeWeights}); the trade rule (the
 *      no-trade band and the trade rate, agents/samp/trading.ts bandedPartialTrade) then turns the target into the trade, in training
 *      by agents/samp/env.ts PortfolioEnv.step, at decision time by the same functions (strategies/hadaps hadapsTrade).
 *
 * States (network.ts says their layout): the price windows are agents/samp/features.ts volatilityFeatures (daily
 * log returns over the last L days divided by each asset's volatility over `volatilityWindow` days, clipped); a
 * sector's return window is the mean of its members' rows of them. Only closes up to day t are read.
 *
 * The episode reward ({@link episodeReward}): 0 on every day but an episode's last, where it is
 * sharpeCoef x Sharpe - volCoef x annualised volatility of the episode's daily net returns ((1 - cost) growth - 1,
 * costs charged by PortfolioEnv): Sharpe as the validation's (agents/samp/selection.ts netSharpe, annualised by
 * sqrt(252), risk-free rate 0), volatility the sample standard deviation times sqrt(252).
 */
import { MPLS_MODULES, type MplsModuleName } from '../../../src-shared/domain/decision';
import type { ClassLayout } from '../hadaps/classes';
import { volatilityFeatures } from '../samp/features';
import { netSharpe, VALIDATION_PERIODS_PER_YEAR } from '../samp/selection';
import type { MplsConfig } from './config';
import type { ModuleDay, MplsModule } from './modules';
import { lowInput, lowSectors, N_MODULES, sectorCount, type MplsShape } from './network';

/** An agent's state inputs by name (one sample, flat). */
export type AgentState = Record<string, Float32Array>;

/**
 * The volatility module's conservative switch for day t: the conservative allocation of `fused`, or null when the
 * day's uncertainty is not above its threshold (agents/mpls/volatility.ts).
 */
export type ConservativeRule = (t: number, fused: Float64Array) => Float64Array | null;

/** What the three agents give for their states (the learners in training, the ONNX policies at decision time). */
export interface MplsAgents {
  /** module weights [3] (an off module's 0); absent when no module is on */
  fusion?: (s: AgentState) => Float64Array;
  /** sector weights [S] */
  high: (s: AgentState) => Float64Array;
  /** weights inside every low-level sector side by side [M] (network.ts lowSectors order); absent when none */
  low?: (s: AgentState) => Float64Array;
}

/** Everything a day's decision produced. */
export interface MplsDayDecision {
  /** the fusion agent's module weights, MPLS_MODULES order (all 0 when no module is on) */
  alpha: Float64Array;
  /** each module's proposal, MPLS_MODULES order (null when off) */
  proposals: (Float64Array | null)[];
  /** the fused sector allocation after the conservative switch (what conditioned the high-level agent) */
  fused: Float64Array;
  /** whether the conservative switch changed the fused allocation */
  conservative: boolean;
  /** the high-level agent's sector weights */
  sectors: Float64Array;
  /** the weights inside each sector, per sector (layout order; [1] for a one-asset sector) */
  intra: Float64Array[];
  /** the target over the assets: sector weight x weight inside (sums to 1) */
  target: Float64Array;
}

/** Softmax of `u` in float64. */
export function softmax(u: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < u.length; i++) max = Math.max(max, u[i]!);
  const out = new Float64Array(u.length);
  let s = 0;
  for (let i = 0; i < u.length; i++) s += out[i] = Math.exp(u[i]! - max);
  for (let i = 0; i < u.length; i++) out[i] = out[i]! / s;
  return out;
}

/**
 * The fusion softmax over the modules that are on: softmax of their logits, exactly 0 for the modules that are
 * off (all 0 when none is on).
 */
export function maskedSoftmax(u: ArrayLike<number>, on: readonly boolean[]): Float64Array {
  const idx = on.flatMap((x, m) => (x ? [m] : []));
  const out = new Float64Array(on.length);
  if (!idx.length) return out;
  const w = softmax(idx.map((m) => u[m]!));
  idx.forEach((m, k) => (out[m] = w[k]!));
  return out;
}

/** sum_m alpha_m proposal_m over the modules that are on; equal over the S sectors when none is. */
export function fuse(
  alpha: ArrayLike<number>,
  proposals: readonly (ArrayLike<number> | null)[],
  S: number,
): Float64Array {
  const out = new Float64Array(S);
  let any = false;
  proposals.forEach((p, m) => {
    if (!p) return;
    any = true;
    for (let c = 0; c < S; c++) out[c]! += alpha[m]! * p[c]!;
  });
  if (!any) out.fill(1 / S);
  return out;
}

/** The weights over the assets: sector weight x weight inside it (`intra[c]` in the sector's member order). */
export function composeWeights(
  layout: ClassLayout,
  sectors: ArrayLike<number>,
  intra: readonly ArrayLike<number>[],
): Float64Array {
  const w = new Float64Array(layout.nAssets);
  layout.classes.forEach((c, ci) => {
    const inside = intra[ci]!;
    if (inside.length !== c.members.length)
      throw new RangeError(`sector ${c.name}: ${inside.length} weights inside for ${c.members.length} members`);
    c.members.forEach((i, k) => (w[i] = sectors[ci]! * inside[k]!));
  });
  return w;
}

/** Each sector's share of the held weights `held` (risky weights over the assets). */
export function sectorHoldings(layout: ClassLayout, held: ArrayLike<number>): Float64Array {
  return Float64Array.from(layout.classes, (c) => c.members.reduce((a, i) => a + held[i]!, 0));
}

/** Splits the low-level agents' side-by-side weights [M] into one vector per sector (ones for one-asset sectors). */
export function intraBySector(sh: Pick<MplsShape, 'layout'>, low: ArrayLike<number> | null): Float64Array[] {
  const out = sh.layout.classes.map((c) => new Float64Array(c.members.length).fill(1 / c.members.length));
  let o = 0;
  for (const c of lowSectors(sh)) {
    if (!low) throw new Error('the low-level agents gave no weights');
    const m = c.members.length;
    out[c.sector] = Float64Array.from({ length: m }, (_, k) => low[o + k]!);
    o += m;
  }
  return out;
}

/**
 * sharpeCoef x Sharpe - volCoef x annualised volatility of an episode's daily net returns (see the file
 * overview); an episode of fewer than two returns has neither, and scores 0.
 */
export function episodeReward(returns: ArrayLike<number>, cfg: Pick<MplsConfig, 'sharpeCoef' | 'volCoef'>): number {
  const n = returns.length;
  if (n < 2) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += returns[i]!;
  const mean = s / n;
  let q = 0;
  for (let i = 0; i < n; i++) q += (returns[i]! - mean) ** 2;
  const vol = Math.sqrt(q / (n - 1)) * Math.sqrt(VALIDATION_PERIODS_PER_YEAR);
  return cfg.sharpeCoef * netSharpe(returns) - cfg.volCoef * vol;
}

/** The modules that are on, by name (an off module is absent). */
export type OnModules = Partial<Record<MplsModuleName, MplsModule>>;

/** The on/off mask of a set of modules, MPLS_MODULES order. */
export function moduleMask(modules: OnModules): boolean[] {
  return MPLS_MODULES.map((m) => modules[m] !== undefined);
}

/**
 * The agents' states for any day of one price matrix, from the modules that are on (cached per day: the modules
 * and the windows are pure functions of the day).
 */
export class MplsStates {
  readonly S: number;
  readonly n: number;
  private readonly mods: (MplsModule | undefined)[];
  private readonly days = new Map<number, (ModuleDay | null)[]>();
  private readonly windows = new Map<number, Float32Array>();

  constructor(
    readonly sh: MplsShape,
    private readonly closes: (d: number) => ArrayLike<number>,
    modules: OnModules,
    private readonly cfg: Pick<MplsConfig, 'window' | 'volatilityWindow'>,
  ) {
    this.S = sectorCount(sh);
    this.n = sh.layout.nAssets;
    this.mods = MPLS_MODULES.map((m) => modules[m]);
    this.mods.forEach((m, k) => {
      if (!m !== !sh.on[k]) throw new Error(`module ${MPLS_MODULES[k]}: on/off differs from the networks' shape`);
      if (m && m.sectorWidth !== sh.sectorWidths[k])
        throw new Error(
          `module ${m.name}: ${m.sectorWidth} sector features, the networks expect ${sh.sectorWidths[k]}`,
        );
    });
    const graph = modules.graph;
    if ((graph?.assetWidth ?? 0) !== sh.assetWidth)
      throw new Error(`graph module: ${graph?.assetWidth ?? 0} asset features, the networks expect ${sh.assetWidth}`);
  }

  /** The first day every module that is on can be read (0 when none is on). */
  get firstDay(): number {
    return Math.max(0, ...this.mods.map((m) => m?.firstDay ?? 0));
  }

  /** The modules' outputs at day t, MPLS_MODULES order (null when off). */
  moduleDays(t: number): (ModuleDay | null)[] {
    let d = this.days.get(t);
    if (!d) {
      d = this.mods.map((m) => {
        if (!m) return null;
        const day = m.day(t);
        if (day.proposal.length !== this.S)
          throw new Error(`module ${m.name}: a proposal of ${day.proposal.length} sectors, the layout has ${this.S}`);
        return day;
      });
      this.days.set(t, d);
    }
    return d;
  }

  /** The price windows [N x L] at day t. */
  priceWindows(t: number): Float32Array {
    let w = this.windows.get(t);
    if (!w) {
      w = volatilityFeatures(this.closes, t, this.n, this.cfg.window, this.cfg.volatilityWindow);
      this.windows.set(t, w);
    }
    return w;
  }

  /** The fusion agent's state at day t with `sectorsHeld` the sector weights held. */
  fusion(t: number, sectorsHeld: ArrayLike<number>): AgentState {
    const S = this.S;
    const days = this.moduleDays(t);
    const width = N_MODULES * S + S * this.sh.sectorWidths.reduce((a, b) => a + b, 0) + S + N_MODULES;
    const f = new Float32Array(width);
    let o = 0;
    for (const d of days) {
      if (d) f.set(d.proposal, o);
      o += S;
    }
    for (const d of days) {
      if (!d) continue;
      f.set(d.sectorFeatures, o);
      o += d.sectorFeatures.length;
    }
    for (let c = 0; c < S; c++) f[o++] = sectorsHeld[c]!;
    const mask = Float32Array.from(this.sh.on, (x) => (x ? 1 : 0));
    f.set(mask, o);
    return { f, mask };
  }

  /** The high-level agent's state at day t. */
  high(t: number, fused: ArrayLike<number>, sectorsHeld: ArrayLike<number>): AgentState {
    const S = this.S;
    const L = this.cfg.window;
    const x = this.priceWindows(t);
    const h = new Float32Array(S + S * L + S);
    for (let c = 0; c < S; c++) h[c] = fused[c]!;
    this.sh.layout.classes.forEach((cls, c) => {
      for (let j = 0; j < L; j++) {
        let s = 0;
        for (const i of cls.members) s += x[i * L + j]!;
        h[S + c * L + j] = s / cls.members.length;
      }
    });
    for (let c = 0; c < S; c++) h[S + S * L + c] = sectorsHeld[c]!;
    if (!this.sh.cfg.residualHigh) return { h };
    // log of the fused allocation, floored so a sector the fusion gives nothing keeps a finite logit
    return { h, logFused: Float32Array.from(fused, (v) => Math.log(Math.max(v, 1e-6))) };
  }

  /** The low-level agents' states at day t with `held` the asset weights held. */
  low(t: number, held: ArrayLike<number>, sectorsHeld: ArrayLike<number>): AgentState {
    const L = this.cfg.window;
    const G = this.sh.assetWidth;
    const x = this.priceWindows(t);
    const emb = this.moduleDays(t)[MPLS_MODULES.indexOf('graph')]?.assetFeatures;
    const out: AgentState = {};
    for (const c of lowSectors(this.sh)) {
      const m = c.members.length;
      const s = new Float32Array(m * (L + G + 1));
      const sw = sectorsHeld[c.sector]!;
      c.members.forEach((i, k) => {
        s.set(x.subarray(i * L, (i + 1) * L), k * L);
        if (G && emb) s.set(emb.subarray(i * G, (i + 1) * G), m * L + k * G);
        // the weight inside the sector held, times m so that equal weights read 1 (equal when the sector is empty)
        s[m * (L + G) + k] = sw > 0 ? (m * held[i]!) / sw : 1;
      });
      out[lowInput(c.sector)] = s;
    }
    return out;
  }

  /**
   * The whole day (see the file overview): the agents act in order on the states they see, `rule` applies the
   * conservative switch.
   */
  decide(t: number, held: ArrayLike<number>, agents: MplsAgents, rule: ConservativeRule | null): MplsDayDecision {
    const S = this.S;
    const sectorsHeld = sectorHoldings(this.sh.layout, held);
    const days = this.moduleDays(t);
    const alpha = agents.fusion ? agents.fusion(this.fusion(t, sectorsHeld)) : new Float64Array(N_MODULES);
    if (!agents.fusion && this.sh.on.some(Boolean)) throw new Error('modules are on but there is no fusion agent');
    const proposals = days.map((d) => d?.proposal ?? null);
    let fused = fuse(alpha, proposals, S);
    let conservative = false;
    if (rule) {
      const c = rule(t, fused);
      if (c) {
        fused = c;
        conservative = true;
      }
    }
    const sectors = agents.high(this.high(t, fused, sectorsHeld));
    const low = agents.low ? agents.low(this.low(t, held, sectorsHeld)) : null;
    const intra = intraBySector(this.sh, low);
    return {
      alpha,
      proposals,
      fused,
      conservative,
      sectors,
      intra,
      target: composeWeights(this.sh.layout, sectors, intra),
    };
  }
}
