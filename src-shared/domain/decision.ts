/**
 * Why this file is long: it is the one schema of what every strategy family records with a decision (a
 * discriminated union must see all its members), and each family's member is short; splitting families into
 * files would make them import the shared pieces (model, concentration) from here while this file imports them
 * back, an import cycle.
 *
 * The detail a strategy records with each day's decision (StrategyDecision.detail in src-main/strategies/types.ts):
 * one zod schema for every strategy family, a union discriminated by `family`. The strategy writes it (typed with
 * the schema's z.input), the store keeps it as JSON in `run_details` and parses it with this schema when reading,
 * and the contract (runs.weights), the explanations, the reports and the desk read its typed fields.
 *
 * Families:
 * - 'samp': SAMP-HDRL and its ablations (src-main/strategies/samp/model.ts): the grouping in force, the capital
 *   split before and after the rebound cap with each group's utility, the fusion coefficient, the rebound
 *   detector's state and the agents' concentration. `cash` (the cash the fused portfolio holds) is absent for
 *   the upper-only ablation, whose weights are the upper agent's.
 * - 'ddpg-flat': the flat DDPG baseline trained by the same code: its concentration only.
 * - 'td3-flat', 'sac-flat', 'ppo-flat', 'a2c-flat': the flat agent trained with TD3, SAC, PPO or A2C instead
 *   (docs/drl-baselines.md): the same shape as 'ddpg-flat' ({@link FlatDecisionDetailInput}), each its own family
 *   so a row says which algorithm decided.
 * - Seed ensembles (samp-hdrl/ensemble, ddpg-flat/ensemble) write their members' family, with `ensemble` naming
 *   the members they averaged and no single `model`.
 * - 'eiie': EIIE and its RNN and LSTM variants (src-main/strategies/eiie): the evaluator, the cash its portfolio
 *   holds and the model that decided.
 * - 'ppn': PPN (src-main/strategies/ppn): the cash its portfolio holds and the model that decided.
 * - 'hadaps': HADAPS and its ablations (src-main/strategies/hadaps, docs/hadaps.md): how the asset classes were
 *   formed, each class's weight and the weights inside it, the action scale and the model that decided.
 * - 'lhs': the MLP and CNN Long/Hold/Short classifier baselines (src-main/strategies/lhs): how many assets each
 *   class got, the tickers predicted Long (held at equal weight), the cash and the model that decided.
 * - 'maps': MAPS, the HADAPS paper's multi-agent value baseline (src-main/strategies/maps): how many assets each
 *   action won, the tickers held, the number of agents and how far they agreed, the cash and the model.
 * - 'three-level': the three-level hierarchy and its ablations (src-main/strategies/threelevel,
 *   docs/three-level.md): each class's strategic weight, tactical tilt and combined target, the day's execution
 *   fractions, the days to the next tactical decision and what decided at each level.
 * - 'mpls': MPLS and its module ablations (src-main/strategies/mpls, docs/mpls.md): each module's state (on, or
 *   off and why), its sector proposal and the fusion agent's weight on it, the fused sector allocation that
 *   conditioned the high-level agent, each sector's weight and the weights inside it, the volatility module's
 *   forecast and uncertainty, and the model that decided.
 * - 'classic': the classic baselines that record something (static optimisers: the day of the last estimate and
 *   any fallback note; hindsight references: their gap or chosen asset).
 *
 * Numbers: JSON has no NaN or Infinity (the store writes them as null), so a figure that can be non-finite is
 * nullable here (null = not a finite number); in memory the strategy may hold the non-finite value.
 *
 * Stored rows written before the `family` field existed are read through {@link StoredDecisionDetail}, whose one
 * normaliser adds the family those rows had implicitly (see {@link withFamily}); nothing else about them differs.
 */
import { z } from 'zod';
import { IsoDay } from './runConfig';

