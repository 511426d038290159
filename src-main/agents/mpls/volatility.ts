/**
 * MPLS's volatility module (issue 19; docs/mpls.md "Volatility module"): an LSTM that forecasts each sector's
 * volatility over the next period, with a Monte-Carlo-dropout uncertainty that switches the fused allocation to a
 * conservative one when it is high. It fits on a training window only and is then read day by day (modules.ts).
 *
 * Sectors: the run's ClassLayout risky classes (`layout.classes`, in order; HADAPS's implicit cash class is not
 * one). A sector's daily return r_s(t) is the mean of its members' daily log returns ln(c_t / c_{t-1}).
 *
 * Inputs, per sector and day, over a window of L days (setting `window`, default 30) ending at the decision day t:
 *   1. r_s(t'), the sector's daily log return;
 *   2. ln rv_s(t'), the log of its trailing realised volatility, rv_s(t') = sqrt(252 / W sum_{k<W} r_s(t'-k)^2)
 *      (annualised, zero-mean; W = setting `realisedWindow`, default 20 days).
 * Each input is standardised with its mean and standard deviation over the training days (all sectors pooled),
 * stored in the artifact, so a later day is scaled exactly as the training days were.
 *
 * Target: the sector's realised volatility over the next h days (setting `horizon`, default 5), annualised,
 * sqrt(252 / h sum_{k=1..h} r_s(t+k)^2), trained on its logarithm (standardised) with mean squared error. Why the
 * log: volatility is positive and strongly right-skewed (near log-normal), so in logs the errors are symmetric, a
 * calm-period and a crisis-period sample weigh alike instead of a few spikes dominating the loss, and exp of any
 * forecast is a positive volatility. Every volatility (input, target, forecast) is floored at `volFloor` (default
 * 0.01, 1% a year) before its log, so a run of unchanged closes (forward-filled gaps) gives no -infinity.
 *
 * Samples: every (sector, day t) with trainFirst + W + L - 1 <= t <= trainLast - h, so every input reads closes
 * trainFirst..t and every target closes up to trainLast, never after (a test poisons the later closes). One network
 * serves all sectors: each sector's window is a sample, so the network learns how volatility evolves in general and
 * a sector's own level comes in through its inputs. Validation: the last `validationFraction` (default 15%) of the
 * sample days, all sectors of a day together; the h - 1 training days before them are dropped (purged) so no
 * training target overlaps a validation target.
 *
 * Network (compute/train/mplsVolatility.ts): a 2-layer LSTM of 64 units (settings `layers`, `hidden`), dropout 0.3
 * (setting `dropout`) on each layer's output (between the layers and before the head), a linear head to one
 * output. Dropout masks are the same at every step of a window (variational dropout, Gal and Ghahramani 2016).
 *
 * Training: Adam (setting `lr`, default 1e-3), gradient clipped at global norm `clip` (1), minibatches of
 * `batchSize` (64) from a seeded shuffle per epoch, at most `epochs` (12) epochs; after each epoch the validation
 * MSE of the deterministic network scores it, the best epoch's network is kept and training stops after `patience`
 * (3) epochs in a row without improvement. Initialisation, shuffles and dropout masks are drawn from the seed, and
 * ONNX Runtime runs single-threaded, so the same seed gives a bit-identical artifact.
 *
 * Reading day t (`reading(t)`, `day(t)`; pure: the same t gives the same numbers whatever was read before, and
 * only closes t - L - W + 1 .. t are read):
 *   - forecast_s = exp of the deterministic network's (no dropout) log-volatility: annualised volatility over the
 *     next h days;
 *   - uncertainty (Monte-Carlo dropout, Gal and Ghahramani 2016): K passes (setting `mcPasses`, default 20) with
 *     dropout masks drawn from a stream seeded by (seed, t); u_s = the standard deviation (population, over the K)
 *     of the sector's K log-volatility forecasts; the day's uncertainty = the mean of u_s over the sectors. The K
 *     passes and the deterministic pass run as one batch in ONNX Runtime, one call a day: the S windows enter once,
 *     and K + 1 differently masked copies (the first with all-ones masks) leave the first layer (mplsVolatility.ts);
 *   - threshold = the `uncertaintyQuantile` (default 0.75, linear interpolation between order statistics) of the
 *     uncertainty over the training days trainFirst + W + L - 1 .. trainLast, fixed at fit time (read by the module
 *     the fit returns, so those days are already read when the strategy's training reads them);
 *   - proposal: inverse-forecast-volatility weights, (1 / forecast_s) / sum_k (1 / forecast_k);
 *   - sectorFeatures (sectorWidth 2) per sector: [ln(forecast_s / rv_s(t)), u_s / threshold] — whether the network
 *     expects the sector's volatility to rise or fall from its trailing level, and how unsure it is of that sector
 *     relative to the conservative threshold (their mean over sectors is uncertainty / threshold). No asset features.
 *
 * The conservative rule (its one home, {@link conservativeAllocation}; the strategy calls it on the fused
 * allocation): when the day's uncertainty exceeds the threshold, the allocation becomes (1 - m) fused + m
 * inverse-variance weights (1 / forecast_s^2, normalised), m = setting `conservativeMix` (default 0.5); otherwise
 * it is the fused allocation unchanged.
 *
 * Forecast checking ({@link volatilityErrors}): on given days, RMSE and MAE of the annualised forecast against the
 * realised volatility of the next h days, RMSE of the log-volatility, and QLIKE (Patton 2011, on variances:
 * mean of v/f - ln(v/f) - 1, 0 for a perfect forecast), for the LSTM and for a constant forecast per sector (the
 * exp of the sector's mean training log-volatility target, the best constant under the training loss). `hdrl
 * mpls-volatility` puts them beside EWMA and GARCH(1,1) (explain/volatility.ts, whose display stays as it is),
 * docs/mpls-volatility.md.
 *
 * Stored form: `fitVolatilityModule` gives the module and a JSON artifact (settings, seed, window, sectors,
 * standardisation, constant forecasts, threshold, parameters); `volatilityModuleFrom(artifact, ...)` rebuilds the
 * same module without training. The module opens its ONNX Runtime session lazily on the first read (synchronously),
 * so both stay synchronous; `dispose()` releases it.
 *
 * Why this file is long: the module is one concept whose parts (features, targets, sample split, training loop,
 * Monte-Carlo reading, threshold, conservative rule, error figures, artifact checks) share the same definitions of
 * a sector's return and realised volatility; splitting them would scatter those definitions.
 */
