/**
 * What the two training loops share (trainer.ts, the replay loop of DDPG, TD3 and SAC; onpolicy.ts, the rollout loop
 * of PPO): the progress and summary records, the deterministic validation run, and `StageBook`, which ends every
 * episode alike — the validation pass, checkpoint selection and early stopping (selection.ts), the progress report —
 * and gives the stage's result (the chosen checkpoint, or the last policy without validation). A loop owns its
 * episodes, its updates and its budget; the book owns everything after an episode.
 */
import type { ParamValues } from '../../compute/params';
import type { StateArrays } from '../learner';
import type { PortfolioEnv } from './env';
import type { SampConfig } from './config';
import type { SampStage } from './stages';

/**
 * What a training stage is called in its records: a SAMP-HDRL stage, HADAPS's one stage (agents/hadaps) or MPLS's
 * one stage of its three agents (agents/mpls).
 */
export type StageName = SampStage | 'hadaps' | 'mpls';
import { CheckpointSelector, netSharpe } from './selection';

/** Progress report, once per episode. */
export interface TrainProgress {
  stage: StageName;
  /** 1-based episode within the stage */
  episode: number;
  /** the stage's episode cap */
  episodes: number;
  /** environment steps taken so far in the whole run */
  step: number;
  /** episode reward: sum of the daily rewards (log growth net of costs minus the turnover penalty, with noise) */
  reward: number;
  /** mean daily one-way turnover over the episode (with noise) */
  turnover: number;
  /** mean critic loss over the episode's updates (the value loss of an on-policy learner; NaN when none ran) */
  criticLoss: number;
  /** mean actor loss (-Q, or the on-policy surrogate) over the episode's updates that stepped the actor (NaN when none did) */
  actorLoss: number;
  /** milliseconds since training started */
  elapsedMs: number;
  /** updates so far in the whole run */
  updates: number;
  /** updates so far in this stage */
  stageUpdates: number;
  /** exploration sigma used in the episode: the logit noise's, or a stochastic policy's mean std at its last step */
  sigma: number;
  /** learning-rate factor of the episode's last update */
  lrScale: number;
  /** the policy after this episode on the validation period (absent without one) */
  validation?: ValidationScore;
  /** share of the whole training's update budget spent, 0..1 */
  fraction: number;
}

/** A policy's deterministic run over the validation period (with costs and the no-trade band, from cash). */
export interface ValidationScore {
  /** annualised Sharpe ratio of the daily net returns */
  sharpe: number;
  /** net return over the period (value multiple - 1) */
  netReturn: number;
  /** mean daily one-way turnover */
  turnover: number;
}

/** One point of a stage's validation curve. */
export interface ValidationPoint extends ValidationScore {
  episode: number;
  /** the stage's updates when the episode ended */
  updates: number;
}

/** What a stage did and which checkpoint it chose. */
export interface StageSummary {
  stage: StageName;
  /** episodes run (the last may have been cut short by the update budget) */
  episodes: number;
  updates: number;
  /** why the stage ended: its update budget, its episode cap, or early stopping */
  endedBy: 'budget' | 'episodes' | 'patience';
  /** the 1-based episode whose policy the stage kept (the last one without validation; null when none ran) */
  chosenEpisode: number | null;
  /** the chosen episode's validation score (null without validation) */
  chosen: ValidationScore | null;
  /** validation score after every episode (empty without validation) */
  validation: ValidationPoint[];
}

/** A per-sample state: every state input of the stage for one day and one set of drifted weights. */
export type Sample = Record<string, Float32Array>;

/** A stage as a loop runs it. */
export interface StageSpec<S extends StageName = SampStage> {
  stage: S;
  maxEpisodes: number;
  /** the state at day t of `env` holding drifted weights `wprev` */
  sample(env: PortfolioEnv, t: number, wprev: Float32Array): Sample;
}

/** Counts over the whole run. */
export interface Counters {
  steps: number;
  updates: number;
  t0: number;
  /** stages of the whole run, and the index of the running one (for the progress fraction) */
  stages: number;
  stageIndex: number;
}

/** A stage's kept policy and critic (or value network), and its summary. */
export interface StageResult {
  actor: ParamValues;
  critic: ParamValues;
  summary: StageSummary;
}

/** What the book reads from a learner: its deterministic policy and its parameters. */
export interface StageLearner {
  act(s: StateArrays, noise: readonly Float32Array[]): Float32Array;
  actorParams(): ParamValues;
  criticParams(): ParamValues;
}

/** The error an abort throws: the signal's reason when it is an Error, else an AbortError. */
export function abortError(signal: AbortSignal): Error {
  const r = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error('training aborted');
  e.name = 'AbortError';
  return e;
}

/** Stack per-sample Float32Arrays into one buffer. */
export function stack(rows: Float32Array[]): Float32Array {
  const n = rows[0]!.length;
  const out = new Float32Array(rows.length * n);
  rows.forEach((r, k) => out.set(r, k * n));
  return out;
}

/** A minibatch's state inputs from its samples. */
export function stackSamples(samples: Sample[]): StateArrays {
  const out: StateArrays = {};
  for (const k of Object.keys(samples[0]!)) out[k] = stack(samples.map((s) => s[k]!));
  return out;
}

