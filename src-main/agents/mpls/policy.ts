/**
 * Trained MPLS agents as the strategy decides with them: each agent's decision-time policy (network.ts, the same
 * forward the learner trains) exported to its own ONNX model and run by ONNX Runtime:
 *   - fusion: inputs `f` [batch, F], `mask` [batch, 3] -> `weights` [batch, 3], the module weights (an off module's 0);
 *   - high:   inputs `h` [batch, H] (and `logFused` [batch, S] when residual) -> `weights` [batch, S];
 *   - low:    inputs `s<c>` [batch, W_c], one per low-level sector -> `weights` [batch, M], the weights inside each
 *             low-level sector side by side (network.ts lowSectors order).
 * {@link MplsPolicy} opens the three and gives them as env.ts MplsAgents, so a decision is MplsStates.decide over
 * them, the same day as in training.
 */
import { buildOnnxModel } from '../../compute/onnx/emitter';
import { OnnxModel } from '../../compute/onnx/runtime';
import type { AgentState, MplsAgents } from './env';
import {
  fusionModel,
  fusionWeights,
  highLogits,
  highModel,
  lowModel,
  lowWeights,
  N_MODULES,
  type MplsShape,
} from './network';
import type { PpoModel } from '../../compute/train/ppo';
import type { MplsAgentParams } from './trainer';

/** One agent's exported policy, or null where the agent does not exist. */
export interface MplsOnnx {
  fusion: Uint8Array | null;
  high: Uint8Array;
  low: Uint8Array | null;
}

const inputsOf = (m: PpoModel) => Object.entries(m.state).map(([name, shape]) => ({ name, dims: ['batch', ...shape] }));

/** The ONNX policies of the agents' decision-time parameters. */
export function exportMplsOnnx(sh: MplsShape, params: MplsAgentParams): MplsOnnx {
  const fm = fusionModel(sh);
  const lm = lowModel(sh);
  const hm = highModel(sh);
  if (!fm !== !params.fusion) throw new Error('MPLS export: the fusion agent and its parameters do not match');
  if (!lm !== !params.low) throw new Error('MPLS export: the low-level agents and their parameters do not match');
  const doc = (what: string) => `HDRL Desk MPLS ${what} (PPO policy, the Gaussian's mean through its softmax)`;
  return {
    fusion:
      fm && params.fusion
        ? buildOnnxModel({
            graphName: 'mpls_fusion',
            params: params.fusion,
            inputs: inputsOf(fm),
            outputs: [{ name: 'weights', dims: ['batch', N_MODULES] }],
            build: (ops, i) => ({ weights: fusionWeights(ops, sh, i.f!, i.mask!) }),
            docString: doc('fusion agent: module weights'),
          })
        : null,
    high: buildOnnxModel({
      graphName: 'mpls_high',
      params: params.high,
      inputs: inputsOf(hm),
      outputs: [{ name: 'weights', dims: ['batch', hm.action[0]!] }],
      build: (ops, i) => ({ weights: ops.softmax(highLogits(ops, sh, i.h!, i.logFused)) }),
      docString: doc('high-level agent: sector weights'),
    }),
    low:
      lm && params.low
        ? buildOnnxModel({
            graphName: 'mpls_low',
            params: params.low,
            inputs: inputsOf(lm),
            outputs: [{ name: 'weights', dims: ['batch', lm.action[0]!] }],
            build: (ops, i) => ({ weights: lowWeights(ops, sh, i) }),
            docString: doc('low-level agents: weights inside each sector'),
          })
        : null,
  };
}

/** One exported agent opened in ONNX Runtime. */
class Agent {
  constructor(
    private readonly model: OnnxModel,
    private readonly state: Record<string, number[]>,
    private readonly name: string,
  ) {}

  run(s: AgentState, batch = 1): Float32Array {
    const feeds: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const [k, shape] of Object.entries(this.state)) {
      const x = s[k];
      const want = batch * shape.reduce((a, b) => a * b, 1);
      if (!x || x.length !== want)
        throw new RangeError(`MPLS ${this.name} policy: input ${k} needs ${want} values, got ${x?.length ?? 'none'}`);
      feeds[k] = { data: x, dims: [batch, ...shape] };
    }
    return this.model.runSync(feeds).weights!.data;
  }

  dispose(): Promise<void> {
    return this.model.dispose();
  }
}

/** The exported agents opened in ONNX Runtime (see the file overview). */
export class MplsPolicy {
  private constructor(
    private readonly fusion: Agent | null,
    private readonly high: Agent,
    private readonly low: Agent | null,
  ) {}

  static async open(onnx: MplsOnnx, sh: MplsShape): Promise<MplsPolicy> {
    const fm = fusionModel(sh);
    const lm = lowModel(sh);
    if (!fm !== !onnx.fusion || !lm !== !onnx.low)
      throw new Error('MPLS policy: the stored agents do not match the sectors and modules of the model');
    const open = async (bytes: Uint8Array, m: PpoModel, name: string) =>
      new Agent(await OnnxModel.create(bytes), m.state, name);
    return new MplsPolicy(
      fm && onnx.fusion ? await open(onnx.fusion, fm, 'fusion') : null,
      await open(onnx.high, highModel(sh), 'high-level'),
      lm && onnx.low ? await open(onnx.low, lm, 'low-level') : null,
    );
  }

  /** The agents as MplsStates.decide takes them. */
  agents(): MplsAgents {
    const f64 = (x: Float32Array) => Float64Array.from(x);
    return {
      ...(this.fusion ? { fusion: (s: AgentState) => f64(this.fusion!.run(s)) } : {}),
      high: (s) => f64(this.high.run(s)),
      ...(this.low ? { low: (s: AgentState) => f64(this.low!.run(s)) } : {}),
    };
  }

  /** Run one agent on a batch of states (tests, explanations). */
  runAgent(name: 'fusion' | 'high' | 'low', s: AgentState, batch = 1): Float32Array {
    const a = name === 'fusion' ? this.fusion : name === 'high' ? this.high : this.low;
    if (!a) throw new Error(`this MPLS model has no ${name} agent`);
    return a.run(s, batch);
  }

  async dispose(): Promise<void> {
    await Promise.all([this.fusion?.dispose(), this.high.dispose(), this.low?.dispose()]);
  }
}