/** The SAMP-HDRL strategy ids: the full method, its ablations and variants, and the flat DRL baselines. */
export const SAMP_VARIANTS = [
  'samp-hdrl',
  'samp-hdrl/no-dc',
  'samp-hdrl/no-utility',
  'samp-hdrl/no-rebound',
  'samp-hdrl/upper-only',
  'samp-hdrl/lower-only',
  'ddpg-flat',
  // issue 15: the capital split's rules as variants (strategies/samp/index.ts SETTING_VARIANTS)
  'samp-hdrl/fixed-temperature',
  'samp-hdrl/rebound-gate',
  // issue 15: each anti-turnover training setting switched off alone (strategies/samp/model.ts variantConfig)
  'samp-hdrl/no-holdings',
  'samp-hdrl/no-band',
  'samp-hdrl/no-turnover-penalty',
  'samp-hdrl/rebased-features',
  // issue 21: the flat agent trained with TD3 and with SAC (docs/drl-baselines.md)
  'td3-flat',
  'sac-flat',
  // issue 21: the flat agent trained on-policy with PPO and with A2C
  'ppo-flat',
  'a2c-flat',
] as const;
export const SampVariant = z.enum(SAMP_VARIANTS);
export type SampVariant = z.infer<typeof SampVariant>;

/** A figure that may be non-finite in memory: null once stored (see the file overview). */
const Figure = z.number().nullable();

/** The MPLS part of a detail (modules, fusion, sectors), or null for any other family or none. */
export function mplsDetail(d: DecisionDetail | null | undefined): MplsDecisionDetail | null {
  return d?.family === 'mpls' ? d : null;
}

/** The model that made a decision (learned strategies): enough to reload it for explanations. */
export const DecisionModel = z.object({
  /** training key: the model file is hdrl-data/models/<key>.json next to the database */
  key: z.string(),
  /** sha256 of the exported ONNX policy */
  sha256: z.string(),
  /** the TensorFlow.js backend that trained it */
  backend: z.string(),
  trainedFrom: IsoDay,
  trainedTo: IsoDay,
});
export type DecisionModel = z.infer<typeof DecisionModel>;

/** The two SAMP-HDRL groups in force at a decision, by ticker. Also the rows of the `groupings` table. */
export const SampGroups = z.object({
  high: z.array(z.string()),
  ordinary: z.array(z.string()),
  /** the day whose data the grouping was computed from */
  groupingDate: IsoDay,
  /** K-means found no split and the rank-split fallback was used */
  degenerate: z.boolean(),
});
export type SampGroups = z.infer<typeof SampGroups>;

/** Capital fractions: c1 to the ordinary group, c2 to the high-quality group, the rest in cash. */
export const CapitalSplit = z.object({ c1: z.number(), c2: z.number(), cash: z.number() });
export type CapitalSplit = z.infer<typeof CapitalSplit>;

/** One group's utility breakdown (src-main/strategies/samp/logic/utility.ts GroupUtility). */
export const GroupUtility = z.object({
  mean: z.number(),
  variance: z.number(),
  utility: z.number(),
  momentumReturn: z.number(),
  /** ±Infinity when the group's returns did not vary: null once stored */
  momentumStrength: Figure,
  tilt: z.number(),
  adjusted: z.number(),
});

/** The rebound detector's state on one series (src-main/strategies/samp/allocation.ts ReboundSummary). */
export const ReboundSeriesState = z.object({
  phase: z.enum(['normal', 'downtrend', 'rebound']),
  inDowntrend: z.boolean(),
  /** a rebound was confirmed on this day */
  rebound: z.boolean(),
  /** fall from the trailing peak, >= 0 */
  drawdown: z.number(),
  depth: z.number(),
  rise: z.number(),
  daysHeld: z.number().int(),
  thresholdsMet: z.object({ drawdown: z.boolean(), rise: z.boolean(), days: z.boolean() }),
});
export type ReboundSeriesState = z.infer<typeof ReboundSeriesState>;

/** A confirmed rebound (src-main/strategies/samp/logic/rebound.ts ReboundFlag). Also the rows of `rebound_flags`. */
export const ReboundFlag = z.object({
  dayIndex: z.number().int(),
  date: IsoDay.optional(),
  /** the series: 'ordinary', 'high' or 'market' for SAMP-HDRL */
  label: z.string().optional(),
  trough: z.number(),
  troughDay: z.number().int(),
  episodePeak: z.number(),
  depth: z.number(),
  rise: z.number(),
  daysHeld: z.number().int(),
  thresholds: z.object({ drawdownThreshold: z.number(), riseThreshold: z.number(), minDays: z.number() }),
});
export type ReboundFlag = z.infer<typeof ReboundFlag>;

