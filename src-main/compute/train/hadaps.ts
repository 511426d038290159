/**
 * HADAPS's SAC update on the ONNX training engine (docs/hadaps.md "Algorithm"): soft actor-critic with twin Q
 * networks and target critics (twin.ts, shared with TD3 and sac-flat), over the hierarchical policy of
 * agents/hadaps/network.ts. What differs from sac.ts's flat SAC:
 *
 *   policy        one diagonal Gaussian per policy layer (inter-class, each intra-class, or the flat one) around its
 *                 tanh mean, each with its own state-independent log standard deviation vector, bounded as sac.ts's
 *                 (`sac/logStdRaw/<layer>`); a sample u = mu(s) + sigma eps; the portfolio is the hierarchical
 *                 combination of softmax(beta u) (network.ts policyWeights); log pi is the sum of the layers'
 *                 Gaussian log densities (the softmaxes' change of variables is left out, as sac.ts says why)
 *   batch norm    the actor's passes inside the update use the minibatch's statistics and the fed dropout masks;
 *                 the actor step's pass also moves the running statistics (vector `actorStats`, not trained:
 *                 running <- (1 - momentum) running + momentum batch); acting and the exported policy use them
 *   optimiser     RMSProp (the paper's) or Adam for the actor and both critics; log alpha always Adam
 *   reward        the environment's (the paper's 100 x simple return, or 100 x net log return): no reward scale
 *
 * One update, on a minibatch (s, w, r, s') with fed draws eps (at s), eps' (at s') and dropout masks for both:
 *   target        u' = mu(s') + sigma eps', w' its portfolio; y = r + gamma (1 - done)(min Q'_k(s', w') - alpha log pi(u'|s'))
 *   critic steps  L_k = mean (Q_k(s, w) - y)^2, clipped, RMSProp or Adam
 *   actor step    L_pi = mean (alpha log pi(u|s) - min_k Q_k(s, w(u))) against the stepped critics, clipped, stepped
 *   temperature   'auto' only: log alpha steps on -(mean log pi + target entropy), target = per-entry x entries
 *   soft update   both target critics
 *
 * `OnnxHadaps` (hadapsLearner.ts) holds the state vectors between calls and acts through the second, batch-1 graph
 * built here in decision mode (the running statistics folded into scale and shift, no dropout).
 */
import type { HadapsConfig } from '../../agents/hadaps/config';
import {
  criticForward,
  criticSpecs,
  dropoutLayout,
  mlpInfer,
  mlpTrain,
  policyInferSpecs,
  policyMeans,
  policyNets,
  policyStatSpecs,
  policyTrainSpecs,
  policyWeights,
  stateShapes,
  type HadapsShape,
  type States,
} from '../../agents/hadaps/network';
import type { ParamSpec } from '../params';
import { adamStep, tfjsAdam } from './adam';
import { finishGraph, meanAll, nextName, optimiserStep, stateInputs, total, type TrainGraph } from './common';
import { batchInputs, bellmanTarget, type CriticModel } from './ddpg';
import { Graph, Tape, type Val } from './graph';
import { paramBlock, TrainOps } from './ops';
import { gaussianLogProb, LOG_STD_PARAM, policyLogStd, rawLogStd } from './sac';
import { twinCriticSteps, twinSoftUpdates, twinStepped, twinTargetValue } from './twin';

/** The state vectors of the learner, in graph-input order. */
export const HADAPS_STATE = [
  'actor',
  'actorStats',
  'critic1',
  'critic2',
  'critic1Target',
  'critic2Target',
  'actorM',
  'actorV',
  'critic1M',
  'critic1V',
  'critic2M',
  'critic2V',
  'logAlpha',
  'logAlphaM',
  'logAlphaV',
] as const;
export type HadapsStateName = (typeof HADAPS_STATE)[number];