import seedrandom from 'seedrandom';
import { deserializeParams, serializeParams, type SerializedParams } from '../../compute/params';
import {
  dropName,
  exportVolatilityOnnx,
  OnnxVolatilityRegressor,
  type VolatilityNetShape,
} from '../../compute/train/mplsVolatility';
import { TrainSession, type TrainRunOptions } from '../../compute/train/session';
import { shuffled } from '../../compute/train/learner';
import type { ClassLayout } from '../hadaps/classes';
import { abortError } from '../samp/episodes';
import { CheckpointSelector } from '../samp/selection';
import type { ModuleDay, VolatilityModule, VolatilityReading } from './modules';

/** Trading days a year (annualisation). */
export const VOLATILITY_DAYS_PER_YEAR = 252;

/** Input features per day of a window: the sector's return and its log trailing realised volatility. */
export const VOLATILITY_FEATURES = 2;

/** Settings of the volatility module (file overview). */
export interface VolatilityConfig {
  /** L, days in an input window. Default 30. */
  window: number;
  /** W, days of the trailing realised volatility input. Default 20. */
  realisedWindow: number;
  /** h, days ahead whose realised volatility is forecast. Default 5. */
  horizon: number;
  /** LSTM layers. Default 2 (the issue's). */
  layers: number;
  /** units per LSTM layer. Default 64 (the issue's). */
  hidden: number;
  /** dropout rate on each LSTM layer's output, in training and in the Monte-Carlo passes. Default 0.3 (the issue's). */
  dropout: number;
  /** Adam learning rate. Default 1e-3. */
  lr: number;
  /** gradient clip (global norm; 0 = none). Default 1. */
  clip: number;
  /** windows per minibatch. Default 64. */
  batchSize: number;
  /** most epochs. Default 12. */
  epochs: number;
  /** epochs in a row without a better validation MSE after which training stops (0 = never). Default 3. */
  patience: number;
  /** fraction of the sample days, the last ones, held out for validation (0 = none: the last epoch is kept). Default 0.15. */
  validationFraction: number;
  /** K, Monte-Carlo dropout passes a day. Default 20. */
  mcPasses: number;
  /** quantile of the training days' uncertainty that is the conservative threshold. Default 0.75 (the issue's). */
  uncertaintyQuantile: number;
  /** m, weight of the inverse-variance allocation when conservative. Default 0.5. */
  conservativeMix: number;
  /** floor on every annualised volatility before its logarithm. Default 0.01. */
  volFloor: number;
}

export const VOLATILITY_DEFAULTS: Readonly<VolatilityConfig> = Object.freeze({
  window: 30,
  realisedWindow: 20,
  horizon: 5,
  layers: 2,
  hidden: 64,
  dropout: 0.3,
  lr: 1e-3,
  clip: 1,
  batchSize: 64,
  epochs: 12,
  patience: 3,
  validationFraction: 0.15,
  mcPasses: 20,
  uncertaintyQuantile: 0.75,
  conservativeMix: 0.5,
  volFloor: 0.01,
});

const INTEGER_SETTINGS = ['window', 'realisedWindow', 'horizon', 'layers', 'hidden', 'batchSize', 'epochs'] as const;

