/**
 * Market regimes and explanations: regime labels of a universe's equal-weight index with a volatility forecast,
 * and (per run) rebound flags, concentration and per-agent attributions (per layer for HADAPS runs).
 */
import { z } from 'zod';
import { Id, IsoDate, method } from './define';
import { JobInfo } from './jobs';
import { MplsModuleName, MplsVariant } from '../domain/decision';

export const TrendRegime = z.enum(['bull', 'bear', 'sideways']);
export const VolRegime = z.enum(['calm', 'normal', 'stressed']);

export const RegimesRequest = z.object({ universe: Id, from: IsoDate.optional(), to: IsoDate.optional() }).strict();
export const RegimesResponse = z.object({
  universe: Id,
  dates: z.array(IsoDate),
  /** equal-weight index, 1 on the first date */
  index: z.array(z.number()),
  trend: z.array(TrendRegime),
  volatility: z.array(VolRegime),
  changes: z.array(z.object({ date: IsoDate, kind: z.enum(['trend', 'vol']), from: z.string(), to: z.string() })),
  /** one-day-ahead volatility forecast of the index, annualised, with its uncertainty band (null until enough history) */
  volForecast: z.object({
    model: z.string(),
    sigma: z.array(z.number().nullable()),
    lower: z.array(z.number().nullable()),
    upper: z.array(z.number().nullable()),
    realised: z.array(z.number().nullable()),
    garch: z.object({ omega: z.number(), alpha: z.number(), beta: z.number(), fitFrom: IsoDate, fitTo: IsoDate }),
  }),
  shares: z.object({ trend: z.record(z.string(), z.number()), volatility: z.record(z.string(), z.number()) }),
  /** the documented rules, for the view's legend */
  rules: z.array(z.string()),
});
export type RegimesResponse = z.infer<typeof RegimesResponse>;

export const ReboundSettingsReq = z
  .object({
    drawdownThreshold: z.number().min(0.005).max(0.9).optional(),
    riseThreshold: z.number().min(0.001).max(2).optional(),
    minDays: z.number().int().min(1).max(250).optional(),
    peakLookback: z.number().int().min(5).max(2000).optional(),
    horizon: z.number().int().min(1).max(250).optional(),
  })
  .strict();

export const ReboundFlagOut = z.object({
  date: IsoDate,
  /** series the flag was raised on: 'market', a ticker, or a run's group label */
  series: z.string(),
  trough: z.number(),
  troughDate: IsoDate.nullable(),
  depth: z.number(),
  rise: z.number(),
  daysHeld: z.number().int(),
  thresholds: z.object({ drawdownThreshold: z.number(), riseThreshold: z.number(), minDays: z.number() }),
  /** what followed: a new low under the trough within the horizon (true = false rebound), null = not yet known */
  falseRebound: z.boolean().nullable(),
  daysToNewLow: z.number().int().nullable(),
  forwardReturn: z.number().nullable(),
  maxAdverse: z.number(),
});
export type ReboundFlagOut = z.infer<typeof ReboundFlagOut>;

export const ReboundSummaryOut = z.object({
  count: z.number().int(),
  falseCount: z.number().int(),
  undetermined: z.number().int(),
  falseRate: z.number().nullable(),
  meanForwardReturn: z.number().nullable(),
  hitRate: z.number().nullable(),
  horizon: z.number().int(),
});

export const MarketReboundsResponse = z.object({
  universe: Id,
  series: z.string(),
  dates: z.array(IsoDate),
  levels: z.array(z.number()),
  /** per day: normal | downtrend | rebound */
  phase: z.array(z.string()),
  flags: z.array(ReboundFlagOut),
  summary: ReboundSummaryOut,
  settings: z.record(z.string(), z.number()),
});
export type MarketReboundsResponse = z.infer<typeof MarketReboundsResponse>;

export const AgentExplanation = z.object({
  agent: z.string(),
  players: z.enum(['assets', 'time blocks']),
  ticker: z.string(),
  fx: z.number(),
  baseValue: z.number(),
  values: z.array(z.object({ player: z.string(), value: z.number() })),
  exact: z.boolean(),
  evaluations: z.number().int(),
  efficiencyGap: z.number(),
  /** days of prices per asset the agent reads */
  window: z.number().int().optional(),
});

