/**
 * Seed ensembles of the learned strategies (issue 15): `samp-hdrl/ensemble` and `ddpg-flat/ensemble` average the
 * target weights of one strategy trained with several seeds.
 *
 * - Members: the run with seed s and `ensembleSeeds` = k averages the seeds (s - 1) k + 1 .. s k — seed 1 takes
 *   seeds 1..k, the very models the single-seed runs of seeds 1..k use, and another run seed takes a disjoint block,
 *   so the spread over ensemble runs compares independent ensembles. Each member is created by the same path as
 *   the single-seed strategy (strategies/samp/index.ts): its stored model when the config, data and seed match, a
 *   newly trained (and stored) one otherwise. Members are created one after another (training is CPU-bound).
 * - Decision: the mean of the members' target weights. Each member's weights are >= 0 and sum to <= 1, so their
 *   mean is >= 0 and sums to the mean of the sums, <= 1: a valid portfolio, with the members' mean cash. Agents
 *   present in every member (upper, lower1, lower2; flat) are averaged too, and each member's portfolio is kept as
 *   the agent `seed<N>`.
 * - Detail: the first member's (its grouping, capital split and rebound state, which every member shares when
 *   the K-means initialisation is the deterministic default, as it depends on the config and data only), with
 *   the concentration and cash of the averaged weights, no single model, and `ensemble`: which strategy, which
 *   members (seed and model) and how far the members are from the average (`disagreement`).
 * Everything a member reads is what its own decide reads (data up to t), so the average reads nothing later.
 */
import type { StrategyContext, StrategyDecision, StrategyDef, StrategyInstance, StrategyParamSpec } from '../types';
import { readParams } from '../classic/params';
import type { MarketView } from '../../market/view';
import type { DecisionDetailInput, EnsembleDetail, SampVariant } from '../../../src-shared/domain/decision';
import { effectiveHoldings, variantGroup } from './model';

/** The ensemble's own parameter (the members' parameters are those of the averaged strategy). */
export const ENSEMBLE_PARAMS: StrategyParamSpec[] = [
  {
    name: 'ensembleSeeds',
    description:
      'number of seeds averaged; the run with seed s averages seeds (s - 1) k + 1 .. s k (seed 1: seeds 1..k, the models of the single-seed runs)',
    default: 5,
    min: 2,
    max: 50,
  },
];