/** The defaults with `over` applied, every setting checked; a bad one is refused, naming it. */
export function resolveVolatilityConfig(over: Partial<VolatilityConfig> = {}): VolatilityConfig {
  const known = new Set(Object.keys(VOLATILITY_DEFAULTS));
  for (const k of Object.keys(over)) if (!known.has(k)) throw new RangeError(`volatility module: unknown setting ${k}`);
  const c: VolatilityConfig = { ...VOLATILITY_DEFAULTS, ...over };
  const bad = (k: keyof VolatilityConfig, want: string) =>
    new RangeError(`volatility module: ${k} must be ${want}, got ${String(c[k])}`);
  for (const k of INTEGER_SETTINGS) if (!(Number.isInteger(c[k]) && c[k] >= 1)) throw bad(k, 'a positive integer');
  if (!(Number.isInteger(c.mcPasses) && c.mcPasses >= 2)) throw bad('mcPasses', 'an integer >= 2');
  if (!(Number.isInteger(c.patience) && c.patience >= 0)) throw bad('patience', 'a non-negative integer');
  if (!(c.dropout > 0 && c.dropout < 1)) throw bad('dropout', 'in (0, 1) (Monte-Carlo dropout needs a dropout)');
  if (!(c.lr > 0 && Number.isFinite(c.lr))) throw bad('lr', 'a positive number');
  if (!(c.clip >= 0 && Number.isFinite(c.clip))) throw bad('clip', 'a non-negative number');
  if (!(c.validationFraction >= 0 && c.validationFraction <= 0.5)) throw bad('validationFraction', 'in [0, 0.5]');
  if (!(c.uncertaintyQuantile >= 0 && c.uncertaintyQuantile <= 1)) throw bad('uncertaintyQuantile', 'in [0, 1]');
  if (!(c.conservativeMix >= 0 && c.conservativeMix <= 1)) throw bad('conservativeMix', 'in [0, 1]');
  if (!(c.volFloor > 0 && Number.isFinite(c.volFloor))) throw bad('volFloor', 'a positive number');
  return c;
}

/** Days before which no window can be read: W + L - 1 (file overview). */
function warmup(c: Pick<VolatilityConfig, 'window' | 'realisedWindow'>): number {
  return c.realisedWindow + c.window - 1;
}

/** Daily closes as the modules read them: `closes(d)[i]` is asset i's close on day d. */
export type Closes = (d: number) => ArrayLike<number>;

/**
 * Sector returns and realised volatilities of one price series (file overview). A day's sector returns are
 * computed the first time they are needed, from that day's and the previous day's closes only, so a realised
 * volatility over days a..b reads closes a-1..b and nothing else: reading day t reads closes t - L - W + 1 .. t,
 * a target closes t .. t + h. Days are those below `nDays` (the fit passes trainLast + 1: a later day is refused).
 */
export class SectorSeries {
  /** sectors */
  readonly S: number;
  private readonly ret: Float64Array;
  private readonly known: Uint8Array;

  constructor(
    private readonly closes: Closes,
    readonly nDays: number,
    readonly layout: ClassLayout,
  ) {
    this.S = layout.classes.length;
    if (this.S === 0) throw new RangeError('volatility module: the class layout has no risky class');
    for (const c of layout.classes)
      if (c.members.length === 0) throw new RangeError(`volatility module: class ${c.name} has no member`);
    this.ret = new Float64Array(nDays * this.S);
    this.known = new Uint8Array(nDays);
  }

  private day(d: number): number {
    if (!(Number.isInteger(d) && d >= 1 && d < this.nDays))
      throw new RangeError(`volatility module: day ${d} has no return in the ${this.nDays}-day price series`);
    if (!this.known[d]) {
      const a = this.closes(d - 1);
      const b = this.closes(d);
      this.layout.classes.forEach((c, s) => {
        let sum = 0;
        for (const i of c.members) sum += Math.log(b[i]! / a[i]!);
        this.ret[d * this.S + s] = sum / c.members.length;
      });
      this.known[d] = 1;
    }
    return d * this.S;
  }

  /** r_s(t), the sector's mean member log return on day t (t >= 1). */
  sectorReturn(t: number, s: number): number {
    return this.ret[this.day(t) + s]!;
  }

  /** Annualised realised volatility of days from..to (inclusive, 1 <= from <= to), zero-mean. */
  realised(from: number, to: number, s: number): number {
    if (!(from <= to)) throw new RangeError(`volatility module: no returns over days ${from}..${to}`);
    let q = 0;
    for (let d = from; d <= to; d++) q += this.ret[this.day(d) + s]! ** 2;
    return Math.sqrt((VOLATILITY_DAYS_PER_YEAR * q) / (to - from + 1));
  }

  /** rv_s(t): the trailing realised volatility over the W days ending at t (t >= W). */
  trailing(t: number, s: number, W: number): number {
    return this.realised(t - W + 1, t, s);
  }

  /** The realised volatility over the next h days, t+1..t+h (the target; reads closes t..t+h). */
  forward(t: number, s: number, h: number): number {
    return this.realised(t + 1, t + h, s);
  }
}

/** ln(max(v, floor)). */
function logVol(v: number, floor: number): number {
  return Math.log(Math.max(v, floor));
}