/** The final book split into what each agent put into it, through the fusion and the capital split. */
export const PortfolioAttribution = z.object({
  /** fusion coefficient a; null for a single-agent policy */
  fusionA: z.number().nullable(),
  /** the lower agents' capital split after the rebound cap; null for a single-agent policy */
  capital: z.object({ c1: z.number(), c2: z.number(), cash: z.number() }).nullable(),
  /** each agent's part of the book and the multiplier on its own weights */
  agents: z.array(z.object({ agent: z.string(), share: z.number(), multiplier: z.number() })),
  cash: z.number(),
  /** every asset, largest final weight first, with each agent's own weight on it and its contribution */
  assets: z.array(
    z.object({
      ticker: z.string(),
      weight: z.number(),
      parts: z.array(z.object({ agent: z.string(), agentWeight: z.number(), contribution: z.number() })),
    }),
  ),
});
export type PortfolioAttribution = z.infer<typeof PortfolioAttribution>;

/** One layer of a HADAPS policy explained: each of its outputs attributed to one grouping of the inputs it reads. */
export const HadapsLayerExplanation = z.object({
  /** inter-class (class weights), intra-class (weights inside one class) or the flat ablation's one layer */
  layer: z.enum(['inter', 'intra', 'flat']),
  /** the class an intra-class layer allocates inside; null for the other layers */
  className: z.string().nullable(),
  /** one player per asset (its path over the window), or per stretch of time (every asset the layer reads) */
  players: z.enum(['assets', 'time blocks']),
  outputs: z.array(
    z.object({
      /** a class name (inter), a ticker (intra), or a ticker or the cash class (flat) */
      output: z.string(),
      fx: z.number(),
      baseValue: z.number(),
      /** in the layer's player order; the weights held are the player 'weights held' */
      values: z.array(z.object({ player: z.string(), value: z.number() })),
      efficiencyGap: z.number(),
    }),
  ),
  exact: z.boolean(),
  evaluations: z.number().int(),
});
export type HadapsLayerExplanation = z.infer<typeof HadapsLayerExplanation>;

/** A HADAPS decision explained layer by layer (the layers apart; docs/hadaps.md "Explanations"). */
export const HadapsExplanation = z.object({
  /** the policy's form: 'hierarchical' or an ablation ('flat', 'intra-only', 'inter-only') */
  policy: z.string(),
  /** days of every state */
  window: z.number().int(),
  /** every class and its tickers, cash last (no tickers) */
  classes: z.array(z.object({ name: z.string(), tickers: z.array(z.string()) })),
  /** the training days the baseline rows come from */
  backgroundDates: z.array(IsoDate),
  layers: z.array(HadapsLayerExplanation),
});
export type HadapsExplanation = z.infer<typeof HadapsExplanation>;

/** What decided at a level of a three-level decision: a trained model (its record) or a rule, by name. */
export const ThreeLevelDeciderOut = z.union([
  z.object({ kind: z.literal('model'), key: z.string(), trainedFrom: IsoDate, trainedTo: IsoDate }),
  z.object({ kind: z.literal('rule'), rule: z.string() }),
]);

/** One class's tilt attributed to the signal groups the tactical policy reads (exact Shapley values). */
export const TiltAttribution = z.object({
  /** the tilt against a typical month: the same strategic target, training-period signals, the book on target */
  baseValue: z.number(),
  /** one value per signal group (trend, volatility, drawdown, book), in that order; they sum to tilt − baseValue */
  values: z.array(z.object({ player: z.string(), value: z.number() })),
  efficiencyGap: z.number(),
});
export type TiltAttribution = z.infer<typeof TiltAttribution>;

