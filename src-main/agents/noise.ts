/**
 * Exploration noise for DDPG (SAMP-HDRL step 7). Noise is added to the actor's LOGITS before the
 * softmax (and before the group mask), never to the weights: the perturbed action is still a valid portfolio
 * (>= 0, sums to 1 within the group) and off-group weights stay exactly 0.
 *   - 'gaussian': independent N(0, sigma^2) per asset and step;
 *   - 'ou'      : Ornstein-Uhlenbeck per asset, x <- x + theta (0 - x) + sigma N(0, 1) (Lillicrap et al. 2016),
 *                 temporally correlated; reset at each episode start.
 * sigma decays geometrically per episode: sigma_e = max(sigmaMin, sigma * sigmaDecay^e).
 * Normal draws use Box-Muller on a seeded uniform stream.
 */

/** Settings of the exploration noise. */
export interface NoiseConfig {
  /** 'gaussian' (default) or 'ou' */
  kind: 'gaussian' | 'ou';
  /** initial standard deviation in logit units */
  sigma: number;
  /** multiplicative decay of sigma per episode */
  sigmaDecay: number;
  /** floor of sigma */
  sigmaMin: number;
  /** OU mean reversion per step (ignored by 'gaussian') */
  theta: number;
}

/** One standard normal draw from a uniform [0,1) stream (Box-Muller, cosine branch). */
export function normalDraw(rng: () => number): number {
  let u = rng();
  while (u <= 1e-12) u = rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Stateful noise source over `n` logits. */
export class LogitNoise {
  private state: Float32Array;
  private sigma: number;
  constructor(
    private readonly cfg: NoiseConfig,
    private readonly n: number,
    private readonly rng: () => number,
  ) {
    this.state = new Float32Array(n);
    this.sigma = cfg.sigma;
  }

  /** Start episode `e` (0-based): set sigma for it and reset the OU state. */
  startEpisode(e: number): void {
    this.sigma = Math.max(this.cfg.sigmaMin, this.cfg.sigma * this.cfg.sigmaDecay ** e);
    this.state.fill(0);
  }

  /** Current sigma. */
  get currentSigma(): number {
    return this.sigma;
  }

  /** Next noise vector (length n). */
  sample(): Float32Array {
    const out = new Float32Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const z = normalDraw(this.rng);
      if (this.cfg.kind === 'ou') {
        this.state[i] = this.state[i]! + this.cfg.theta * (0 - this.state[i]!) + this.sigma * z;
        out[i] = this.state[i]!;
      } else out[i] = this.sigma * z;
    }
    return out;
  }
}
