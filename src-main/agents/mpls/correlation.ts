/**
 * The correlation graph MPLS's graph module attends over (docs/mpls.md "Graph module"; issue 19: "edges are 60-day
 * rolling Pearson correlations refreshed every 5 trading days").
 *
 * The graph computed at a refresh day r:
 *   - returns: the assets' daily log returns ln(c_d / c_{d-1}) of the `corrWindow` days r - corrWindow + 1 .. r, so
 *     it reads the closes of days r - corrWindow .. r and nothing later;
 *   - rho_ij: their Pearson correlation (float64, population moments; the normalisation cancels). An asset whose
 *     returns do not vary over the window (or are not finite) has no correlation: rho is NaN against every other
 *     asset and it gets no edge. rho_ii is 1;
 *   - edges: i -- j (i != j) when |rho_ij| >= `threshold` (default 0.3). The sign is NOT used for the adjacency: a
 *     strongly negative pair is linked like a strongly positive one (both say the two move together, one inverted,
 *     and the attention can learn to weigh them differently since the node features carry the direction). rho keeps
 *     its sign everywhere it is reported. The diagonal of the adjacency is 1 (self loops; the GAT adds its own
 *     whatever the diagonal holds, agents/networks/gat.ts gatMask), so the adjacency is symmetric 0/1 [N x N].
 *
 * The schedule: the graph in force on day t is the one computed at r(t) = the largest r <= t with
 * r % refreshEvery === 0, r an absolute price-matrix day index, so a model's training days and a later backtest
 * share one schedule whatever window each starts at. The first day with a graph is the first refresh day r with
 * r >= corrWindow (it needs corrWindow + 1 closes). Between two refresh days the graph does not change; the graph at
 * t reads no close after r(t) <= t. {@link CorrelationGraphs} caches one graph per refresh day.
 */

/** The correlation graph's settings (see the file overview). */
export interface CorrelationSettings {
  /** trading days of daily log returns each correlation is computed over (issue 19: 60) */
  corrWindow: number;
  /** trading days between refreshes; refresh days are the multiples of it (issue 19: 5) */
  refreshEvery: number;
  /** an edge links i and j when |rho_ij| is at least this (0..1) */
  threshold: number;
}

/** The settings: 60-day correlations, refreshed every 5 days, edges at |rho| >= 0.3. */
export const CORRELATION_DEFAULTS: Readonly<CorrelationSettings> = Object.freeze({
  corrWindow: 60,
  refreshEvery: 5,
  threshold: 0.3,
});

/** The graph in force on some day (see the file overview). */
export interface CorrelationGraph {
  /** the refresh day whose closes it was computed from (r(t) <= t) */
  refreshDay: number;
  /** assets (N) */
  nAssets: number;
  /** rho [N x N] row-major, symmetric, 1 on the diagonal, NaN where an asset's returns did not vary */
  rho: Float64Array;
  /** 0/1 [N x N] row-major, symmetric, 1 on the diagonal (self loops) */
  adjacency: Float32Array;
}

/** Refuse settings no graph can be computed with, naming the setting. */
export function checkCorrelationSettings(s: CorrelationSettings): void {
  if (!(Number.isInteger(s.corrWindow) && s.corrWindow >= 2))
    throw new RangeError(
      `correlation graph: corrWindow must be an integer >= 2 (days of returns), got ${s.corrWindow}`,
    );
  if (!(Number.isInteger(s.refreshEvery) && s.refreshEvery >= 1))
    throw new RangeError(`correlation graph: refreshEvery must be a positive integer, got ${s.refreshEvery}`);
  if (!(s.threshold >= 0 && s.threshold <= 1))
    throw new RangeError(`correlation graph: threshold must lie in [0, 1], got ${s.threshold}`);
}

/** r(t): the refresh day whose graph is in force on day t (the largest multiple of refreshEvery <= t). */
export function refreshDayOf(t: number, refreshEvery: number): number {
  return t - (t % refreshEvery);
}