/** A three-level decision explained level by level (docs/three-level.md "The desk"; src-main/explain/threelevel.ts). */
export const ThreeLevelExplanation = z.object({
  variant: z.string(),
  /** Level 1: the decision in force, its rule and each class's weight with the volatility the rule read */
  strategic: z.object({
    date: IsoDate,
    /** trading days since it was made, and until the next one */
    daysAgo: z.number().int(),
    nextIn: z.number().int(),
    decider: ThreeLevelDeciderOut,
    /** the trailing days the rule's volatilities cover */
    window: z.number().int(),
    classes: z.array(
      z.object({
        name: z.string(),
        weight: z.number(),
        /** the daily volatility of the class's equal-weight basket over the window (null for cash, or too short) */
        volatility: z.number().nullable(),
      }),
    ),
  }),
  /** Level 2: the tilts in force and why; null where the run has no tactical level (two-levels) */
  tactical: z
    .object({
      date: IsoDate,
      daysAgo: z.number().int(),
      nextIn: z.number().int(),
      decider: ThreeLevelDeciderOut,
      maxTilt: z.number(),
      classes: z.array(
        z.object({
          name: z.string(),
          strategic: z.number(),
          tilt: z.number(),
          target: z.number(),
          /** the class signals the policy read (null for cash) */
          signals: z
            .object({ trendShort: z.number(), trendLong: z.number(), volatility: z.number(), drawdown: z.number() })
            .nullable(),
          /** null without a learned policy (tilts fixed at 0) */
          attribution: TiltAttribution.nullable(),
        }),
      ),
      /** the training days the typical months come from */
      backgroundDates: z.array(IsoDate),
      /** the policy re-run on the rebuilt states gives the recorded tilts; null without a learned policy */
      reproduced: z.boolean().nullable(),
    })
    .nullable(),
  /** Level 3 on the decision day: each asset's gap to the period's target, the fraction traded, what is left */
  execution: z.object({
    decider: ThreeLevelDeciderOut,
    /** trading days of an execution period, and those left including today (null when no period is open) */
    horizon: z.number().int(),
    daysLeft: z.number().int().nullable(),
    assets: z.array(
      z.object({
        ticker: z.string(),
        className: z.string(),
        /** the target's weight drifted to today minus the book's before the trade */
        gapBefore: z.number(),
        fraction: z.number(),
        /** the weight bought (+) or sold (−) today */
        traded: z.number(),
        gapAfter: z.number(),
      }),
    ),
    /** half the summed absolute gaps (assets and cash) before and after the trade, and the one-way weight traded */
    gapBefore: z.number(),
    gapAfter: z.number(),
    traded: z.number(),
  }),
  /** the three levels in plain words, one list each */
  words: z.object({ strategic: z.array(z.string()), tactical: z.array(z.string()), execution: z.array(z.string()) }),
});
export type ThreeLevelExplanation = z.infer<typeof ThreeLevelExplanation>;

/** One output of an MPLS agent attributed to groups of the inputs it reads (Kernel SHAP; src-main/explain/mpls.ts). */
export const MplsOutputAttribution = z.object({
  /** a module (fusion agent), a sector (high-level agent) or a ticker (a low-level agent: its weight inside) */
  output: z.string(),
  fx: z.number(),
  /** the output on a typical day of the training period (the mean over the background days) */
  baseValue: z.number(),
  /** one value per group of inputs, in the agent's player order; they sum to fx − baseValue */
  values: z.array(z.object({ player: z.string(), value: z.number() })),
  efficiencyGap: z.number(),
});
export type MplsOutputAttribution = z.infer<typeof MplsOutputAttribution>;

/** One MPLS agent's outputs explained: the fusion agent, the high-level agent, or one sector's low-level agent. */
export const MplsAgentAttribution = z.object({
  agent: z.enum(['fusion', 'high', 'low']),
  /** the sector a low-level agent sets the weights inside; null for the fusion and high-level agents */
  sector: z.string().nullable(),
  outputs: z.array(MplsOutputAttribution),
  /** every coalition evaluated (12 players or fewer), else sampled */
  exact: z.boolean(),
  evaluations: z.number().int(),
});
export type MplsAgentAttribution = z.infer<typeof MplsAgentAttribution>;