/** How the inputs and the target are standardised (training-day statistics). */
export interface VolatilityScaling {
  /** mean and standard deviation of each input feature (return, log trailing volatility) */
  inputMean: number[];
  inputStd: number[];
  /** mean and standard deviation of the log-volatility target over the fitting samples */
  targetMean: number;
  targetStd: number;
}

/** One epoch of training. */
export interface VolatilityEpoch {
  epoch: number;
  /** mean minibatch MSE (standardised log-volatility) over the epoch, before each step */
  loss: number;
  /** validation MSE of the deterministic network after the epoch (null without validation days) */
  validationMse: number | null;
}

/** A fitted volatility module as stored: enough to rebuild it without training (file overview). */
export interface VolatilityArtifact {
  format: 'hdrl-mpls-volatility-v1';
  cfg: VolatilityConfig;
  seed: number;
  trainFirst: number;
  trainLast: number;
  /** the layout's risky classes it was fitted on */
  sectors: { name: string; members: number[] }[];
  nAssets: number;
  scaling: VolatilityScaling;
  /** per sector, the mean training log-volatility target: the constant forecast is its exp */
  constantLogVol: number[];
  /** the conservative threshold (file overview) */
  threshold: number;
  params: SerializedParams;
  training: {
    /** sample days (each with S sector samples) used to fit and to validate */
    fitDays: number;
    validationDays: number;
    epochs: VolatilityEpoch[];
    /** the kept epoch (the last without validation) */
    chosenEpoch: number;
    updates: number;
  };
}

const FORMAT = 'hdrl-mpls-volatility-v1';

/** The forecaster's network shape under a config. */
function netShape(c: VolatilityConfig): VolatilityNetShape {
  return { window: c.window, features: VOLATILITY_FEATURES, hidden: c.hidden, layers: c.layers };
}

/**
 * The standardised input window [L x F] ending at t for sector s, written into `out` at `offset`; false when a
 * value is not finite (the window reads a bad close).
 */
function writeWindow(
  series: SectorSeries,
  c: VolatilityConfig,
  sc: VolatilityScaling,
  t: number,
  s: number,
  out: Float32Array,
  offset: number,
): boolean {
  const L = c.window;
  let o = offset;
  for (let d = t - L + 1; d <= t; d++) {
    const a = (series.sectorReturn(d, s) - sc.inputMean[0]!) / sc.inputStd[0]!;
    const b = (logVol(series.trailing(d, s, c.realisedWindow), c.volFloor) - sc.inputMean[1]!) / sc.inputStd[1]!;
    if (!(Number.isFinite(a) && Number.isFinite(b))) return false;
    out[o++] = a;
    out[o++] = b;
  }
  return true;
}

/** Type-7 quantile (linear interpolation between order statistics) of finite values. */
export function quantile(values: readonly number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(v.length - 1, lo + 1);
  return v[lo]! + (h - lo) * (v[hi]! - v[lo]!);
}

/** Mean and (population) standard deviation; the deviation is 1 when the values do not vary. */
function meanStd(sum: number, sumSq: number, n: number): { mean: number; std: number } {
  const mean = sum / n;
  const v = Math.max(sumSq / n - mean * mean, 0);
  const std = Math.sqrt(v);
  return { mean, std: std > 1e-12 ? std : 1 };
}

/** What a day's Monte-Carlo reading gives before the threshold is applied. */
interface RawReading {
  /** [S] annualised */
  forecast: Float64Array;
  /** [S] standard deviation of the K log-volatility forecasts */
  spread: Float64Array;
  /** [S] trailing realised volatility at t (floored) */
  trailing: Float64Array;
  uncertainty: number;
}

/**
 * The fitted network read day by day: the exported forecaster in ONNX Runtime (opened on the first read), the
 * standardisation, and the seeded Monte-Carlo masks. Readings are cached per day.
 */
class Forecaster {
  readonly cfg: VolatilityConfig;
  readonly series: SectorSeries;
  readonly firstDay: number;
  private session: TrainSession | null = null;
  private readonly cache = new Map<number, RawReading>();

  constructor(
    private readonly a: VolatilityArtifact,
    closes: Closes,
    nDays: number,
    layout: ClassLayout,
  ) {
    this.cfg = a.cfg;
    this.series = new SectorSeries(closes, nDays, layout);
    this.firstDay = warmup(a.cfg);
  }

  private open(): TrainSession {
    if (this.session) return this.session;
    const c = this.cfg;
    const S = this.series.S;
    const bytes = exportVolatilityOnnx(netShape(c), deserializeParams(this.a.params));
    this.session = TrainSession.open(
      bytes,
      [
        { name: 'x', shape: [S, c.window, VOLATILITY_FEATURES] },
        ...Array.from({ length: c.layers }, (_, k) => ({
          name: dropName(k),
          shape: [c.mcPasses + 1, S, 1, c.hidden],
        })),
      ],
      [{ name: 'logvol', shape: [(c.mcPasses + 1) * S] }],
    );
    return this.session;
  }