/** Settings the update reads. */
export type HadapsUpdateConfig = Pick<
  HadapsConfig,
  | 'lr'
  | 'optimizer'
  | 'gamma'
  | 'tau'
  | 'gradClipNorm'
  | 'alphaTuning'
  | 'alpha'
  | 'alphaLr'
  | 'targetEntropyPerEntry'
  | 'initStd'
  | 'dropout'
  | 'bnMomentum'
  | 'bnEpsilon'
  | 'criticNorm'
>;

/** The raw log-std parameter of policy layer `net`. */
export const logStdName = (net: string): string => `${LOG_STD_PARAM}/${net}`;

/** The actor vector's parameters: the policy's trained parameters, then one raw log-std vector per layer. */
export function actorSpecs(sh: HadapsShape, initStd: number): ParamSpec[] {
  return [
    ...policyTrainSpecs(sh),
    ...policyNets(sh).map((p): ParamSpec => ({
      name: logStdName(p.name),
      shape: [p.outDim],
      init: { kind: 'constant', value: rawLogStd(Math.log(initStd)) },
    })),
  ];
}

/** The critic side of the update as the twin critics read it. */
export function hadapsCriticModel(sh: HadapsShape, cfg: Pick<HadapsConfig, 'bnEpsilon' | 'criticNorm'>): CriticModel {
  return {
    state: stateShapes(sh),
    action: [sh.n],
    criticSpecs: criticSpecs(sh),
    critic: (ops, s, a) => criticForward(ops, sh, s as unknown as States<Val>, a, cfg.bnEpsilon, cfg.criticNorm),
  };
}

/** The state vectors the update reads (log alpha's moments only when it learns the temperature). */
export function reads(cfg: HadapsUpdateConfig): readonly HadapsStateName[] {
  return cfg.alphaTuning === 'auto' ? HADAPS_STATE : HADAPS_STATE.filter((n) => n !== 'logAlphaM' && n !== 'logAlphaV');
}

/** The state vectors an update changes (log alpha's three only when it learns the temperature). */
export function changes(cfg: HadapsUpdateConfig): readonly HadapsStateName[] {
  return cfg.alphaTuning === 'auto' ? HADAPS_STATE : HADAPS_STATE.filter((n) => !n.startsWith('logAlpha'));
}

/**
 * A reparameterised sample of the policy at states `s` in training mode: per layer u = mu + sigma eps; the
 * portfolio of the samples and log pi [B, 1] (sum over layers).
 */
function samplePolicy(
  ops: TrainOps,
  sh: HadapsShape,
  s: States<Val>,
  eps: ReadonlyMap<string, Val>,
  hidden: readonly number[],
  pass: Parameters<typeof mlpTrain>[4],
): { weights: Val; logp: Val } {
  const means = policyMeans(ops, sh, s, (prefix, x) => mlpTrain(ops, prefix, x, hidden, pass));
  const u = new Map<string, Val>();
  let logp: Val | null = null;
  for (const net of policyNets(sh)) {
    const logStd = policyLogStd(ops, logStdName(net.name));
    const e = eps.get(net.name)!;
    u.set(net.name, ops.add(means.get(net.name)!, ops.mul(ops.exp(logStd), e)));
    const lp = gaussianLogProb(ops, e, logStd);
    logp = logp ? ops.add(logp, lp) : lp;
  }
  return { weights: policyWeights(ops, sh, u), logp: logp! };
}

/**
 * Build the update graph (see the file overview) for minibatches of `batch` samples. Inputs: the state vectors it
 * reads, `adam_c1`, `adam_c2` (the optimiser's fed scalars), `alpha_c1`, `alpha_c2` ('auto' only), the batch
 * (`s.p`, `s.v`, `s.wprev`, the same under `s2.`, `w` as `a`, `r`, `done`), `eps.<layer>` and `eps_next.<layer>`
 * [batch, outputs of the layer], and with dropout `drop`, `drop_next` [batch, units]. Outputs: `<state>_next`
 * for each vector it changes, `critic1Loss`, `critic2Loss`, `actorLoss`, `logProb`, `alpha`.
 */
