/**
 * Run records: a run is visible as complete only when everything it wrote is committed.
 *
 * Life of a run (backtest/run.ts): {@link insertRunningRun} writes the `runs` row with status 'running' and the
 * process id, in its own small transaction; the work happens; then {@link completeRun} writes every per-day
 * row (run_weights, run_days, run_metrics, run_details, groupings, rebound_flags) and flips the status to
 * 'complete' in ONE transaction. A process killed in between leaves only the 'running' row, which
 * {@link markOrphanedRuns} turns into 'killed' the next time the engine opens. Failures and cancellations
 * are recorded with {@link endRun}.
 *
 * Weights are stored as Float64Array BLOBs (little-endian IEEE doubles, the platform's byte order on every
 * machine the app ships for), in the run's ticker order (config.tickers) with the cash weight last.
 *
 * Strategy detail conventions read here (StrategyDecision.detail of each day):
 * - grouping: `detail.grouping`, or else `detail.groups` (SAMP-HDRL: {high:[tickers], ordinary:[tickers], ...}),
 *   any JSON object. The `groupings` table is the timeline of groupings: a row is written on the first day and
 *   on every day the grouping differs from the last one written; the grouping in force at a date is the last
 *   row on or before it.
 * - rebound flags: `detail.reboundFlags`, or else `detail.rebound.flagsToday` (SAMP-HDRL), an array of objects
 *   each with a `group` or `label` string; one `rebound_flags` row per flag (grp = group ?? label ?? 'market').
  */
import { randomUUID } from 'node:crypto';
import type { DB } from './db';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Mark runs left 'running' by a process that no longer exists (killed, crashed, machine off) as 'killed',
 * so nothing stays "running" forever. Called when the engine opens. Returns the ids marked.
 */
export function markOrphanedRuns(db: DB): string[] {
  const rows = db.prepare(`SELECT id, pid FROM runs WHERE status = 'running'`).all() as { id: string; pid: number | null }[];
  const dead = rows.filter((r) => r.pid == null || (r.pid !== process.pid && !pidAlive(r.pid)));
  const mark = db.prepare(`UPDATE runs SET status = 'killed', ended_at = ?, error = 'the process running it ended before it finished' WHERE id = ? AND status = 'running'`);
  const now = new Date().toISOString();
  db.transaction(() => dead.forEach((r) => mark.run(now, r.id)))();
  return dead.map((r) => r.id);
}

export type RunStatus = 'running' | 'complete' | 'failed' | 'cancelled' | 'killed';

/** A new run id: "r-" + 20 hex digits of a random UUID (unique, URL- and contract-safe). */
export function newRunId(): string {
  return 'r-' + randomUUID().replace(/-/g, '').slice(0, 20);
}

/** Float64Array -> BLOB (copying only when the view is not the whole buffer is unnecessary: Buffer shares memory). */
export function encodeWeights(w: Float64Array): Buffer {
  return Buffer.from(w.buffer, w.byteOffset, w.byteLength);
}

/** BLOB -> Float64Array (copied, so alignment is never an issue). */
export function decodeWeights(b: Buffer | Uint8Array): Float64Array {
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float64Array(copy.buffer);
}

/** JSON with typed arrays written as plain arrays and non-finite numbers as null. */
export function toJson(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    return v;
  });
}

export interface NewRun {
  id: string;
  universe: string;
  strategy: string;
  config: Record<string, unknown>;
  seed: number;
  codeVersion: string;
  backend?: string | null;
  windowFrom: string;
  windowTo: string;
  trainFrom?: string | null;
  trainTo?: string | null;
  hindsight: boolean;
}

/** Insert the `runs` row of a starting run: status 'running', this process's pid, created/started now. */
export function insertRunningRun(db: DB, r: NewRun): void {
  const now = new Date().toISOString();
  db.prepare(
    `INSERT INTO runs (id, universe_id, strategy, config, seed, code_version, backend, status, pid, window_from, window_to,
       train_from, train_to, hindsight, flags, created_at, started_at, timings)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, '[]', ?, ?, '{}')`,
  ).run(r.id, r.universe, r.strategy, toJson(r.config), r.seed, r.codeVersion, r.backend ?? null, process.pid, r.windowFrom, r.windowTo, r.trainFrom ?? null, r.trainTo ?? null, r.hindsight ? 1 : 0, now, now);
}