/** The fusion agent's module weights over a whole MPLS run, from the decisions it recorded. */
export const MplsFusionSummary = z.object({
  dates: z.array(IsoDate),
  /** every module, MPLS_MODULES order */
  modules: z.array(
    z.object({
      name: MplsModuleName,
      /** on in the run's decisions (a module is on or off for a whole model) */
      on: z.boolean(),
      /** its weight on each date (0 where off) */
      weights: z.array(z.number()),
      mean: z.number(),
      /** the share of the decisions on which its weight was the largest */
      led: z.number(),
    }),
  ),
  /** the share of the decisions whose fused allocation the volatility module made conservative (null: module off) */
  conservative: z.number().nullable(),
});
export type MplsFusionSummary = z.infer<typeof MplsFusionSummary>;

/** An MPLS decision explained agent by agent (docs/mpls.md "Explanations"; src-main/explain/mpls.ts). */
export const MplsExplanation = z.object({
  variant: MplsVariant,
  /** L: days of every price and return window the agents read */
  window: z.number().int(),
  /** every sector: the fused allocation's weight, the high-level agent's weight and the weights inside (as decided) */
  sectors: z.array(
    z.object({
      name: z.string(),
      tickers: z.array(z.string()),
      fused: z.number(),
      weight: z.number(),
      intra: z.array(z.number()),
    }),
  ),
  /** the three modules, MPLS_MODULES order */
  modules: z.array(
    z.object({
      name: MplsModuleName,
      on: z.boolean(),
      /** why it is off (null when on) */
      reason: z.string().nullable(),
      /** the fusion agent's weight on its proposal */
      weight: z.number(),
      /** that weight on a typical training day (null when off, or without a fusion agent) */
      typical: z.number().nullable(),
      /** its proposal's largest sectors, largest first (empty when off) */
      top: z.array(z.object({ sector: z.string(), weight: z.number() })),
    }),
  ),
  /** the volatility module's conservative switch on the day (null when the module is off) */
  conservative: z
    .object({
      uncertainty: z.number(),
      threshold: z.number(),
      /** the fused allocation was made conservative */
      fired: z.boolean(),
      /** the model's setting: false when the switch is off, whatever the uncertainty */
      enabled: z.boolean(),
    })
    .nullable(),
  /** the fusion agent's module weights (null when no module is on: there is no fusion agent) */
  fusion: MplsAgentAttribution.nullable(),
  /** the high-level agent's sector weights */
  high: MplsAgentAttribution,
  /** each low-level agent (sectors of two or more stocks): the weights inside its sector */
  low: z.array(MplsAgentAttribution),
  /** the training days the typical day is the mean over */
  backgroundDates: z.array(IsoDate),
  /** re-running the stored agents on the rebuilt inputs gives the recorded weights */
  reproduced: z.boolean(),
  /** the fusion weights over the whole run */
  run: MplsFusionSummary,
  /** the agents in plain words, one list each */
  words: z.object({ fusion: z.array(z.string()), high: z.array(z.string()), low: z.array(z.string()) }),
});
export type MplsExplanation = z.infer<typeof MplsExplanation>;

export const RunExplanation = z.object({
  runId: Id,
  date: IsoDate,
  settings: z.object({ nSamples: z.number().int(), seed: z.number().int(), ticker: z.string().optional() }),
  agents: z.array(AgentExplanation),
  allocation: z.record(z.string(), z.unknown()).nullable(),
  capital: z
    .array(
      z.object({
        output: z.string(),
        fx: z.number(),
        baseValue: z.number(),
        values: z.array(z.object({ player: z.string(), value: z.number() })),
      }),
    )
    .nullable()
    .optional(),
  concentration: z.record(z.string(), z.object({ effectiveN: z.number(), hhi: z.number().nullable() })),
  elapsedMs: z.number(),
  createdAt: z.string(),
  /** the asset every agent explains: the one asked for, else the final book's largest holding */
  subject: z.string(),
  portfolio: PortfolioAttribution,
  /** the decision in plain words: the subject asset first, then the whole book */
  words: z.object({ asset: z.array(z.string()), portfolio: z.array(z.string()) }),
  /**
   * HADAPS runs: every layer's attributions (`agents` is empty; `portfolio` splits the book into its classes, each
   * part its class weight × the weights inside it)
   */
  hadaps: HadapsExplanation.optional(),
  /** three-level runs: every level explained (`agents` is empty; `portfolio` splits the book into its classes) */
  threeLevel: ThreeLevelExplanation.optional(),
  /** MPLS runs: each agent explained (`agents` is empty; `portfolio` splits the book into its sectors) */
  mpls: MplsExplanation.optional(),
});
export type RunExplanation = z.infer<typeof RunExplanation>;
export const ConcentrationSummary = z.record(
  z.string(),
  z.object({
    days: z.number().int(),
    meanEffectiveN: z.number().nullable(),
    meanHhi: z.number().nullable(),
    maxWeightMean: z.number().nullable(),
  }),
);

