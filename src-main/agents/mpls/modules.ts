/**
 * What MPLS's three modules give the agents (docs/mpls.md "Modules"): the one interface between the modules
 * (volatility.ts, graphModule.ts, sentiment.ts: each fitted on the training days only, then read day by day) and
 * the fusion, high-level and low-level agents (network.ts, trainer.ts) that read them.
 *
 * Every module reads, for day t, only data up to and including day t's close (the decision is made at that close
 * and trades at it, as every strategy here). Its output at t is
 *   - a sector proposal: an allocation over the sectors (the run's {@link ClassLayout} risky classes, in order),
 *     non-negative, summing to 1: what the module alone would hold;
 *   - features the agents read as state: per sector (`sectorFeatures`, [S x sectorWidth], sector-major) and,
 *     for the graph module, per asset (`assetFeatures`, [N x assetWidth], asset-major, the GAT embeddings).
 * A module that is off (switched off by an ablation, or the sentiment module without news or a model) is not built
 * at all; the agents see a zero proposal and zero features in its place, and the fusion agent's weight on it is
 * forced to 0 (masked softmax), so an off module can neither help nor hurt.
 */
import type { MplsModuleName } from '../../../src-shared/domain/decision';

/** One module's output for one day (see the file overview). */
export interface ModuleDay {
  /** [S], non-negative, sums to 1 */
  proposal: Float64Array;
  /** [S x sectorWidth] sector-major (empty when the module has no sector features) */
  sectorFeatures: Float32Array;
  /** [N x assetWidth] asset-major (empty when the module has no asset features) */
  assetFeatures: Float32Array;
}

/** A fitted module, read day by day. */
export interface MplsModule {
  readonly name: MplsModuleName;
  /** features per sector in `sectorFeatures` */
  readonly sectorWidth: number;
  /** features per asset in `assetFeatures` */
  readonly assetWidth: number;
  /** the first day `day` can be read on (it needs this many earlier closes) */
  readonly firstDay: number;
  /** the module's output at day t (t >= firstDay, t < the price matrix's length); pure: the same t, the same output */
  day(t: number): ModuleDay;
}

/** The volatility module's extra reading for a day (what the conservative switch and the desk need). */
export interface VolatilityReading {
  /** forecast annualised volatility of each sector over the next period, [S] */
  forecast: Float64Array;
  /** the forecast's uncertainty at day t */
  uncertainty: number;
  /** the uncertainty above which the allocation turns conservative (a quantile of the training days' values) */
  threshold: number;
}

/** The volatility module: a module plus its forecast and uncertainty. */
export interface VolatilityModule extends MplsModule {
  readonly name: 'volatility';
  reading(t: number): VolatilityReading;
}