/** Everything a finished run writes (all arrays indexed by test day). */
export interface RunOutput {
  dates: readonly string[];
  value: ArrayLike<number>;
  ret: ArrayLike<number>;
  turnover: ArrayLike<number>;
  cost: ArrayLike<number>;
  /** per agent ('final' for the portfolio), per day: weights over tickers + cash last; null = no row that day */
  weights: Record<string, readonly (Float64Array | null)[]>;
  metrics: Record<string, number>;
  details?: readonly (Record<string, unknown> | null)[];
  flags: string[];
  timings: Record<string, number>;
}

/**
 * Write every row of a finished run and mark it 'complete' — one transaction, so a reader sees either the
 * whole run or a 'running' row with nothing under it. Returns the number of rows written.
 */
export function completeRun(db: DB, id: string, o: RunOutput): number {
  const insW = db.prepare(`INSERT INTO run_weights (run_id, agent, date, weights) VALUES (?, ?, ?, ?)`);
  const insD = db.prepare(`INSERT INTO run_days (run_id, date, value, ret, turnover, cost) VALUES (?, ?, ?, ?, ?, ?)`);
  const insM = db.prepare(`INSERT INTO run_metrics (run_id, name, value) VALUES (?, ?, ?)`);
  const insX = db.prepare(`INSERT INTO run_details (run_id, date, detail) VALUES (?, ?, ?)`);
  const insG = db.prepare(`INSERT OR REPLACE INTO groupings (run_id, date, grouping) VALUES (?, ?, ?)`);
  const insR = db.prepare(`INSERT OR REPLACE INTO rebound_flags (run_id, date, grp, detail) VALUES (?, ?, ?, ?)`);
  const done = db.prepare(`UPDATE runs SET status = 'complete', ended_at = ?, flags = ?, timings = ?, error = NULL WHERE id = ? AND status = 'running'`);
  let rows = 0;
  let lastGrouping: string | null = null;
  db.transaction(() => {
    const T = o.dates.length;
    for (let k = 0; k < T; k++) {
      const date = o.dates[k]!;
      insD.run(id, date, o.value[k]!, o.ret[k]!, o.turnover[k]!, o.cost[k]!);
      rows++;
      for (const [agent, series] of Object.entries(o.weights)) {
        const w = series[k];
        if (w) {
          insW.run(id, agent, date, encodeWeights(w));
          rows++;
        }
      }
      const d = o.details?.[k];
      if (d) {
        insX.run(id, date, toJson(d));
        rows++;
        const g = groupingOf(d);
        if (g !== undefined) {
          const json = toJson(g);
          if (json !== lastGrouping) {
            insG.run(id, date, json);
            lastGrouping = json;
            rows++;
          }
        }
        for (const f of reboundFlagsOf(d)) {
          const grp = typeof f.group === 'string' ? f.group : typeof f.label === 'string' ? f.label : 'market';
          insR.run(id, date, grp, toJson(f));
          rows++;
        }
      }
    }
    for (const [name, v] of Object.entries(o.metrics)) {
      insM.run(id, name, Number.isNaN(v) ? null : v);
      rows++;
    }
    const r = done.run(new Date().toISOString(), JSON.stringify(o.flags), JSON.stringify(o.timings), id);
    if (r.changes !== 1) throw new Error(`run ${id} is no longer running (status changed while it ran); its results were not stored`);
    // a learned strategy names its model in every decision: record it (and the backend that trained it) on the run
    const model = o.details?.find((d) => d && typeof d.model === 'object')?.model as { key?: string; sha256?: string; backend?: string } | undefined;
    if (model?.key) {
      db.prepare(`UPDATE runs SET model_path = ?, model_sha256 = ?, backend = COALESCE(?, backend) WHERE id = ?`).run(`hdrl-data/models/${model.key}.json`, model.sha256 ?? null, model.backend ?? null, id);
    }
  })();
  return rows;
}

/** The grouping a day's detail reports (see the header), or undefined. */
function groupingOf(d: Record<string, unknown>): unknown {
  const g = d.grouping ?? d.groups;
  return g && typeof g === 'object' ? g : undefined;
}

/** The rebound flags a day's detail reports (see the header). */
function reboundFlagsOf(d: Record<string, unknown>): Record<string, unknown>[] {
  const direct = d.reboundFlags;
  const nested = d.rebound && typeof d.rebound === 'object' ? (d.rebound as Record<string, unknown>).flagsToday : undefined;
  const list = Array.isArray(direct) ? direct : Array.isArray(nested) ? nested : [];
  return list.filter((f): f is Record<string, unknown> => !!f && typeof f === 'object');
}

