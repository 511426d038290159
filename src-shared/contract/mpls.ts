/**
 * MPLS on the desk (issue 19, docs/mpls.md "Desk"): a run's fusion and sectors over its test days (runs.mpls, read
 * from the decisions it stored) and its graph module at one test day (mpls.graph, read from the run's stored model,
 * whose graph module is rebuilt without retraining). A day's own decision (its modules, proposals, fusion weights,
 * fused allocation and sectors) is runs.weights' detail (src-shared/domain/decision.ts MplsDecisionDetail).
 */
import { z } from 'zod';
import { ClassBasis, MplsModuleName, MplsVariant } from '../domain/decision';
import { Id, IsoDate, method } from './define';

/**
 * An MPLS run over its decision days: the fusion agent's weight on each module, each sector's weight as the
 * high-level agent set it (before the trade rule) and the days the volatility module turned the fused allocation
 * conservative. Built by src-shared/charts/mpls.ts mplsTimelineOf, drawn by its moduleWeightsOption and
 * sectorAllocationOption.
 */
export const MplsTimeline = z.object({
  variant: MplsVariant,
  basis: ClassBasis,
  dates: z.array(IsoDate),
  /** the three modules, MPLS_MODULES order: `weights[i]` is the fusion weight on `dates[i]` (0 while off) */
  modules: z.array(
    z.object({
      name: MplsModuleName,
      /** on at every decision day of the run */
      on: z.boolean(),
      /** why it was off (the first off day's reason; null while on every day) */
      reason: z.string().nullable(),
      weights: z.array(z.number()),
    }),
  ),
  /** every sector in the run's order: `weights[i]` is its weight on `dates[i]` */
  sectors: z.array(z.object({ name: z.string(), tickers: z.array(z.string()), weights: z.array(z.number()) })),
  /** indices into `dates` of the days the fused allocation was made conservative */
  conservativeDays: z.array(z.number().int().min(0)),
});
export type MplsTimeline = z.infer<typeof MplsTimeline>;

/** The graph module of an MPLS run at one test day (src-main/agents/mpls/graphModule.ts graphSnapshot). */
export const MplsGraph = z.object({
  id: Id,
  /** the test day shown: the run's last decision day on or before the date asked */
  date: IsoDate,
  /** the day whose closes the correlation graph in force was computed from (refreshed every `refreshEvery` days) */
  refreshDate: IsoDate,
  /** the graph's settings: correlation window and refresh interval in days, the |rho| an edge needs */
  corrWindow: z.number().int(),
  refreshEvery: z.number().int(),
  threshold: z.number(),
  /** the sectors in the run's order (the nodes' colours follow it) */
  sectors: z.array(z.string()),
  /** every asset, price-matrix order: its sector and the module's score (a predicted cross-sectional z-score) */
  nodes: z.array(z.object({ ticker: z.string(), sector: z.string(), score: z.number() })),
  /**
   * the strongest edges by |rho|, strongest first: the correlation with its sign, and the last attention layer's
   * weight of a on b (`attentionAB`), of b on a (`attentionBA`) and their mean (`attention`)
   */
  edges: z.array(
    z.object({
      a: z.string(),
      b: z.string(),
      rho: z.number(),
      attention: z.number(),
      attentionAB: z.number(),
      attentionBA: z.number(),
    }),
  ),
  /** edges of the graph in force (self loops excluded); `edges` holds the strongest of them */
  edgeCount: z.number().int().min(0),
});
export type MplsGraph = z.infer<typeof MplsGraph>;

/** The most edges mpls.graph returns. */
export const MPLS_GRAPH_EDGES = 30;

export const mplsMethods = {
  'runs.mpls': method(
    "An MPLS run's module fusion weights and sector allocation over its decision days, with the days the allocation turned conservative (null for a run of another family)",
    z.object({ id: Id }).strict(),
    MplsTimeline.nullable(),
  ),
  'mpls.graph': method(
    "An MPLS run's graph module at a test day (its last decision day on or before `date`): every asset with its sector and score, and the strongest correlation edges with the attention across them",
    z.object({ id: Id, date: IsoDate }).strict(),
    MplsGraph,
  ),
};