/** The series a rebound flag was raised on: its label; the detector's flags without one are the market's. */
export function reboundFlagSeries(f: Pick<ReboundFlag, 'label'>): string {
  return f.label ?? 'market';
}

/** The rebound detector at a decision: per-series state, today's flags, the thresholds, and the cap it applied. */
export const SampRebound = z.object({
  /** false for the no-rebound ablation (then no series state and no flags) */
  enabled: z.boolean(),
  /** the risky capital was capped because of a downtrend */
  capped: z.boolean(),
  reasons: z.array(z.string()),
  ordinary: ReboundSeriesState.optional(),
  high: ReboundSeriesState.optional(),
  market: ReboundSeriesState.optional(),
  flagsToday: z.array(ReboundFlag),
  thresholds: z.object({
    drawdownThreshold: z.number(),
    riseThreshold: z.number(),
    minDays: z.number(),
    downtrendCap: z.number(),
  }),
  /** what a downtrend does: 'cap' the risky capital, or 'gate' the group's utility advantage (absent in rows before issue 15: 'cap') */
  mode: z.enum(['cap', 'gate']).optional(),
  /** mode 'gate': the groups whose advantage over cash and positive tilt were switched off */
  gated: z.array(z.enum(['ordinary', 'high'])).optional(),
});
export type SampRebound = z.infer<typeof SampRebound>;

/** How the capital split was made (src-main/strategies/samp/allocation.ts SplitInfo). */
export const SampSplitRule = z.object({
  rule: z.enum(['softmax', 'proportional', 'equal']),
  temperatureRule: z.enum(['fixed', 'calibrated']),
  /** the softmax temperature, in utility units; null for rules without one */
  temperature: z.number().nullable(),
  /** calibrated rule: the standard error of the noisiest utility difference the temperature was scaled from */
  standardError: z.number().nullable(),
  /** calibrated rule: the multiplier c in temperature = c x standard error */
  calibration: z.number().nullable(),
  /** half-life in days of the moving average over the daily splits; 0 = none */
  smoothingHalfLife: z.number(),
  /** the day's own split, before the moving average and the cap */
  day: CapitalSplit,
});
export type SampSplitRule = z.infer<typeof SampSplitRule>;

/** A seed ensemble's decision (src-main/strategies/samp/ensemble.ts): which members it averaged. */
export const EnsembleDetail = z.object({
  /** the strategy whose seeds are averaged */
  of: SampVariant,
  /** the members, in order: their seed and the model that decided (absent outside a backtest) */
  members: z.array(z.object({ seed: z.number().int(), model: DecisionModel.optional() })),
  /** mean over the members of the one-way distance 1/2 sum |w_member - w_average| (cash included) */
  disagreement: z.number(),
});
export type EnsembleDetail = z.infer<typeof EnsembleDetail>;

/** Effective number of holdings per agent ('upper', 'lower1', 'lower2', 'final'; 'flat' for ddpg-flat). */
const Concentration = z.record(z.string(), z.number());

export const SampDecisionDetail = z.object({
  family: z.literal('samp'),
  variant: SampVariant,
  groups: SampGroups,
  /** the grouping was recomputed at this day's close */
  regrouped: z.boolean(),
  /** the split in use, after the rebound cap */
  capital: CapitalSplit,
  /** the split the utilities gave, before the cap */
  capitalBeforeCap: CapitalSplit,
  utility: z.object({ ordinary: GroupUtility, high: GroupUtility }),
  /** fusion coefficient a in w = a w0 + (1 - a)(c1 w1 + c2 w2); 1 for upper-only */
  fusionA: z.number(),
  rebound: SampRebound,
  /** cash of the fused portfolio; absent for upper-only */
  cash: z.number().optional(),
  concentration: Concentration,
  /** absent only when a policy decides outside a backtest (tests, explanations), and for ensembles */
  model: DecisionModel.optional(),
  /** how the split was made (temperature, smoothing); absent in rows before issue 15 */
  split: SampSplitRule.optional(),
  /** seed ensembles only: the members averaged; groups, capital and rebound are then the first member's */
  ensemble: EnsembleDetail.optional(),
});
export type SampDecisionDetail = z.output<typeof SampDecisionDetail>;
export type SampDecisionDetailInput = z.input<typeof SampDecisionDetail>;