  /** The raw reading of day t (file overview). */
  read(t: number): RawReading {
    const have = this.cache.get(t);
    if (have) return have;
    const { cfg: c, series } = this;
    if (!(Number.isInteger(t) && t >= this.firstDay && t < series.nDays))
      throw new RangeError(
        `volatility module: day ${t} cannot be read (days ${this.firstDay}..${series.nDays - 1} can: a window of ${c.window} days of ${c.realisedWindow}-day realised volatility)`,
      );
    const S = series.S;
    const K = c.mcPasses;
    const stride = c.window * VOLATILITY_FEATURES;
    const x = new Float32Array(S * stride);
    for (let s = 0; s < S; s++)
      if (!writeWindow(series, c, this.a.scaling, t, s, x, s * stride))
        throw new Error(
          `volatility module: the window ending on day ${t} holds a non-finite value for sector ${series.layout.classes[s]!.name}`,
        );
    // pass 0 (rows 0..S-1) deterministic: all-ones masks; passes 1..K: masks from the (seed, t) stream
    const rng = seedrandom(`${this.a.seed}|mpls-volatility|mc|${t}`);
    const keep = 1 / (1 - c.dropout);
    const feeds: Record<string, Float32Array> = { x };
    for (let k = 0; k < c.layers; k++) {
      const m = new Float32Array((K + 1) * S * c.hidden).fill(1);
      for (let i = S * c.hidden; i < m.length; i++) m[i] = rng() < c.dropout ? 0 : keep;
      feeds[dropName(k)] = m;
    }
    const y = this.open().run(feeds).logvol!;
    const { targetMean: mu, targetStd: sd } = this.a.scaling;
    const forecast = new Float64Array(S);
    const spread = new Float64Array(S);
    const trailing = new Float64Array(S);
    let total = 0;
    for (let s = 0; s < S; s++) {
      forecast[s] = Math.exp(mu + sd * y[s]!);
      const passes = Array.from({ length: K }, (_, p) => mu + sd * y[(p + 1) * S + s]!);
      const mean = passes.reduce((a, v) => a + v, 0) / K;
      spread[s] = Math.sqrt(passes.reduce((a, v) => a + (v - mean) ** 2, 0) / K);
      trailing[s] = Math.max(series.trailing(t, s, c.realisedWindow), c.volFloor);
      total += spread[s]!;
    }
    const r: RawReading = { forecast, spread, trailing, uncertainty: total / S };
    this.cache.set(t, r);
    return r;
  }

  dispose(): void {
    this.session?.dispose();
    this.session = null;
  }
}

/** Weights proportional to 1 / v^power over the sectors, normalised. */
function inverseWeights(forecast: ArrayLike<number>, power: number): Float64Array {
  const w = Float64Array.from({ length: forecast.length }, (_, s) => 1 / forecast[s]! ** power);
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / sum);
}

/** The volatility module as MPLS reads it (file overview); `dispose()` releases its ONNX Runtime session. */
export class LstmVolatilityModule implements VolatilityModule {
  readonly name = 'volatility' as const;
  readonly sectorWidth = 2;
  readonly assetWidth = 0;
  readonly firstDay: number;

  constructor(
    private readonly f: Forecaster,
    readonly threshold: number,
  ) {
    this.firstDay = f.firstDay;
  }

  reading(t: number): VolatilityReading {
    const r = this.f.read(t);
    return { forecast: r.forecast.slice(), uncertainty: r.uncertainty, threshold: this.threshold };
  }

  day(t: number): ModuleDay {
    const r = this.f.read(t);
    const S = r.forecast.length;
    const sectorFeatures = new Float32Array(S * this.sectorWidth);
    for (let s = 0; s < S; s++) {
      sectorFeatures[s * 2] = Math.log(r.forecast[s]! / r.trailing[s]!);
      sectorFeatures[s * 2 + 1] = r.spread[s]! / this.threshold;
    }
    return { proposal: inverseWeights(r.forecast, 1), sectorFeatures, assetFeatures: new Float32Array(0) };
  }

  /** Release the ONNX Runtime session (a later read opens it again). */
  dispose(): void {
    this.f.dispose();
  }
}

/**
 * The conservative rule (file overview): (1 - m) fused + m inverse-variance weights of the reading's forecasts when
 * its uncertainty exceeds its threshold, else the fused allocation unchanged (a copy either way).
 */
export function conservativeAllocation(
  fused: Float64Array,
  reading: VolatilityReading,
  cfg: Pick<VolatilityConfig, 'conservativeMix'>,
): { allocation: Float64Array; conservative: boolean } {
  if (fused.length !== reading.forecast.length)
    throw new RangeError(
      `conservative allocation: ${fused.length} fused sector weights for ${reading.forecast.length} forecast sectors`,
    );
  const m = cfg.conservativeMix;
  if (!(m >= 0 && m <= 1)) throw new RangeError(`conservative allocation: conservativeMix must be in [0, 1], got ${m}`);
  if (!(reading.uncertainty > reading.threshold)) return { allocation: fused.slice(), conservative: false };
  const inv = inverseWeights(reading.forecast, 2);
  return { allocation: fused.map((w, s) => (1 - m) * w + m * inv[s]!), conservative: true };
}

