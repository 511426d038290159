/**
 * The joint training of the three-level hierarchy (docs/three-level.md "Joint training", joint-trainer.ts): the few
 * settings that belong to training the levels together, with their presets and the one check over them. Every
 * other setting of a level (its network, learning rates, discount, replay, warm-up, updates per period, Level 1's
 * risk penalty, stride and held-out days) is that level's own config (config.ts, tactical-config.ts,
 * strategic-config.ts), read as the bottom-up trainers read it. What a joint training does NOT read from them: the
 * levels' own budgets (Level 3's `updates`, Level 2's `updates` and `maxEpisodes`, Level 1's `iterations`), their
 * validation schedules, Level 2's `episodeMonths` and `validationDays`, Level 3's `validationDays` and training
 * targets, and Level 1's `tradeCost` — the joint budget, validation and episodes below replace them.
 *
 * Presets differ in the budget only:
 *   - quick: at most 40 yearly episodes, validation every 2, patience 6; on the bundled Dow data (30 stocks, nine
 *     sectors) a model in well under a minute on two cores;
 *   - standard: at most 200 episodes, validation every 4, patience 10.
 */

/** What a joint training does besides what each level's own config says. */
export interface JointConfig {
  /**
   * The budget: at most this many training episodes, each one strategic year (Level 1's episode length, shortened
   * on a short window) of Level 1's one decision, Level 2's monthly tilts and Level 3's daily trades.
   */
  episodes: number;
  /**
   * Episodes between two validations (and checkpoint choices) of the whole hierarchy. Default 2 (quick), 4
   * (standard): a validation runs the held-out days once, about as long as one training episode without the updates.
   */
  episodesPerValidation: number;
  /** Validations in a row without a better score before training stops (0 = never). */
  patience: number;
  /**
   * Level 1 learns from its last this many years at once (PPO's rollout): it updates at the end of every
   * `strategicBatch`-th episode, `epochs` passes over those decisions. Default 4: a joint training holds a few dozen
   * years, so a larger rollout would leave Level 1 a handful of updates; a smaller one would normalise each
   * advantage against too few others (a rollout of one has no spread to normalise by).
   */
  strategicBatch: number;
}

export const JOINT_PRESET_NAMES = ['quick', 'standard'] as const;
export type JointPresetName = (typeof JOINT_PRESET_NAMES)[number];

export const JOINT_PRESETS: Readonly<Record<JointPresetName, JointConfig>> = {
  quick: { episodes: 40, episodesPerValidation: 2, patience: 6, strategicBatch: 4 },
  standard: { episodes: 200, episodesPerValidation: 4, patience: 10, strategicBatch: 4 },
};

/** A preset with overrides, checked. */
export function resolveJointConfig(name: JointPresetName, over: Partial<JointConfig> = {}): JointConfig {
  const base = JOINT_PRESETS[name];
  if (!base) throw new RangeError(`unknown joint preset ${JSON.stringify(name)} (${JOINT_PRESET_NAMES.join(', ')})`);
  return checkJointConfig({ ...base, ...over });
}

/** The config if every setting is in range, else a RangeError naming the first one that is not. */
export function checkJointConfig(c: JointConfig): JointConfig {
  const int = (k: keyof JointConfig, min: number, max: number) => {
    const v = c[k];
    if (!(Number.isInteger(v) && v >= min && v <= max))
      throw new RangeError(`${k} must be an integer in [${min}, ${max}], got ${String(v)}`);
  };
  int('episodes', 1, 1_000_000);
  int('episodesPerValidation', 1, 100_000);
  int('patience', 0, 100_000);
  int('strategicBatch', 1, 10_000);
  return c;
}