/** What a flat agent records, whichever algorithm trained it (the families below add only their name). */
const FlatDetailFields = {
  variant: SampVariant,
  concentration: Concentration,
  model: DecisionModel.optional(),
  /** seed ensembles only: the members averaged */
  ensemble: EnsembleDetail.optional(),
};

export const DdpgFlatDecisionDetail = z.object({ family: z.literal('ddpg-flat'), ...FlatDetailFields });
export type DdpgFlatDecisionDetailInput = z.input<typeof DdpgFlatDecisionDetail>;

export const Td3FlatDecisionDetail = z.object({ family: z.literal('td3-flat'), ...FlatDetailFields });
export type Td3FlatDecisionDetailInput = z.input<typeof Td3FlatDecisionDetail>;

export const SacFlatDecisionDetail = z.object({ family: z.literal('sac-flat'), ...FlatDetailFields });
export type SacFlatDecisionDetailInput = z.input<typeof SacFlatDecisionDetail>;

export const PpoFlatDecisionDetail = z.object({ family: z.literal('ppo-flat'), ...FlatDetailFields });
export type PpoFlatDecisionDetailInput = z.input<typeof PpoFlatDecisionDetail>;

export const A2cFlatDecisionDetail = z.object({ family: z.literal('a2c-flat'), ...FlatDetailFields });
export type A2cFlatDecisionDetailInput = z.input<typeof A2cFlatDecisionDetail>;

/** The detail of a flat agent's decision as its strategy writes it. */
export type FlatDecisionDetailInput =
  | DdpgFlatDecisionDetailInput
  | Td3FlatDecisionDetailInput
  | SacFlatDecisionDetailInput
  | PpoFlatDecisionDetailInput
  | A2cFlatDecisionDetailInput;

/** EIIE's evaluators, the paper's three topologies (src-main/agents/eiie/config.ts): eiie, eiie/rnn, eiie/lstm. */
export const EIIE_EVALUATORS = ['cnn', 'rnn', 'lstm'] as const;
export type EiieEvaluator = (typeof EIIE_EVALUATORS)[number];

export const EiieDecisionDetail = z.object({
  family: z.literal('eiie'),
  /** the cash weight of the decided portfolio (1 minus the risky weights) */
  cash: z.number(),
  /** which evaluator decided; absent in rows written before the RNN and LSTM variants existed (all CNN) */
  evaluator: z.enum(EIIE_EVALUATORS).optional(),
  /**
   * online learning (`eiie/online`, or `online` set): the OSBL steps the network had taken in the test window before
   * this decision (the model record is the trained network they started from); absent without online learning
   */
  onlineSteps: z.number().int().nonnegative().optional(),
  /** absent only when the policy decides outside a backtest */
  model: DecisionModel.optional(),
});
export type EiieDecisionDetailInput = z.input<typeof EiieDecisionDetail>;

export const PpnDecisionDetail = z.object({
  family: z.literal('ppn'),
  /** the cash weight of the decided portfolio (1 minus the risky weights) */
  cash: z.number(),
  /** absent only when the policy decides outside a backtest */
  model: DecisionModel.optional(),
});
export type PpnDecisionDetailInput = z.input<typeof PpnDecisionDetail>;

/**
 * The HADAPS strategy ids: the method, its reward variant and temperature option, the paper's ablations, and the
 * action-scale sweep (`hadaps-beta/1` .. `hadaps-beta/10`: the method with beta = 1..10).
 */
export const HADAPS_VARIANTS = [
  'hadaps',
  'hadaps/full-trade',
  'hadaps/warm-start',
  'hadaps/log-reward',
  'hadaps/auto-alpha',
  'hadaps/flat',
  'hadaps/intra',
  'hadaps/inter',
] as const;
/** The action scales of the sweep (the paper's 1..10). */
export const HADAPS_SWEEP_SCALES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
/** The sweep's strategy id for action scale `beta`. */
export const hadapsSweepId = (beta: number): string => `hadaps-beta/${beta}`;
export const HadapsVariant = z.union([
  z.enum(HADAPS_VARIANTS),
  z.string().regex(/^hadaps-beta\/(10|[1-9])$/, 'a HADAPS action-scale sweep id hadaps-beta/1..10'),
]);
export type HadapsVariant = z.infer<typeof HadapsVariant>;