/** Record the end of a run that did not complete: 'failed' (with the error) or 'cancelled'. */
export function endRun(db: DB, id: string, status: 'failed' | 'cancelled', error: string | null, timings?: Record<string, number>): void {
  db.prepare(`UPDATE runs SET status = ?, ended_at = ?, error = ?, timings = COALESCE(?, timings) WHERE id = ? AND status = 'running'`).run(
    status,
    new Date().toISOString(),
    error ? error.slice(0, 4000) : null,
    timings ? JSON.stringify(timings) : null,
    id,
  );
}

/** A `runs` row, decoded. */
export interface RunRow {
  id: string;
  universe: string;
  strategy: string;
  config: Record<string, unknown>;
  seed: number;
  codeVersion: string;
  backend: string | null;
  status: RunStatus;
  pid: number | null;
  windowFrom: string;
  windowTo: string;
  trainFrom: string | null;
  trainTo: string | null;
  hindsight: boolean;
  flags: string[];
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  timings: Record<string, number>;
}

interface RawRun {
  id: string;
  universe_id: string;
  strategy: string;
  config: string;
  seed: number;
  code_version: string;
  backend: string | null;
  status: RunStatus;
  pid: number | null;
  window_from: string;
  window_to: string;
  train_from: string | null;
  train_to: string | null;
  hindsight: number;
  flags: string;
  error: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  timings: string;
}

function decodeRun(r: RawRun): RunRow {
  return {
    id: r.id,
    universe: r.universe_id,
    strategy: r.strategy,
    config: JSON.parse(r.config) as Record<string, unknown>,
    seed: r.seed,
    codeVersion: r.code_version,
    backend: r.backend,
    status: r.status,
    pid: r.pid,
    windowFrom: r.window_from,
    windowTo: r.window_to,
    trainFrom: r.train_from,
    trainTo: r.train_to,
    hindsight: r.hindsight === 1,
    flags: JSON.parse(r.flags) as string[],
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    timings: JSON.parse(r.timings) as Record<string, number>,
  };
}

export interface RunFilter {
  universe?: string;
  strategy?: string;
  status?: RunStatus;
  /** newest first; default 500 */
  limit?: number;
}

/** Runs matching the filter, newest first. */
export function listRuns(db: DB, f: RunFilter = {}): RunRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.universe) (where.push('universe_id = ?'), args.push(f.universe));
  if (f.strategy) (where.push('strategy = ?'), args.push(f.strategy));
  if (f.status) (where.push('status = ?'), args.push(f.status));
  const sql = `SELECT * FROM runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC, id LIMIT ?`;
  return (db.prepare(sql).all(...args, f.limit ?? 500) as RawRun[]).map(decodeRun);
}

export function getRun(db: DB, id: string): RunRow | undefined {
  const r = db.prepare(`SELECT * FROM runs WHERE id = ?`).get(id) as RawRun | undefined;
  return r ? decodeRun(r) : undefined;
}

/** Metrics of a run by name (NULL, i.e. NaN when computed, comes back as NaN; ±Infinity as stored). */
export function getRunMetrics(db: DB, id: string): Record<string, number> {
  const rows = db.prepare(`SELECT name, value FROM run_metrics WHERE run_id = ?`).all(id) as { name: string; value: number | null }[];
  const out: Record<string, number> = {};
  for (const r of rows) out[r.name] = r.value ?? Number.NaN;
  return out;
}

/** Metrics of many runs at once (for listings). */
export function getMetricsFor(db: DB, ids: readonly string[]): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  const stmt = db.prepare(`SELECT name, value FROM run_metrics WHERE run_id = ?`);
  for (const id of ids) {
    const m: Record<string, number> = {};
    for (const r of stmt.all(id) as { name: string; value: number | null }[]) m[r.name] = r.value ?? Number.NaN;
    out.set(id, m);
  }
  return out;
}

export interface RunDays {
  dates: string[];
  value: number[];
  ret: number[];
  turnover: number[];
  cost: number[];
}