/** The member seeds of the run with seed `runSeed` and `k` members: (runSeed - 1) k + 1 .. runSeed k. */
export function memberSeeds(runSeed: number, k: number): number[] {
  if (!Number.isInteger(runSeed)) throw new RangeError(`seed must be a whole number, got ${runSeed}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`ensembleSeeds must be a positive whole number, got ${k}`);
  return Array.from({ length: k }, (_, i) => (runSeed - 1) * k + 1 + i);
}

function mean(vs: readonly Float64Array[]): Float64Array {
  const n = vs[0]!.length;
  const out = new Float64Array(n);
  for (const v of vs) {
    if (v.length !== n) throw new RangeError(`ensemble members disagree on the number of assets (${v.length} vs ${n})`);
    for (let i = 0; i < n; i++) out[i]! += v[i]!;
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! / vs.length;
  return out;
}

function sum(w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]!;
  return s;
}

/** One-way distance 1/2 (sum_i |a_i - b_i| + |cash_a - cash_b|) of two portfolios (cash = 1 - sum). */
function distance(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - b[i]!);
  return (d + Math.abs(sum(b) - sum(a))) / 2;
}

/**
 * The ensemble's decision from its members' decisions of the same day (see the file overview).
 * @param decisions one per member, in member order (a bare weight vector counts as a decision without agents)
 * @param seeds the members' seeds, same order; @param of the strategy whose seeds are averaged
 */
export function averageDecisions(
  decisions: readonly (Float64Array | StrategyDecision)[],
  seeds: readonly number[],
  of: SampVariant,
): StrategyDecision {
  if (decisions.length === 0) throw new RangeError('an ensemble needs at least one member decision');
  if (decisions.length !== seeds.length)
    throw new RangeError(`${decisions.length} member decisions for ${seeds.length} seeds`);
  const ds: StrategyDecision[] = decisions.map((d) => (d instanceof Float64Array ? { weights: d } : d));
  const weights = mean(ds.map((d) => d.weights));
  const agents: Record<string, Float64Array> = {};
  for (const name of Object.keys(ds[0]!.agents ?? {})) {
    const all = ds.map((d) => d.agents?.[name]);
    if (all.every((a): a is Float64Array => a !== undefined)) agents[name] = mean(all);
  }
  const averagedAgents = { ...agents };
  ds.forEach((d, k) => (agents[`seed${seeds[k]}`] = d.weights));
  const ensemble: EnsembleDetail = {
    of,
    members: ds.map((d, k) => {
      const det = d.detail;
      const model = det && (det.family === 'samp' || det.family === 'ddpg-flat') ? det.model : undefined;
      return { seed: seeds[k]!, ...(model ? { model } : {}) };
    }),
    disagreement: ds.reduce((a, d) => a + distance(d.weights, weights), 0) / ds.length,
  };
  const base = ds[0]!.detail;
  let detail: DecisionDetailInput | undefined;
  if (base && (base.family === 'samp' || base.family === 'ddpg-flat')) {
    const { model: _model, ...rest } = base;
    void _model;
    const concentration: Record<string, number> = {};
    for (const k of Object.keys(base.concentration)) {
      const w = k === 'final' ? weights : averagedAgents[k];
      if (w) concentration[k] = effectiveHoldings(w);
    }
    detail = {
      ...rest,
      concentration,
      ...(rest.family === 'samp' && rest.cash !== undefined ? { cash: Math.max(0, 1 - sum(weights)) } : {}),
      ensemble,
    };
  } else if (base) {
    throw new RangeError(
      `ensemble members must be learned SAMP-HDRL or DDPG policies, got a '${base.family}' decision`,
    );
  }
  return { weights, agents, ...(detail ? { detail } : {}) };
}

/** What {@link ensembleStrategy} needs to know about the averaged strategy. */
export interface EnsembleOf {
  /** the averaged strategy's id, e.g. 'samp-hdrl' */
  of: SampVariant;
  /** its parameters (the ensemble takes them all and passes them to every member) */
  params: StrategyParamSpec[];
  /** creates one member: the single-seed strategy for ctx.seed */
  createMember(ctx: StrategyContext): Promise<StrategyInstance>;
}

/**
 * The StrategyDef of the seed ensemble of `spec.of` (id `<of>/ensemble`; see the file overview).
 */
export function ensembleStrategy(spec: EnsembleOf, label: string, description: string): StrategyDef {
  const id = `${spec.of}/ensemble`;
  const params = [...spec.params, ...ENSEMBLE_PARAMS];
  return {
    id,
    label,
    description,
    family: 'learning',
    group: variantGroup(spec.of),
    hindsight: false,
    params,
    async create(ctx: StrategyContext): Promise<StrategyInstance> {
      const p = readParams(params, ctx.params, id);
      const seeds = memberSeeds(ctx.seed, p.ensembleSeeds as number);
      const memberParams: Record<string, unknown> = { ...p };
      delete memberParams.ensembleSeeds;
      const members: StrategyInstance[] = [];
      for (const [k, seed] of seeds.entries()) {
        ctx.signal?.throwIfAborted();
        members.push(
          await spec.createMember({
            ...ctx,
            seed,
            params: memberParams,
            ...(ctx.progress
              ? {
                  progress: (q: { fraction: number; message: string; figures?: Record<string, number> }) =>
                    ctx.progress!({
                      ...q,
                      fraction: (k + q.fraction) / seeds.length,
                      message: `${id} member ${k + 1}/${seeds.length} (seed ${seed}): ${q.message}`,
                    }),
                }
              : {}),
          }),
        );
      }
      return {
        decide(view: MarketView): StrategyDecision {
          return averageDecisions(
            members.map((m) => m.decide(view)),
            seeds,
            spec.of,
          );
        },
      };
    },
  };
}
