/**
 * The groups a PM reads the learned strategies in (the desk's strategy picker, BacktestsView): each learned
 * strategy of the registry names its group (src-main/strategies/types.ts StrategyDef.group; a registry test checks
 * every learned one has one), and the picker lists the groups in this order under these titles.
 */
export const LEARNED_GROUPS = ['samp-hdrl', 'hadaps', 'mpls', 'three-level', 'drl-baselines'] as const;

/** A learned strategy's group. */
export type LearnedGroup = (typeof LEARNED_GROUPS)[number];

/** The title of each group in the picker. */
export const LEARNED_GROUP_TITLES: Record<LearnedGroup, string> = {
  'samp-hdrl': 'SAMP-HDRL and its variants',
  hadaps: "HADAPS, its ablations and its paper's baselines (MLP/CNN classifiers, MAPS)",
  mpls: 'MPLS and its ablations',
  'three-level': 'Three-level hierarchy and its ablations',
  'drl-baselines': 'DRL baselines: EIIE, PPN and the flat single agents',
};