/** The per-day rows of a run in date order. */
export function getRunDays(db: DB, id: string): RunDays {
  const rows = db.prepare(`SELECT date, value, ret, turnover, cost FROM run_days WHERE run_id = ? ORDER BY date`).all(id) as {
    date: string;
    value: number;
    ret: number;
    turnover: number;
    cost: number;
  }[];
  return {
    dates: rows.map((r) => r.date),
    value: rows.map((r) => r.value),
    ret: rows.map((r) => r.ret),
    turnover: rows.map((r) => r.turnover),
    cost: rows.map((r) => r.cost),
  };
}

/** Every stored weight row of one agent of a run, in date order. */
export function getRunWeightSeries(db: DB, id: string, agent = 'final'): { date: string; weights: Float64Array }[] {
  const rows = db.prepare(`SELECT date, weights FROM run_weights WHERE run_id = ? AND agent = ? ORDER BY date`).all(id, agent) as { date: string; weights: Buffer }[];
  return rows.map((r) => ({ date: r.date, weights: decodeWeights(r.weights) }));
}

/** Names of the agents with weight rows in a run ('final' first). */
export function getRunAgents(db: DB, id: string): string[] {
  const rows = db.prepare(`SELECT DISTINCT agent FROM run_weights WHERE run_id = ?`).all(id) as { agent: string }[];
  return rows.map((r) => r.agent).sort((a, b) => (a === 'final' ? -1 : b === 'final' ? 1 : a.localeCompare(b)));
}

export interface RunWeightsAt {
  date: string;
  /** weights per agent at `date` (tickers + cash last) */
  agents: Record<string, Float64Array>;
  detail: Record<string, unknown> | null;
  /** the grouping in force at `date` (last one recorded on or before it), null if none */
  grouping: unknown;
  reboundFlags: { group: string; detail: unknown }[];
  /** the previous test day's final decision (for the trades), null on the first day */
  previous: { date: string; weights: Float64Array } | null;
}

/** Weights (every agent), detail, grouping and flags of a run at `date` (default: its last date); undefined when the run has no row that day. */
export function getRunWeightsAt(db: DB, id: string, date?: string): RunWeightsAt | undefined {
  const d =
    date ??
    (db.prepare(`SELECT MAX(date) AS d FROM run_weights WHERE run_id = ? AND agent = 'final'`).get(id) as { d: string | null } | undefined)?.d ??
    undefined;
  if (!d) return undefined;
  const rows = db.prepare(`SELECT agent, weights FROM run_weights WHERE run_id = ? AND date = ?`).all(id, d) as { agent: string; weights: Buffer }[];
  if (rows.length === 0) return undefined;
  const agents: Record<string, Float64Array> = {};
  for (const r of rows) agents[r.agent] = decodeWeights(r.weights);
  const det = db.prepare(`SELECT detail FROM run_details WHERE run_id = ? AND date = ?`).get(id, d) as { detail: string } | undefined;
  const grp = db.prepare(`SELECT grouping FROM groupings WHERE run_id = ? AND date <= ? ORDER BY date DESC LIMIT 1`).get(id, d) as { grouping: string } | undefined;
  const flags = db.prepare(`SELECT grp, detail FROM rebound_flags WHERE run_id = ? AND date = ? ORDER BY grp`).all(id, d) as { grp: string; detail: string }[];
  const prev = db.prepare(`SELECT date, weights FROM run_weights WHERE run_id = ? AND agent = 'final' AND date < ? ORDER BY date DESC LIMIT 1`).get(id, d) as
    | { date: string; weights: Buffer }
    | undefined;
  return {
    date: d,
    agents,
    detail: det ? (JSON.parse(det.detail) as Record<string, unknown>) : null,
    grouping: grp ? (JSON.parse(grp.grouping) as unknown) : null,
    reboundFlags: flags.map((f) => ({ group: f.grp, detail: JSON.parse(f.detail) as unknown })),
    previous: prev ? { date: prev.date, weights: decodeWeights(prev.weights) } : null,
  };
}

/** Delete a run and everything it wrote (ON DELETE CASCADE; explanations and notes included). Returns true if it existed. */
export function deleteRun(db: DB, id: string): boolean {
  return db.transaction(() => {
    db.prepare(`DELETE FROM notes WHERE run_id = ?`).run(id);
    return db.prepare(`DELETE FROM runs WHERE id = ?`).run(id).changes === 1;
  })();
}

/** True when the run's process is still alive (a 'running' run that is not an orphan). */
export function runProcessAlive(r: Pick<RunRow, 'status' | 'pid'>): boolean {
  return r.status === 'running' && r.pid != null && (r.pid === process.pid || pidAlive(r.pid));
}