export function buildHadapsUpdate(sh: HadapsShape, cfg: HadapsUpdateConfig, batch: number): TrainGraph {
  if (!(Number.isInteger(batch) && batch >= 2))
    throw new RangeError(`batch norm needs a batch of at least 2, got ${batch}`);
  const g = new Graph();
  const aSpecs = actorSpecs(sh, cfg.initStd);
  const sSpecs = policyStatSpecs(sh);
  const critic = hadapsCriticModel(sh, cfg);
  const size = (n: HadapsStateName) =>
    n === 'actorStats'
      ? total(sSpecs)
      : n.startsWith('actor')
        ? total(aSpecs)
        : n.startsWith('critic')
          ? total(critic.criticSpecs)
          : 1;
  const st = {} as Record<HadapsStateName, Val>;
  for (const n of reads(cfg)) st[n] = g.input(n, [size(n)]);
  const c1 = g.input('adam_c1', []);
  const c2 = g.input('adam_c2', []);
  const b = batchInputs(g, critic, batch);
  const nets = policyNets(sh);
  const eps = new Map(nets.map((p) => [p.name, g.input(`eps.${p.name}`, [batch, p.outDim])]));
  const epsNext = new Map(nets.map((p) => [p.name, g.input(`eps_next.${p.name}`, [batch, p.outDim])]));
  const drop = dropoutLayout(sh);
  const masks =
    cfg.dropout > 0 ? { s: g.input('drop', [batch, drop.units]), s2: g.input('drop_next', [batch, drop.units]) } : null;
  const alpha = g.node1('Exp', [st.logAlpha], [1]);
  const hidden = sh.cfg.hidden;
  const rule = cfg.optimizer;

  // target: a sample of the current policy at s' (training mode, its own masks), the twin target less entropy
  const pT = new TrainOps(g, paramBlock(g, aSpecs, st.actor, null));
  const next = samplePolicy(pT, sh, b.s2 as unknown as States<Val>, epsNext, hidden, {
    eps: cfg.bnEpsilon,
    ...(masks ? { dropout: { mask: masks.s2, offset: drop.offset } } : {}),
  });
  const minT = twinTargetValue(g, critic, st, b.s2, next.weights, 'toeplitz');
  const soft = g.node1('Sub', [minT, g.node1('Mul', [next.logp, alpha], [...next.logp.shape])], [...minT.shape]);
  const y = bellmanTarget(pT, { rewardScale: 1, gamma: cfg.gamma }, b.r, b.done, soft);

  const twins = twinCriticSteps(
    g,
    critic,
    { criticLr: cfg.lr, gradClipNorm: cfg.gradClipNorm, rule },
    st,
    b,
    y,
    { c1, c2 },
    'toeplitz',
  );

  // actor step against the stepped critics; its pass also gives the batch statistics
  const tape = new Tape('actor');
  const params = paramBlock(g, aSpecs, st.actor, tape);
  const ops = new TrainOps(g, params);
  const stats = new Map<string, { mean: Val; variance: Val }>();
  const pol = samplePolicy(ops, sh, b.s as unknown as States<Val>, eps, hidden, {
    eps: cfg.bnEpsilon,
    stats,
    ...(masks ? { dropout: { mask: masks.s, offset: drop.offset } } : {}),
  });
  const qNew = (p: Val) => critic.critic(new TrainOps(g, paramBlock(g, critic.criticSpecs, p, null)), b.s, pol.weights);
  const q1n = qNew(twins.q1.step.p);
  const q2n = qNew(twins.q2.step.p);
  const minQ = ops.mul(ops.scalar(0.5), ops.sub(ops.add(q1n, q2n), ops.abs(ops.sub(q1n, q2n))));
  const actorLoss = meanAll(ops, ops.sub(ops.mul(pol.logp, alpha), minQ));
  const actor = optimiserStep(g, aSpecs, params, actorLoss, {
    lr: cfg.lr,
    clip: cfg.gradClipNorm,
    p: st.actor,
    m: st.actorM,
    v: st.actorV,
    c1,
    c2,
    rule,
  });

  // running statistics: (1 - momentum) running + momentum batch, in the stats vector's spec order
  const old = paramBlock(g, sSpecs, st.actorStats, null);
  const mom = cfg.bnMomentum;
  const parts = sSpecs.map((sp) => {
    const m = /^(.*)\/bn\/(mean|var)$/.exec(sp.name)!;
    const batchStat = stats.get(m[1]!)!;
    const bv = m[2] === 'mean' ? batchStat.mean : batchStat.variance;
    const sh1 = [...sp.shape];
    return g.node1(
      'Add',
      [g.node1('Mul', [old.get(sp.name)!, g.scalar(1 - mom)], sh1), g.node1('Mul', [bv, g.scalar(mom)], sh1)],
      sh1,
    );
  });
  const statsNext = g.node1('Concat', parts, [total(sSpecs)], { axis: 0 });
  const logProb = g.node1('ReduceMean', [pol.logp], [], { keepdims: 0 });

  const out: Partial<Record<HadapsStateName, Val>> = {
    actor: actor.p,
    actorM: actor.m,
    actorV: actor.v,
    actorStats: statsNext,
    ...twinStepped(twins),
    ...twinSoftUpdates(g, twins, st, cfg.tau),
  };
  if (cfg.alphaTuning === 'auto') {
    const entries = nets.reduce((a, p) => a + p.outDim, 0);
    const target = cfg.targetEntropyPerEntry * entries;
    const grad = g.node1(
      'Reshape',
      [g.node1('Neg', [g.node1('Add', [logProb, g.scalar(target)], [])], []), g.ints([1])],
      [1],
    );
    const ac1 = g.input('alpha_c1', []);
    const ac2 = g.input('alpha_c2', []);
    const step = adamStep(g, tfjsAdam(cfg.alphaLr), st.logAlpha, st.logAlphaM, st.logAlphaV, grad, ac1, ac2);
    Object.assign(out, { logAlpha: step.p, logAlphaM: step.m, logAlphaV: step.v });
  }
  for (const n of changes(cfg)) g.output(nextName(n), out[n]!);
  g.output('critic1Loss', twins.q1.loss);
  g.output('critic2Loss', twins.q2.loss);
  g.output('actorLoss', actorLoss);
  g.output('logProb', logProb);
  g.output('alpha', alpha);
  return finishGraph(
    g,
    'hadaps_update',
    'HDRL Desk HADAPS update (hierarchical SAC: twin critics, actor, batch-norm statistics)',
  );
}

/**
 * The acting graph: the policy in decision mode (running statistics folded, no dropout) for one state, with
 * `noise.<layer>` [1, outputs] added to each layer's mean. Inputs `infer` (the decision-time parameter vector),
 * `s.p`, `s.v`, `s.wprev`; output `weights` [1, N].
 */
export function buildHadapsAct(sh: HadapsShape): TrainGraph {
  const g = new Graph();
  const specs = policyInferSpecs(sh);
  const infer = g.input('infer', [total(specs)]);
  const s = stateInputs(g, stateShapes(sh), 1) as unknown as States<Val>;
  const ops = new TrainOps(g, paramBlock(g, specs, infer, null));
  const layers = sh.cfg.hidden.length;
  const means = policyMeans(ops, sh, s, (prefix, x) => mlpInfer(ops, prefix, x, layers));
  const u = new Map<string, Val>();
  for (const p of policyNets(sh)) u.set(p.name, ops.add(means.get(p.name)!, g.input(`noise.${p.name}`, [1, p.outDim])));
  g.output('weights', policyWeights(ops, sh, u));
  return finishGraph(g, 'hadaps_act', 'HDRL Desk HADAPS policy, acting (decision mode)');
}
