/**
 * What every learned family that trains inside `create()` shares (EIIE, the Long/Hold/Short classifiers, MAPS, HADAPS;
 * SAMP-HDRL keeps its own, older store in strategies/samp/model.ts):
 *   - `trainingKey`: the key of a trained model — sha256 over what determines it (family, training revision,
 *     config, seed, ... as the family lists them) and every date and close up to the end of its training window;
 *     `windowTrainingKey` the key of the families whose model depends on nothing else than their config, the seed,
 *     the tickers and the training window (EIIE, PPN, the classifiers, MAPS);
 *   - `TrainedModels`: the models of one family by key, kept in memory within a process (a second create() for the
 *     same training reuses the first) and, with a store installed (the backtest installs the files next to the
 *     database, store/models.ts), loaded from it instead of trained, and written to it. `forgetTrainedModels`
 *     drops every family's in-memory models: the registry-wide look-ahead test calls it before each rerun, since
 *     a rerun whose prices changed only after trainEnd has the same key and would otherwise reuse the first model,
 *     hiding a training that read past trainEnd;
 *   - `HeldBook`: the weights a strategy's last decision has drifted to by the day it is asked about (all cash
 *     before its first decision) — what a holdings-aware policy reads as the weights it holds;
 *   - `modelRecord` (what every decision of a trained model records about it) and `finiteFigures` (a training
 *     progress report's figures).
 */
import { createHash } from 'node:crypto';
import { driftWeights } from '../agents/samp/trading';
import type { DecisionModel } from '../../src-shared/domain/decision';
import type { PriceMatrix } from '../market/prices';
import { MarketView } from '../market/view';
import type { StrategyContext } from './types';

/** sha256 of `what` (as JSON) and every date and close of `prices` up to day `trainEnd`. */
export function trainingKey(what: object, prices: PriceMatrix, trainEnd: number): string {
  const view = new MarketView(prices, trainEnd);
  const h = createHash('sha256');
  h.update(JSON.stringify(what));
  for (let d = 0; d <= trainEnd; d++) {
    h.update(view.dateAt(d));
    const row = view.closes(d);
    h.update(new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
  }
  return h.digest('hex');
}

/**
 * The training key of a family whose model is determined by its config, the seed, the tickers and the training
 * window (with the closes up to trainEnd, as every key): what {@link trainingKey} hashes is
 * { family, revision, config, seed, tickers, trainStart, trainEnd }, in that order.
 */
export function windowTrainingKey(
  family: string,
  revision: number,
  config: object,
  seed: number,
  prices: PriceMatrix,
  trainStart: number,
  trainEnd: number,
): string {
  return trainingKey(
    { family, revision, config, seed, tickers: prices.tickers, trainStart, trainEnd },
    prices,
    trainEnd,
  );
}

/** Where a family's trained models are kept between processes. */
export interface ModelStore<A> {
  get(key: string): Promise<A | undefined>;
  put(key: string, artifacts: A): Promise<void>;
}

/** Every family's in-memory models, for {@link forgetTrainedModels}. */
const ALL = new Set<{ forget(): void }>();

/** Drop every family's in-memory models (the stores are untouched): the next create() trains or loads again. */
export function forgetTrainedModels(): void {
  for (const m of ALL) m.forget();
}

/** One family's trained models by training key (see the file overview). */
export class TrainedModels<A> {
  private readonly jobs = new Map<string, Promise<A>>();
  private store: ModelStore<A> | null = null;

  constructor() {
    ALL.add(this);
  }

  /** Drop the models kept in memory (the store keeps its files). */
  forget(): void {
    this.jobs.clear();
  }

  /** Install (or remove, with null) the store models are loaded from and written to; forgets the in-memory ones. */
  setStore(store: ModelStore<A> | null): void {
    if (store !== this.store) this.jobs.clear();
    this.store = store;
  }

  /**
   * The model of `key`: the one this process already has, else the stored one, else `train()`'s (then stored).
   * Progress lines start with `label` (the strategy id). A failed training is forgotten, so a retry trains again.
   */
  get(key: string, ctx: Pick<StrategyContext, 'progress'>, label: string, train: () => Promise<A>): Promise<A> {
    let job = this.jobs.get(key);
    if (job) {
      ctx.progress?.({ fraction: 1, message: `${label}: reused trained model ${key.slice(0, 12)}` });
      return job;
    }
    const store = this.store;
    job = (async () => {
      const stored = await store?.get(key);
      if (stored) {
        ctx.progress?.({ fraction: 1, message: `${label}: loaded stored model ${key.slice(0, 12)}` });
        return stored;
      }
      const m = await train();
      await store?.put(key, m);
      return m;
    })();
    this.jobs.set(key, job);
    job.catch(() => this.jobs.delete(key));
    return job;
  }
}

/** The weights a strategy last decided, drifted with the prices to the day it is asked about. */
export class HeldBook {
  private prev: Float64Array | null = null;
  private prevDay = -1;

  constructor(private readonly n: number) {}

  /** The weights held at the close of `view.t` before today's trade (all cash before the first decision). */
  held(view: Pick<MarketView, 't' | 'closes'>): Float64Array {
    if (!this.prev) return new Float64Array(this.n);
    const a = view.closes(this.prevDay);
    const b = view.closes(view.t);
    return driftWeights(
      this.prev,
      Float64Array.from(a, (p, i) => b[i]! / p),
    );
  }

  /** Record today's decision (the weights traded to at the close of day `t`). */
  record(w: Float64Array, t: number): void {
    this.prev = w;
    this.prevDay = t;
  }
}

/**
 * The record every decision of a trained model carries (domain/decision.ts DecisionModel): its training key, the
 * sha256 of its exported ONNX policy, the backend it decides with and its training window's first and last dates.
 */
export function modelRecord(
  key: string,
  onnx: Uint8Array,
  ctx: Pick<StrategyContext, 'prices' | 'trainStart' | 'trainEnd'>,
): DecisionModel {
  return {
    key,
    sha256: createHash('sha256').update(onnx).digest('hex'),
    backend: 'onnxruntime-cpu',
    trainedFrom: ctx.prices.dates[ctx.trainStart]!,
    trainedTo: ctx.prices.dates[ctx.trainEnd]!,
  };
}

/** The finite ones of a progress report's figures (a figure not measured yet is NaN and left out). */
export function finiteFigures(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
}