/** What every module fit function takes (docs/mpls.md "Modules"), with the volatility module's settings. */
export interface VolatilityFitOptions {
  closes: Closes;
  nDays: number;
  layout: ClassLayout;
  /** first and last day (inclusive, price-matrix indices) whose data the fit may use, targets included */
  trainFirst: number;
  trainLast: number;
  seed: number;
  signal?: AbortSignal;
  run?: TrainRunOptions;
  cfg?: Partial<VolatilityConfig>;
  /** called after every epoch */
  onEpoch?: (e: VolatilityEpoch) => void;
}

/** Standardised windows and targets of the sample days `days` (all sectors of a day together). */
function sampleSet(series: SectorSeries, c: VolatilityConfig, sc: VolatilityScaling, days: readonly number[]) {
  const S = series.S;
  const stride = c.window * VOLATILITY_FEATURES;
  const n = days.length * S;
  const x = new Float32Array(n * stride);
  const y = new Float32Array(n);
  days.forEach((t, i) => {
    for (let s = 0; s < S; s++) {
      const k = i * S + s;
      if (!writeWindow(series, c, sc, t, s, x, k * stride))
        throw new Error(`volatility module: the training window ending on day ${t} holds a non-finite value`);
      y[k] = (logVol(series.forward(t, s, c.horizon), c.volFloor) - sc.targetMean) / sc.targetStd;
    }
  });
  return { n, x, y };
}

/** Validation MSE of the learner's deterministic forecasts, in chunks of a fixed row count (one graph). */
function validationMse(
  learner: OnnxVolatilityRegressor,
  set: { n: number; x: Float32Array; y: Float32Array },
  stride: number,
): number {
  const R = Math.min(512, set.n);
  let q = 0;
  for (let o = 0; o < set.n; o += R) {
    const rows = Math.min(R, set.n - o);
    const x = new Float32Array(R * stride);
    x.set(set.x.subarray(o * stride, (o + rows) * stride));
    const yhat = learner.predict(x, R);
    for (let i = 0; i < rows; i++) q += (yhat[i]! - set.y[o + i]!) ** 2;
  }
  return q / set.n;
}

/**
 * Fit the volatility module on days trainFirst..trainLast (file overview): the samples, the standardisation, the
 * network, the constant forecasts and the conservative threshold. Reads closes trainFirst..trainLast only, never
 * one after trainLast nor one before trainFirst. Gives the module (the same reader {@link volatilityModuleFrom}
 * builds, with the training days already read) and its artifact.
 */