/** The name of HADAPS's safe class (cash, always the last class of a decision). */
export const HADAPS_CASH_CLASS = 'Cash';

/** Where a HADAPS run's asset classes came from: the universe's `class` field, its sectors, or one class of all. */
export const ClassBasis = z.enum(['class', 'sector', 'single']);
export type ClassBasis = z.infer<typeof ClassBasis>;

/** One asset class at a HADAPS decision: its weight and the weights inside it. */
export const HadapsClassDecision = z.object({
  /** the class name ('Cash' for the safe class) */
  name: z.string(),
  /** the class's share of the book (the inter-class layer's weight) */
  weight: z.number(),
  /** the class's tickers (empty for cash) */
  tickers: z.array(z.string()),
  /** weights inside the class, same order as `tickers`, summing to 1 (empty for cash) */
  intra: z.array(z.number()),
});
export type HadapsClassDecision = z.infer<typeof HadapsClassDecision>;

export const HadapsDecisionDetail = z.object({
  family: z.literal('hadaps'),
  variant: HadapsVariant,
  basis: ClassBasis,
  /** every class of the run, cash last; final weight of an asset = its class's weight x its weight inside it */
  classes: z.array(HadapsClassDecision),
  /** the cash weight of the decided portfolio (after the no-trade band) */
  cash: z.number(),
  /** beta, the multiplier of the policy's output before each softmax */
  actionScale: z.number(),
  /** effective number of holdings: 'inter' over the classes, 'final' over the assets and cash */
  concentration: Concentration,
  /** absent only when the policy decides outside a backtest */
  model: DecisionModel.optional(),
});
export type HadapsDecisionDetail = z.output<typeof HadapsDecisionDetail>;
export type HadapsDecisionDetailInput = z.input<typeof HadapsDecisionDetail>;

/** The two classifiers of the Long/Hold/Short baselines (strategies mlp-lhs and cnn-lhs). */
export const LhsClassifier = z.enum(['mlp', 'cnn']);
export type LhsClassifier = z.infer<typeof LhsClassifier>;

export const LhsDecisionDetail = z.object({
  family: z.literal('lhs'),
  /** the network that classified */
  classifier: LhsClassifier,
  /** how many assets were predicted Long, Hold and Short at this close */
  counts: z.object({ long: z.number().int(), hold: z.number().int(), short: z.number().int() }),
  /** the tickers predicted Long: the book holds them at equal weight */
  held: z.array(z.string()),
  /** the cash weight (1 when no asset is predicted Long) */
  cash: z.number(),
  /** absent only when the policy decides outside a backtest */
  model: DecisionModel.optional(),
});
export type LhsDecisionDetailInput = z.input<typeof LhsDecisionDetail>;

export const MapsDecisionDetail = z.object({
  family: z.literal('maps'),
  /** how many assets each action won at this close (the class of the agents' averaged Q-values) */
  counts: z.object({ long: z.number().int(), hold: z.number().int(), short: z.number().int() }),
  /** the tickers whose averaged Q-values prefer Long: the book holds them at equal weight */
  held: z.array(z.string()),
  /** the number of agents */
  agents: z.number().int(),
  /** the mean over the assets of the share of agents whose own preferred action is the one the asset got */
  agreement: z.number(),
  /** the cash weight (1 when no asset is preferred Long) */
  cash: z.number(),
  /** absent only when the policy decides outside a backtest */
  model: DecisionModel.optional(),
});
export type MapsDecisionDetailInput = z.input<typeof MapsDecisionDetail>;

/**
 * The three-level strategy ids that record this detail: all three levels, the hierarchy with its learned Level 1
 * (trained bottom up, and all three levels trained jointly), and the ablations (src-main/strategies/threelevel). The
 * flat ablation `three-level/flat` is not among them: it runs the flat SAC agent, whose decisions record that
 * agent's family.
 */
export const THREE_LEVEL_VARIANTS = [
  'three-level',
  'three-level/learned-strategic',
  'three-level/joint',
  'three-level/no-tactical',
  'three-level/trade-at-once',
  'three-level/linear',
  'three-level/two-levels',
] as const;
export const ThreeLevelVariant = z.enum(THREE_LEVEL_VARIANTS);

