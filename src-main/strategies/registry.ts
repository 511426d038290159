/**
 * Every strategy the app can run, by id: the classic baselines (strategies/classic), the SAMP-HDRL family
 * (strategies/samp), EIIE (strategies/eiie), PPN (strategies/ppn), the MLP and CNN Long/Hold/Short classifiers (strategies/lhs), MAPS
 * (strategies/maps), HADAPS (strategies/hadaps), the three-level hierarchy (strategies/threelevel), MPLS
 * (strategies/mpls) and
 * strategies registered at run time (tests register their own, e.g. the deliberately leaking one of
 * test/strategies/lookahead.test.ts). The backtest, the CLI and the `strategies.list` channel all read this one list.
 */
import { classicStrategies } from './classic';
import type { StrategyDef, StrategyParamSpec } from './types';

const extra = new Map<string, StrategyDef>();
let learned: StrategyDef[] | null = null;

/** The learning families, loaded on first use (they bring ONNX Runtime; classic-only runs never pay for it). */
async function loadLearned(): Promise<StrategyDef[]> {
  learned ??= [
    (await import('./samp')).sampStrategies,
    (await import('./eiie')).eiieStrategies,
    (await import('./ppn')).ppnStrategies,
    (await import('./lhs')).lhsStrategies,
    (await import('./maps')).mapsStrategies,
    (await import('./hadaps')).hadapsStrategies,
    (await import('./threelevel')).threeLevelStrategies,
    (await import('./mpls')).mplsStrategies,
  ].flat();
  return learned;
}

/** Every registered strategy, classic first, then learning, then run-time registrations; ids are unique. */
export async function listStrategies(): Promise<StrategyDef[]> {
  const all = [...classicStrategies, ...(await loadLearned()), ...extra.values()];
  const seen = new Set<string>();
  for (const s of all) {
    if (seen.has(s.id)) throw new Error(`two strategies share the id "${s.id}"`);
    seen.add(s.id);
  }
  return all;
}

/** The strategy with this id; throws a RangeError listing the known ids otherwise. */
export async function getStrategy(id: string): Promise<StrategyDef> {
  const all = await listStrategies();
  const s = all.find((x) => x.id === id);
  if (!s) throw new RangeError(`unknown strategy "${id}" (known: ${all.map((x) => x.id).join(', ')})`);
  return s;
}

/** The classic baselines (what `--strategy all` runs). */
export function classicIds(): string[] {
  return classicStrategies.map((s) => s.id);
}

/**
 * Register a strategy at run time (tests, plug-ins). Returns a function that removes it again. Throws when the
 * id is taken.
 */
export function registerStrategy(def: StrategyDef): () => void {
  if (classicStrategies.some((s) => s.id === def.id) || extra.has(def.id) || learned?.some((s) => s.id === def.id)) {
    throw new Error(`a strategy with id "${def.id}" is already registered`);
  }
  extra.set(def.id, def);
  return () => {
    if (extra.get(def.id) === def) extra.delete(def.id);
  };
}

/**
 * Resolve a strategy's parameters: its declared defaults, overlaid by `given`; unknown names and values of the
 * wrong type or outside min/max/choices are rejected with a RangeError naming the strategy. (Strategies check
 * again in create; this early check lets the CLI and the service refuse a bad request before any work.)
 */
export function resolveParams(
  def: StrategyDef,
  given: Record<string, unknown> | undefined,
): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const p of def.params) out[p.name] = p.default;
  for (const [k, v] of Object.entries(given ?? {})) {
    const spec: StrategyParamSpec | undefined = def.params.find((p) => p.name === k);
    if (!spec)
      throw new RangeError(
        `${def.id}: unknown parameter "${k}" (known: ${def.params.map((p) => p.name).join(', ') || 'none'})`,
      );
    if (v === undefined) continue;
    if (typeof v !== typeof spec.default)
      throw new RangeError(`${def.id}: parameter "${k}" must be a ${typeof spec.default}`);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new RangeError(`${def.id}: parameter "${k}" must be finite`);
      if (spec.min !== undefined && v < spec.min)
        throw new RangeError(`${def.id}: parameter "${k}" must be >= ${spec.min}`);
      if (spec.max !== undefined && v > spec.max)
        throw new RangeError(`${def.id}: parameter "${k}" must be <= ${spec.max}`);
    }
    if (spec.choices && !spec.choices.includes(String(v)))
      throw new RangeError(`${def.id}: parameter "${k}" must be one of ${spec.choices.join(', ')}`);
    out[k] = v as number | string | boolean;
  }
  return out;
}

/**
 * The smallest preset of a learning strategy, for quick checks (look-ahead, reproducibility): the value
 * 'smoke', 'tiny' or 'quick' of a `preset` parameter when declared (in that order of preference), else its first
 * choice; undefined when the strategy has no preset parameter.
 */
export function smallestPreset(def: StrategyDef): string | undefined {
  const p = def.params.find((x) => x.name === 'preset');
  if (!p || !p.choices?.length) return undefined;
  for (const want of ['smoke', 'tiny', 'quick']) if (p.choices.includes(want)) return want;
  return p.choices[0];
}

/**
 * Parameters for the cheapest meaningful run of a strategy (the look-ahead and reproducibility checks): its
 * smallest preset, a numeric `episodes` parameter at its smallest positive value (1 unless min says more), and a
 * seed ensemble's `ensembleSeeds` at its smallest value (each member trains). Empty for strategies with none of
 * these parameters.
 */
export function quickCheckParams(def: StrategyDef): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  const preset = smallestPreset(def);
  if (preset !== undefined) out.preset = preset;
  const ep = def.params.find((x) => x.name === 'episodes');
  if (ep && typeof ep.default === 'number') out.episodes = Math.max(1, ep.min ?? 1);
  const members = def.params.find((x) => x.name === 'ensembleSeeds');
  if (members && typeof members.default === 'number') out.ensembleSeeds = members.min ?? members.default;
  return out;
}