/** The first day a graph exists: the first refresh day r >= corrWindow. */
export function firstGraphDay(s: CorrelationSettings): number {
  return Math.ceil(s.corrWindow / s.refreshEvery) * s.refreshEvery;
}

/**
 * The graph computed at refresh day `r` from the closes of days r - corrWindow .. r (`closes(d)[i]`, N assets).
 * `r` must be a refresh day at or after {@link firstGraphDay}.
 */
export function graphAtRefresh(
  closes: (d: number) => ArrayLike<number>,
  nAssets: number,
  r: number,
  s: CorrelationSettings,
): CorrelationGraph {
  checkCorrelationSettings(s);
  if (r % s.refreshEvery !== 0) throw new RangeError(`correlation graph: day ${r} is not a refresh day`);
  if (r < firstGraphDay(s))
    throw new RangeError(`correlation graph: day ${r} is before the first graph day ${firstGraphDay(s)}`);
  const N = nAssets;
  const W = s.corrWindow;
  // centred returns per asset, then the moments
  const x = new Float64Array(N * W);
  let prev = closes(r - W);
  for (let k = 0; k < W; k++) {
    const cur = closes(r - W + 1 + k);
    for (let i = 0; i < N; i++) x[i * W + k] = Math.log(cur[i]! / prev[i]!);
    prev = cur;
  }
  const sd = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let m = 0;
    for (let k = 0; k < W; k++) m += x[i * W + k]!;
    m /= W;
    let q = 0;
    for (let k = 0; k < W; k++) {
      const c = x[i * W + k]! - m;
      x[i * W + k] = c;
      q += c * c;
    }
    // NaN for returns that are not finite; 0 for returns that do not vary: no correlation either way
    sd[i] = Number.isFinite(q) && q > 0 ? Math.sqrt(q) : Number.NaN;
  }
  const rho = new Float64Array(N * N);
  const adjacency = new Float32Array(N * N);
  for (let i = 0; i < N; i++) {
    rho[i * N + i] = 1;
    adjacency[i * N + i] = 1;
    for (let j = i + 1; j < N; j++) {
      let v = Number.NaN;
      if (!Number.isNaN(sd[i]!) && !Number.isNaN(sd[j]!)) {
        let c = 0;
        for (let k = 0; k < W; k++) c += x[i * W + k]! * x[j * W + k]!;
        v = Math.max(-1, Math.min(1, c / (sd[i]! * sd[j]!)));
      }
      rho[i * N + j] = v;
      rho[j * N + i] = v;
      const e = Math.abs(v) >= s.threshold ? 1 : 0; // false for NaN
      adjacency[i * N + j] = e;
      adjacency[j * N + i] = e;
    }
  }
  return { refreshDay: r, nAssets: N, rho, adjacency };
}

/** The graph in force on day t (computed at r(t); see the file overview). */
export function correlationGraph(
  closes: (d: number) => ArrayLike<number>,
  nAssets: number,
  t: number,
  s: CorrelationSettings,
): CorrelationGraph {
  checkCorrelationSettings(s);
  return graphAtRefresh(closes, nAssets, refreshDayOf(t, s.refreshEvery), s);
}

/** The graphs of one price matrix on the schedule of the file overview, cached per refresh day. */
export class CorrelationGraphs {
  private readonly cache = new Map<number, CorrelationGraph>();
  /** the first day with a graph */
  readonly firstDay: number;

  constructor(
    private readonly closes: (d: number) => ArrayLike<number>,
    readonly nAssets: number,
    readonly settings: CorrelationSettings,
  ) {
    checkCorrelationSettings(settings);
    this.firstDay = firstGraphDay(settings);
  }

  /** The graph in force on day t. */
  at(t: number): CorrelationGraph {
    const r = refreshDayOf(t, this.settings.refreshEvery);
    let g = this.cache.get(r);
    if (!g) {
      g = graphAtRefresh(this.closes, this.nAssets, r, this.settings);
      this.cache.set(r, g);
    }
    return g;
  }
}