/** What decided at one level: a trained model, or a named rule (a strategic rule, an execution baseline, 'none'). */
export const ThreeLevelDecider = z.union([DecisionModel, z.object({ rule: z.string() })]);

export const ThreeLevelDecisionDetail = z.object({
  family: z.literal('three-level'),
  variant: ThreeLevelVariant,
  basis: ClassBasis,
  /** every class, cash last: its tickers, the strategic weight, the tactical tilt and their sum, the target */
  classes: z.array(
    z.object({
      name: z.string(),
      tickers: z.array(z.string()),
      strategic: z.number(),
      tilt: z.number(),
      target: z.number(),
    }),
  ),
  /** the share of each asset's gap to its target traded today (run ticker order; 1 on a period's last day) */
  fractions: z.array(z.number()),
  /** trading days until the next tactical decision (1 on the day before it); null when none comes (two-levels) */
  nextTacticalIn: z.number().int().nullable(),
  /** trading days until the next strategic decision */
  nextStrategicIn: z.number().int(),
  /** what decided at each level */
  levels: z.object({ strategic: ThreeLevelDecider, tactical: ThreeLevelDecider, execution: ThreeLevelDecider }),
  /**
   * the macro series a learned Level 1 read at the strategic decision in force (docs/three-level.md "Macro inputs"):
   * per series, the value read and its date (null before the series begins), the log change and the z-score over
   * the trailing year; absent where Level 1 reads none
   */
  macro: z
    .object({
      universe: z.string(),
      series: z.array(
        z.object({
          name: z.string(),
          date: IsoDay.nullable(),
          value: z.number().nullable(),
          change: z.number(),
          z: z.number(),
        }),
      ),
    })
    .optional(),
  /** the model of the highest learned level (Level 1, else Level 2, else Level 3), as other families record theirs */
  model: DecisionModel.optional(),
});
export type ThreeLevelDecisionDetail = z.output<typeof ThreeLevelDecisionDetail>;
export type ThreeLevelDecisionDetailInput = z.input<typeof ThreeLevelDecisionDetail>;

/**
 * The MPLS strategy ids: the method and its module ablations (each module switched off alone, and each pair
 * switched off, leaving one module). The single-agent PPO baseline of the paper is ppo-flat.
 */
export const MPLS_VARIANTS = [
  'mpls',
  'mpls/no-sentiment',
  'mpls/no-volatility',
  'mpls/no-graph',
  'mpls/volatility-only',
  'mpls/graph-only',
  'mpls/sentiment-only',
] as const;
export const MplsVariant = z.enum(MPLS_VARIANTS);
export type MplsVariant = z.infer<typeof MplsVariant>;

/** The three modules whose sector proposals the fusion agent weighs, in the order of its output. */
export const MPLS_MODULES = ['sentiment', 'volatility', 'graph'] as const;
export const MplsModuleName = z.enum(MPLS_MODULES);
export type MplsModuleName = z.infer<typeof MplsModuleName>;

/** One module at an MPLS decision. */
export const MplsModuleDecision = z.object({
  name: MplsModuleName,
  /** false when the module is switched off: by the variant, or (sentiment) for want of news or a model */
  on: z.boolean(),
  /** why it is off, in plain words (absent when on) */
  reason: z.string().optional(),
  /** the fusion agent's weight on this module's proposal (0 when off; the weights of the modules on sum to 1) */
  weight: z.number(),
  /** the module's sector allocation, `sectors` order, summing to 1 (empty when off) */
  proposal: z.array(z.number()),
});
export type MplsModuleDecision = z.infer<typeof MplsModuleDecision>;