const ExplainRequest = z
  .object({
    runId: Id,
    date: IsoDate.optional(),
    nSamples: z.number().int().min(64).max(20_000).optional(),
    ticker: z.string().min(1).max(32).optional(),
  })
  .strict();

export const GroupingTimeline = z.object({
  runId: Id,
  strategy: z.string(),
  tickers: z.array(z.string()),
  /** every regrouping: the date it took effect and the high-quality members */
  changes: z.array(z.object({ date: IsoDate, high: z.array(z.string()), ordinary: z.array(z.string()) })),
  windowFrom: IsoDate,
  windowTo: IsoDate,
});
export type GroupingTimeline = z.infer<typeof GroupingTimeline>;

/** The rebound detector's state and the capital it left the lower agents, per decision of a SAMP-HDRL run. */
export const CapitalCuts = z.object({
  runId: Id,
  strategy: z.string(),
  windowFrom: IsoDate,
  windowTo: IsoDate,
  /** false for runs whose detector was off (no-rebound ablation) or that record no rebound state */
  enabled: z.boolean(),
  /** the detector's thresholds as the run used them (fractions; null when it recorded none) */
  thresholds: z
    .object({ drawdownThreshold: z.number(), riseThreshold: z.number(), minDays: z.number(), downtrendCap: z.number() })
    .nullable(),
  days: z.array(
    z.object({
      date: IsoDate,
      /** the risky capital was capped that day */
      capped: z.boolean(),
      reasons: z.array(z.string()),
      /** risky share of the lower agents' capital (c1 + c2) before and after the cap */
      riskyBefore: z.number(),
      riskyAfter: z.number(),
      /** phase of each series the detector watches: normal | downtrend | rebound */
      phase: z.record(z.string(), z.string()),
      /** fall from the trailing peak per series, >= 0 */
      drawdown: z.record(z.string(), z.number()),
      /** series on which a rebound was confirmed that day */
      rebounds: z.array(z.string()),
    }),
  ),
});
export type CapitalCuts = z.infer<typeof CapitalCuts>;

export const explainMethods = {
  'runs.capitalCuts': method(
    "A SAMP-HDRL run's rebound state and capital cut per decision, from its recorded decisions",
    z.object({ runId: Id }).strict(),
    CapitalCuts,
  ),
  'runs.groupings': method(
    'Every regrouping of a SAMP-HDRL run (which assets were high-quality when)',
    z.object({ runId: Id }).strict(),
    GroupingTimeline,
  ),
  'explain.get': method(
    "The stored per-agent explanation of a run's decision (null when not computed yet)",
    z.object({ runId: Id, date: IsoDate.optional() }).strict(),
    RunExplanation.nullable(),
  ),
  'explain.run': method(
    'Compute per-agent Kernel SHAP explanations of a decision as a job (stored; explain.get serves them)',
    ExplainRequest,
    JobInfo,
  ),
  'explain.concentration': method(
    'Mean effective number of holdings and Herfindahl per agent over a run',
    z.object({ runId: Id }).strict(),
    ConcentrationSummary,
  ),
  'market.rebounds': method(
    "Rebound detector over a universe's equal-weight index (or one ticker): flags with the thresholds met and what followed",
    z
      .object({
        universe: Id,
        ticker: z.string().min(1).max(32).optional(),
        from: IsoDate.optional(),
        to: IsoDate.optional(),
        settings: ReboundSettingsReq.optional(),
      })
      .strict(),
    MarketReboundsResponse,
  ),
  'market.regimes': method(
    "Trend and volatility regimes of a universe's equal-weight index, with a volatility forecast band",
    RegimesRequest,
    RegimesResponse,
  ),
};