export async function fitVolatilityModule(
  o: VolatilityFitOptions,
): Promise<{ module: LstmVolatilityModule; artifact: VolatilityArtifact }> {
  const c = resolveVolatilityConfig(o.cfg);
  const { trainFirst, trainLast, nDays, layout } = o;
  if (!(Number.isInteger(trainFirst) && Number.isInteger(trainLast) && trainFirst >= 0 && trainLast < nDays))
    throw new RangeError(
      `volatility module: training days ${trainFirst}..${trainLast} are not days of the ${nDays}-day series`,
    );
  if (!Number.isInteger(o.seed)) throw new RangeError(`volatility module: seed must be an integer, got ${o.seed}`);
  // the fit sees a series that ends at trainLast: a later close cannot be read
  const series = new SectorSeries(o.closes, trainLast + 1, layout);
  const S = series.S;
  const first = trainFirst + warmup(c);
  const last = trainLast - c.horizon;
  const nSampleDays = last - first + 1;
  const nVal = c.validationFraction > 0 ? Math.max(1, Math.round(c.validationFraction * nSampleDays)) : 0;
  const fitLast = last - nVal - (nVal > 0 ? c.horizon - 1 : 0);
  if (fitLast - first + 1 < 2)
    throw new RangeError(
      `volatility module: training days ${trainFirst}..${trainLast} are too few: samples need ${warmup(c)} days of history and ${c.horizon} days ahead, leaving ${Math.max(nSampleDays, 0)} sample days (${Math.max(fitLast - first + 1, 0)} after the validation split)`,
    );
  const fitDays = Array.from({ length: fitLast - first + 1 }, (_, i) => first + i);
  const valDays = Array.from({ length: nVal }, (_, i) => last - nVal + 1 + i);

  // standardisation: inputs over every training day with a trailing volatility, targets over the fitting samples
  let rs = 0;
  let rq = 0;
  let vs = 0;
  let vq = 0;
  let nIn = 0;
  for (let d = trainFirst + c.realisedWindow; d <= trainLast; d++)
    for (let s = 0; s < S; s++) {
      const r = series.sectorReturn(d, s);
      const lv = logVol(series.trailing(d, s, c.realisedWindow), c.volFloor);
      rs += r;
      rq += r * r;
      vs += lv;
      vq += lv * lv;
      nIn++;
    }
  const rIn = meanStd(rs, rq, nIn);
  const vIn = meanStd(vs, vq, nIn);
  let ts = 0;
  let tq = 0;
  const perSector = new Float64Array(S);
  for (const t of [...fitDays, ...valDays])
    for (let s = 0; s < S; s++) perSector[s] = perSector[s]! + logVol(series.forward(t, s, c.horizon), c.volFloor);
  for (const t of fitDays)
    for (let s = 0; s < S; s++) {
      const v = logVol(series.forward(t, s, c.horizon), c.volFloor);
      ts += v;
      tq += v * v;
    }
  const tOut = meanStd(ts, tq, fitDays.length * S);
  const scaling: VolatilityScaling = {
    inputMean: [rIn.mean, vIn.mean],
    inputStd: [rIn.std, vIn.std],
    targetMean: tOut.mean,
    targetStd: tOut.std,
  };
  const constantLogVol = Array.from(perSector, (v) => v / (fitDays.length + valDays.length));
  const train = sampleSet(series, c, scaling, fitDays);
  const val = sampleSet(series, c, scaling, valDays);

  // training (file overview)
  const shape = netShape(c);
  const stride = c.window * VOLATILITY_FEATURES;
  const B = Math.min(c.batchSize, train.n);
  const perEpoch = Math.floor(train.n / B);
  const learner = new OnnxVolatilityRegressor(shape, c.lr, c.clip, o.seed, o.run ?? {});
  const epochs: VolatilityEpoch[] = [];
  let chosenEpoch = 0;
  let params: SerializedParams;
  try {
    const shuffleRng = seedrandom(`${o.seed}|mpls-volatility|shuffle`);
    const dropRng = seedrandom(`${o.seed}|mpls-volatility|dropout`);
    const keep = 1 / (1 - c.dropout);
    const selector = new CheckpointSelector<Float32Array>(c.patience);
    const x = new Float32Array(B * stride);
    const y = new Float32Array(B);
    const drops = Array.from({ length: c.layers }, () => new Float32Array(B * c.hidden));
    for (let e = 1; e <= c.epochs; e++) {
      const order = shuffled(train.n, shuffleRng);
      let lossSum = 0;
      for (let u = 0; u < perEpoch; u++) {
        if (o.signal?.aborted) throw abortError(o.signal);
        for (let b = 0; b < B; b++) {
          const k = order[u * B + b]!;
          x.set(train.x.subarray(k * stride, (k + 1) * stride), b * stride);
          y[b] = train.y[k]!;
        }
        for (const m of drops) for (let i = 0; i < m.length; i++) m[i] = dropRng() < c.dropout ? 0 : keep;
        lossSum += learner.update({ x, y, drops }, B);
      }
      const vm = val.n > 0 ? validationMse(learner, val, stride) : null;
      if (vm !== null) selector.observe(e, -vm, () => learner.vector());
      const epoch: VolatilityEpoch = { epoch: e, loss: lossSum / perEpoch, validationMse: vm };
      epochs.push(epoch);
      chosenEpoch = e;
      o.onEpoch?.(epoch);
      await new Promise<void>((r) => setImmediate(r));
      if (selector.stop) break;
    }
    const best = selector.best;
    if (best) {
      learner.restore(best.value);
      chosenEpoch = best.episode;
    }
    params = serializeParams(learner.params());
  } finally {
    learner.dispose();
  }

  const artifact: VolatilityArtifact = {
    format: FORMAT,
    cfg: c,
    seed: o.seed,
    trainFirst,
    trainLast,
    sectors: layout.classes.map((k) => ({ name: k.name, members: [...k.members] })),
    nAssets: layout.nAssets,
    scaling,
    constantLogVol,
    threshold: Number.NaN,
    params,
    training: { fitDays: fitDays.length, validationDays: valDays.length, epochs, chosenEpoch, updates: learner.steps },
  };
  // the threshold: the quantile of the uncertainty over the training days, read by the module the fit gives (its
  // readings of those days are then already made; none reads a close after trainLast)
  const f = new Forecaster(artifact, o.closes, nDays, layout);
  const u: number[] = [];
  for (let t = first; t <= trainLast; t++) {
    if (o.signal?.aborted) throw abortError(o.signal);
    u.push(f.read(t).uncertainty);
  }
  artifact.threshold = quantile(u, c.uncertaintyQuantile);
  if (!(artifact.threshold > 0))
    throw new Error(
      'volatility module: the Monte-Carlo uncertainty is zero on the training days; no threshold can be set',
    );
  const module = new LstmVolatilityModule(f, artifact.threshold);
  return { module, artifact };
}

