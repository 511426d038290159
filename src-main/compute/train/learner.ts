/**
 * The learner of one network trained by Adam on the ONNX training engine, as the supervised and OSBL updates run it
 * (lhs.ts, maps.ts, eiie.ts and ppn.ts, mplsVolatility.ts, mplsGraph.ts): its state is the network's flat parameter
 * vector and Adam's two moments, held here as Float32Arrays, fed to the update graph and replaced by what it
 * returns. The update graphs share one interface ({@link optimiserInputs}, {@link optimiserOutputs} in common.ts):
 * inputs `params`, `adam_m`, `adam_v`, `adam_c1`, `adam_c2` plus the learner's own data, outputs `params_next`,
 * `adam_m_next`, `adam_v_next`, `loss` plus whatever else it reports. A graph has fixed shapes, so a learner keeps
 * one session per minibatch size (and per forward row count), opened on first use ({@link SessionCache}). The
 * epochs of their trainers take minibatches in a seeded order ({@link shuffled}).
 *
 * What stays with each learner: its graphs, its batch type and what it reads from an update's outputs.
 */
import type { ParamSpec, ParamValues } from '../params';
import { tfjsAdam, type AdamSettings } from './adam';
import { adamFeeds, openGraph, startVector, unflatten, type TrainGraph } from './common';
import type { TrainRunOptions, TrainSession } from './session';

/** A minibatch order: a permutation of 0..n-1 drawn from `rng` (Fisher-Yates, n - 1 draws). */
export function shuffled(n: number, rng: () => number): Uint32Array {
  const a = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/** Sessions of graphs that differ only in a size (a minibatch, a row count), one per size, opened on first use. */
export class SessionCache {
  private readonly open = new Map<number, TrainSession>();

  constructor(private readonly opts: TrainRunOptions) {}

  /** The session for `size`, building its graph with `build` the first time. */
  get(size: number, build: (size: number) => TrainGraph): TrainSession {
    let s = this.open.get(size);
    if (!s) {
      s = openGraph(build(size), this.opts);
      this.open.set(size, s);
    }
    return s;
  }

  /** Release every session opened so far. */
  dispose(): void {
    for (const s of this.open.values()) s.dispose();
    this.open.clear();
  }
}

/**
 * A network and its Adam state (tfjs's settings at learning rate `lr`; adam.ts): the parameters given in
 * `opts.init`, or initialised from `seed` (compute/params.ts, per parameter name), and zero moments. `what` names
 * the starting parameters in errors. Subclasses add their update and forward methods on top of
 * {@link adamUpdate} and {@link runForward}.
 */
export class AdamLearner {
  private p: Float32Array;
  private m: Float32Array;
  private v: Float32Array;
  private readonly adam: AdamSettings;
  private readonly updates: SessionCache;
  private readonly forwards: SessionCache;
  /** Adam steps taken */
  steps = 0;

  constructor(
    private readonly specs: readonly ParamSpec[],
    lr: number,
    seed: number,
    what: string,
    opts: TrainRunOptions & { init?: ParamValues } = {},
  ) {
    this.p = startVector(specs, opts.init, seed, what);
    this.m = new Float32Array(this.p.length);
    this.v = new Float32Array(this.p.length);
    this.adam = tfjsAdam(lr);
    this.updates = new SessionCache(opts);
    this.forwards = new SessionCache(opts);
  }

  /**
   * One Adam step: runs the update graph of minibatch size `batch` (built by `build`) on the current state and
   * `data`, keeps the new parameters and moments, and gives every output (`loss` and the learner's own).
   */
  protected adamUpdate(
    batch: number,
    build: (batch: number) => TrainGraph,
    data: Readonly<Record<string, Float32Array>>,
  ): Record<string, Float32Array> {
    const t = this.steps + 1;
    const out = this.updates.get(batch, build).run({
      params: this.p,
      adam_m: this.m,
      adam_v: this.v,
      ...adamFeeds(this.adam, t, 1),
      ...data,
    });
    this.p = out.params_next!;
    this.m = out.adam_m_next!;
    this.v = out.adam_v_next!;
    this.steps = t;
    return out;
  }

  /** Runs the forward graph of size `rows` (built by `build`) on `data` under `params` (the current ones by default). */
  protected runForward(
    rows: number,
    build: (rows: number) => TrainGraph,
    data: Readonly<Record<string, Float32Array>>,
    params: Float32Array = this.p,
  ): Record<string, Float32Array> {
    return this.forwards.get(rows, build).run({ params, ...data });
  }

  /** The current parameter vector itself, for a forward pass run elsewhere (not to be written). */
  protected get current(): Float32Array {
    return this.p;
  }

  /** A copy of the current parameter vector. */
  vector(): Float32Array {
    return this.p.slice();
  }

  /** Replace the parameter vector (a kept checkpoint); Adam's moments stay. */
  restore(p: Float32Array): void {
    if (p.length !== this.p.length) throw new Error(`restore: ${p.length} values, the network has ${this.p.length}`);
    this.p = p.slice();
  }

  /** The current parameters by name. */
  params(): ParamValues {
    return unflatten(this.specs, this.p);
  }

  /** Release the ONNX Runtime sessions. */
  dispose(): void {
    this.updates.dispose();
    this.forwards.dispose();
  }
}