export const MplsDecisionDetail = z.object({
  family: z.literal('mpls'),
  variant: MplsVariant,
  basis: ClassBasis,
  /** every sector: its name, tickers, weight in the book and the low-level agent's weights inside it (sum 1) */
  sectors: z.array(
    z.object({ name: z.string(), tickers: z.array(z.string()), weight: z.number(), intra: z.array(z.number()) }),
  ),
  /** the three modules, MPLS_MODULES order */
  modules: z.array(MplsModuleDecision),
  /** the fused sector allocation that conditioned the high-level agent (`sectors` order, sum 1) */
  fused: z.array(z.number()),
  /** the volatility module's state (null when it is off) */
  volatility: z
    .object({
      /** forecast annualised volatility of each sector over the next period, `sectors` order */
      forecast: z.array(z.number()),
      /** the forecast's uncertainty (docs/mpls.md says how it is measured) */
      uncertainty: z.number(),
      /** the 75th percentile (a setting) of the uncertainty over the training days */
      threshold: z.number(),
      /** uncertainty above the threshold: the fused allocation was made conservative */
      conservative: z.boolean(),
    })
    .nullable(),
  /** the cash weight of the decided portfolio (after the trade rule) */
  cash: z.number(),
  /** effective number of holdings: 'sectors' over the sectors, 'final' over the assets and cash */
  concentration: Concentration,
  /** absent only when the policy decides outside a backtest */
  model: DecisionModel.optional(),
});
export type MplsDecisionDetail = z.output<typeof MplsDecisionDetail>;
export type MplsDecisionDetailInput = z.input<typeof MplsDecisionDetail>;

export const ClassicDecisionDetail = z.object({
  family: z.literal('classic'),
  /** static optimisers: the day of the estimate in use */
  estimatedAt: IsoDay.optional(),
  /** static optimisers: why the estimate fell back to another method */
  note: z.string().optional(),
  /** hindsight references (bcrp, beststock) */
  hindsight: z.boolean().optional(),
  /** bcrp: the optimiser's Frank-Wolfe gap */
  gap: z.number().optional(),
  /** beststock: the asset held */
  asset: z.string().optional(),
});
export type ClassicDecisionDetailInput = z.input<typeof ClassicDecisionDetail>;

/** The detail of one decision, of any strategy family (see the file overview). */
export const DecisionDetail = z.discriminatedUnion('family', [
  SampDecisionDetail,
  DdpgFlatDecisionDetail,
  Td3FlatDecisionDetail,
  SacFlatDecisionDetail,
  PpoFlatDecisionDetail,
  A2cFlatDecisionDetail,
  EiieDecisionDetail,
  PpnDecisionDetail,
  HadapsDecisionDetail,
  LhsDecisionDetail,
  MapsDecisionDetail,
  ThreeLevelDecisionDetail,
  MplsDecisionDetail,
  ClassicDecisionDetail,
]);
/** A decision's detail as read back (the schema's output). */
export type DecisionDetail = z.output<typeof DecisionDetail>;
/** A decision's detail as a strategy writes it (the schema's input). */
export type DecisionDetailInput = z.input<typeof DecisionDetail>;
export type DecisionFamily = DecisionDetail['family'];

/**
 * The one normaliser of stored details: rows written before details named their family have none, and are
 * otherwise of today's shape. Their family follows from what the writers put in them then: a SAMP-HDRL variant
 * name in `variant` ('ddpg-flat' for the flat baseline, any other for the SAMP family); no variant for the
 * classic strategies. 'td3-flat', 'sac-flat', 'ppo-flat' and 'a2c-flat' rows always carry their family; one without
 * would get it from its variant too.
 * A detail that has a family, or is not an object, is returned as it is.
 */
export function withFamily(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || 'family' in raw) return raw;
  const variant = (raw as { variant?: unknown }).variant;
  const family: DecisionFamily =
    variant === 'ddpg-flat' ||
    variant === 'td3-flat' ||
    variant === 'sac-flat' ||
    variant === 'ppo-flat' ||
    variant === 'a2c-flat'
      ? variant
      : typeof variant === 'string'
        ? 'samp'
        : 'classic';
  return { family, ...raw };
}

/** A detail as stored in `run_details`: today's rows and those written before the `family` field. */
export const StoredDecisionDetail = z.preprocess(withFamily, DecisionDetail);

/** The SAMP-HDRL part of a detail (grouping, capital, rebound), or null for any other family or none. */
export function sampDetail(d: DecisionDetail | null | undefined): SampDecisionDetail | null {
  return d?.family === 'samp' ? d : null;
}

/** The HADAPS part of a detail (classes and their weights), or null for any other family or none. */
export function hadapsDetail(d: DecisionDetail | null | undefined): HadapsDecisionDetail | null {
  return d?.family === 'hadaps' ? d : null;
}

/** The model that made a decision, for the families that have one. */
export function decisionModel(d: DecisionDetail | null | undefined): DecisionModel | null {
  return d && d.family !== 'classic' ? (d.model ?? null) : null;
}