/** The policy of `learner` run without noise over `env` from cash (see ValidationScore). */
export function validate(
  learner: Pick<StageLearner, 'act'>,
  spec: StageSpec<StageName>,
  env: PortfolioEnv,
  noiseInputs: number,
): ValidationScore {
  const N = env.nAssets;
  const zeros = Array.from({ length: noiseInputs }, () => new Float32Array(N));
  const rets: number[] = [];
  let turnover = 0;
  let value = 1;
  let wprev = new Float32Array(N);
  for (let t = env.opts.firstDay; t < env.opts.lastDay; t++) {
    const a = learner.act(spec.sample(env, t, wprev), zeros);
    const res = env.step(t, a, wprev);
    const growth = (1 - res.cost) * res.growth;
    rets.push(growth - 1);
    value *= growth;
    turnover += res.turnover;
    wprev = Float32Array.from(res.drifted);
  }
  return { sharpe: netSharpe(rets), netReturn: value - 1, turnover: rets.length ? turnover / rets.length : 0 };
}

/** An episode's figures as its loop measured them (see TrainProgress). */
export interface EpisodeFigures {
  reward: number;
  turnover: number;
  criticLoss: number;
  actorLoss: number;
  sigma: number;
  lrScale: number;
}

/** The end of every episode and the stage's result (see the file overview). */
export class StageBook {
  private readonly selector: CheckpointSelector<{ actor: ParamValues; critic: ParamValues }>;
  private readonly curve: ValidationPoint[] = [];
  /** episodes begun */
  episodes = 0;
  /** the stage's updates (the loop counts them here) */
  updates = 0;
  endedBy: StageSummary['endedBy'] = 'episodes';

  constructor(
    private readonly o: {
      cfg: Pick<SampConfig, 'patience'>;
      validation?: PortfolioEnv;
      onProgress?: (p: TrainProgress) => void;
    },
    private readonly spec: StageSpec<StageName>,
    private readonly counters: Counters,
    private readonly history: TrainProgress[],
    /** the stage's update budget */
    readonly budget: number,
    /** noise vectors the learner's `act` takes (zeros in validation) */
    private readonly noiseInputs: number,
  ) {
    this.selector = new CheckpointSelector(o.validation ? o.cfg.patience : 0);
  }

  /** Whether the budget is spent; says so as the reason the stage ended. */
  budgetSpent(): boolean {
    if (this.updates < this.budget) return false;
    this.endedBy = 'budget';
    return true;
  }

  /**
   * After episode `e` (0-based): the validation run, checkpoint selection and the progress report. Gives true when
   * the stage stops here by early stopping.
   */
  endEpisode(learner: StageLearner, e: number, f: EpisodeFigures): boolean {
    const { spec, counters, budget } = this;
    let validation: ValidationScore | undefined;
    if (this.o.validation) {
      validation = validate(learner, spec, this.o.validation, this.noiseInputs);
      this.curve.push({ episode: e + 1, updates: this.updates, ...validation });
      this.selector.observe(e + 1, validation.sharpe, () => ({
        actor: learner.actorParams(),
        critic: learner.criticParams(),
      }));
    }
    // the stage ends after this episode by early stopping, its episode cap or its update budget
    const ending = this.selector.stop || e + 1 >= spec.maxEpisodes || this.updates >= budget;
    const p: TrainProgress = {
      stage: spec.stage,
      episode: e + 1,
      episodes: spec.maxEpisodes,
      step: counters.steps,
      reward: f.reward,
      turnover: f.turnover,
      criticLoss: f.criticLoss,
      actorLoss: f.actorLoss,
      elapsedMs: Date.now() - counters.t0,
      updates: counters.updates,
      stageUpdates: this.updates,
      sigma: f.sigma,
      lrScale: f.lrScale,
      ...(validation ? { validation } : {}),
      fraction:
        (counters.stageIndex +
          (ending ? 1 : Math.min(1, Math.max(budget > 0 ? this.updates / budget : 1, (e + 1) / spec.maxEpisodes)))) /
        counters.stages,
    };
    this.history.push(p);
    this.o.onProgress?.(p);
    if (this.selector.stop) {
      this.endedBy = 'patience';
      return true;
    }
    if (this.updates >= budget) this.endedBy = 'budget';
    return false;
  }

  /** The stage's result: the best checkpoint, or the learner as it is without validation. */
  result(learner: StageLearner): StageResult {
    const best = this.selector.best;
    const kept = best ? best.value : { actor: learner.actorParams(), critic: learner.criticParams() };
    const chosen = best ? this.curve.find((c) => c.episode === best.episode)! : null;
    return {
      actor: kept.actor,
      critic: kept.critic,
      summary: {
        stage: this.spec.stage,
        episodes: this.episodes,
        updates: this.updates,
        endedBy: this.endedBy,
        chosenEpisode: best ? best.episode : this.episodes > 0 ? this.episodes : null,
        chosen: chosen ? { sharpe: chosen.sharpe, netReturn: chosen.netReturn, turnover: chosen.turnover } : null,
        validation: this.curve,
      },
    };
  }
}