/**
 * Rebuild a fitted module from its artifact over a price series (`closes`, `nDays`) and the layout it was fitted
 * on, without training: it reads every day as the fitted module did. Refuses an artifact of another format, with
 * bad settings, or fitted on other sectors. Its ONNX Runtime session opens on the first read.
 */
export function volatilityModuleFrom(
  artifact: VolatilityArtifact,
  closes: Closes,
  nDays: number,
  layout: ClassLayout,
): LstmVolatilityModule {
  const a = artifact as Partial<VolatilityArtifact> | null;
  if (!a || a.format !== FORMAT)
    throw new Error(`not a stored MPLS volatility module (format ${JSON.stringify(a?.format ?? null)})`);
  if (!a.cfg || !a.params || !a.scaling || !a.sectors || !a.constantLogVol || typeof a.seed !== 'number')
    throw new Error('stored MPLS volatility module lacks its settings, parameters, scaling or sectors');
  const cfg = resolveVolatilityConfig(a.cfg);
  const want = a.sectors.map((s) => `${s.name} [${s.members.join(',')}]`).join('; ');
  const got = layout.classes.map((s) => `${s.name} [${s.members.join(',')}]`).join('; ');
  if (want !== got || a.nAssets !== layout.nAssets)
    throw new Error(`stored MPLS volatility module was fitted on the sectors ${want}; this universe's are ${got}`);
  if (typeof a.threshold !== 'number' || !(a.threshold > 0 && Number.isFinite(a.threshold)))
    throw new Error('stored MPLS volatility module has no positive, finite uncertainty threshold');
  return new LstmVolatilityModule(new Forecaster({ ...artifact, cfg }, closes, nDays, layout), a.threshold);
}

/** Error figures of volatility forecasts against the realised volatility (file overview). */
export interface VolatilityErrorFigures {
  /** (day, sector) pairs */
  count: number;
  /** of the annualised volatility */
  rmse: number;
  mae: number;
  /** of the log-volatility */
  rmseLog: number;
  /** Patton's QLIKE on variances (0 = perfect) */
  qlike: number;
}

/**
 * The error figures of paired forecasts and realised values (annualised volatilities, both floored at `floor`
 * first). NaN figures for no pairs.
 */
export function forecastErrors(
  forecast: ArrayLike<number>,
  realised: ArrayLike<number>,
  floor: number = VOLATILITY_DEFAULTS.volFloor,
): VolatilityErrorFigures {
  if (forecast.length !== realised.length)
    throw new RangeError(`forecast errors: ${forecast.length} forecasts for ${realised.length} realised values`);
  const n = forecast.length;
  let se = 0;
  let ae = 0;
  let sl = 0;
  let ql = 0;
  for (let i = 0; i < n; i++) {
    const f = Math.max(forecast[i]!, floor);
    const r = Math.max(realised[i]!, floor);
    if (!(Number.isFinite(f) && Number.isFinite(r)))
      throw new RangeError(
        `forecast errors: pair ${i} is not finite (forecast ${forecast[i]}, realised ${realised[i]})`,
      );
    se += (f - r) ** 2;
    ae += Math.abs(f - r);
    sl += (Math.log(f) - Math.log(r)) ** 2;
    const ratio = (r * r) / (f * f);
    ql += ratio - Math.log(ratio) - 1;
  }
  return { count: n, rmse: Math.sqrt(se / n), mae: ae / n, rmseLog: Math.sqrt(sl / n), qlike: ql / n };
}

/**
 * The LSTM's and the constant forecast's errors (file overview) on the decision days `days`, against the realised
 * volatility of each day's next h days (so every day needs t + h < nDays). `module` and `artifact` are a fitted
 * module and its artifact over the same `closes`.
 */
export function volatilityErrors(o: {
  module: VolatilityModule;
  artifact: VolatilityArtifact;
  closes: Closes;
  nDays: number;
  layout: ClassLayout;
  days: readonly number[];
}): { lstm: VolatilityErrorFigures; constant: VolatilityErrorFigures } {
  const c = resolveVolatilityConfig(o.artifact.cfg);
  const series = new SectorSeries(o.closes, o.nDays, o.layout);
  const S = series.S;
  if (o.artifact.constantLogVol.length !== S)
    throw new RangeError(
      `volatility errors: the artifact has ${o.artifact.constantLogVol.length} sectors, the layout ${S}`,
    );
  const lstm: number[] = [];
  const constant: number[] = [];
  const realised: number[] = [];
  for (const t of o.days) {
    if (!(Number.isInteger(t) && t + c.horizon < o.nDays))
      throw new RangeError(
        `volatility errors: day ${t} has no ${c.horizon} days after it in the ${o.nDays}-day series`,
      );
    const f = o.module.reading(t).forecast;
    for (let s = 0; s < S; s++) {
      lstm.push(f[s]!);
      constant.push(Math.exp(o.artifact.constantLogVol[s]!));
      realised.push(series.forward(t, s, c.horizon));
    }
  }
  return { lstm: forecastErrors(lstm, realised, c.volFloor), constant: forecastErrors(constant, realised, c.volFloor) };
}
