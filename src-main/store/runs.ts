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
 * Typed JSON: a run's config and each day's decision detail are stored as JSON of one schema each
 * (src-shared/domain/runConfig.ts RunConfig, src-shared/domain/decision.ts DecisionDetail), written in those
 * shapes and parsed with them when read. A stored value that does not match its schema is not guessed at: the
 * read throws a {@link StoredRunDataError} naming the run, the date and what is wrong.
 * - groupings: the `groups` of a SAMP-HDRL detail. The `groupings` table is the timeline of groupings: a row
 *   is written on the first day and on every day the grouping differs from the last one written; the grouping
 *   in force at a date is the last row on or before it.
 * - rebound flags: the `rebound.flagsToday` of a SAMP-HDRL detail; one `rebound_flags` row per flag, grp = the
 *   series it was raised on (decision.ts reboundFlagSeries).
 *
 * Why this file is long: every read and write of a run's rows, with the schema parse of each stored shape, sits
 * beside the transaction that writes it, so a run can only become visible complete in one place.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { writeTransactionSync, type DB } from './db';
import {
  decisionModel,
  ReboundFlag,
  reboundFlagSeries,
  sampDetail,
  SampGroups,
  StoredDecisionDetail,
  type DecisionDetail,
  type DecisionDetailInput,
  type DecisionModel,
  type SampGroups as SampGroupsOut,
  type ReboundFlag as ReboundFlagOut,
} from '../../src-shared/domain/decision';
import { RunConfig, type RunConfigInput } from '../../src-shared/domain/runConfig';

/** A stored config, detail, grouping or rebound flag that does not match its schema (see the file overview). */
export class StoredRunDataError extends Error {
  constructor(
    readonly runId: string,
    what: string,
    issues: readonly { path: PropertyKey[]; message: string }[],
  ) {
    const list = issues
      .slice(0, 5)
      .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    super(
      `run ${runId}: the stored ${what} does not have the expected shape (${list}${issues.length > 5 ? `; ${issues.length - 5} more` : ''})`,
    );
    this.name = 'StoredRunDataError';
  }
}

/** Parse one stored JSON value of run `runId` with `schema`; `what` names it in the error. */
function parseStored<S extends z.ZodType>(runId: string, what: string, schema: S, json: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new StoredRunDataError(runId, what, [{ path: [], message: `not JSON (${(e as Error).message})` }]);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new StoredRunDataError(runId, what, r.error.issues);
  return r.data;
}

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
  const rows = db.prepare(`SELECT id, pid FROM runs WHERE status = 'running'`).all() as {
    id: string;
    pid: number | null;
  }[];
  const dead = rows.filter((r) => r.pid == null || (r.pid !== process.pid && !pidAlive(r.pid)));
  const mark = db.prepare(
    `UPDATE runs SET status = 'killed', ended_at = ?, error = 'the process running it ended before it finished' WHERE id = ? AND status = 'running'`,
  );
  const now = new Date().toISOString();
  if (dead.length) writeTransactionSync(db, () => dead.forEach((r) => mark.run(now, r.id)));
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
  config: RunConfigInput;
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
  const insert = db.prepare(
    `INSERT INTO runs (id, universe_id, strategy, config, seed, code_version, backend, status, pid, window_from, window_to,
       train_from, train_to, hindsight, flags, created_at, started_at, timings)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, '[]', ?, ?, '{}')`,
  );
  writeTransactionSync(db, () =>
    insert.run(
      r.id,
      r.universe,
      r.strategy,
      toJson(r.config),
      r.seed,
      r.codeVersion,
      r.backend ?? null,
      process.pid,
      r.windowFrom,
      r.windowTo,
      r.trainFrom ?? null,
      r.trainTo ?? null,
      r.hindsight ? 1 : 0,
      now,
      now,
    ),
  );
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
  details?: readonly (DecisionDetailInput | null)[];
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
  const done = db.prepare(
    `UPDATE runs SET status = 'complete', ended_at = ?, flags = ?, timings = ?, error = NULL WHERE id = ? AND status = 'running'`,
  );
  let rows = 0;
  let lastGrouping: string | null = null;
  writeTransactionSync(db, () => {
    rows = 0;
    lastGrouping = null;
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
          const grp = reboundFlagSeries(f);
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
    if (r.changes !== 1)
      throw new Error(`run ${id} is no longer running (status changed while it ran); its results were not stored`);
    // a learned strategy names its model in every decision: record it (and the backend that trained it) on the run
    const model = modelOf(o.details);
    if (model?.key) {
      db.prepare(`UPDATE runs SET model_path = ?, model_sha256 = ?, backend = COALESCE(?, backend) WHERE id = ?`).run(
        `hdrl-data/models/${model.key}.json`,
        model.sha256 ?? null,
        model.backend ?? null,
        id,
      );
    }
  });
  return rows;
}

/** The grouping a day's detail reports (see the header), or undefined. */
function groupingOf(d: DecisionDetailInput): z.input<typeof SampGroups> | undefined {
  return sampDetail(d)?.groups;
}

/** The rebound flags a day's detail reports (see the header). */
function reboundFlagsOf(d: DecisionDetailInput): z.input<typeof ReboundFlag>[] {
  return sampDetail(d)?.rebound.flagsToday ?? [];
}

/** The model a learned strategy names in its decisions (the first one found), or undefined. */
function modelOf(details: RunOutput['details']): DecisionModel | undefined {
  for (const d of details ?? []) {
    const m = decisionModel(d);
    if (m) return m;
  }
  return undefined;
}

/** Record the end of a run that did not complete: 'failed' (with the error) or 'cancelled'. */
export function endRun(
  db: DB,
  id: string,
  status: 'failed' | 'cancelled',
  error: string | null,
  timings?: Record<string, number>,
): void {
  const end = db.prepare(
    `UPDATE runs SET status = ?, ended_at = ?, error = ?, timings = COALESCE(?, timings) WHERE id = ? AND status = 'running'`,
  );
  writeTransactionSync(db, () =>
    end.run(
      status,
      new Date().toISOString(),
      error ? error.slice(0, 4000) : null,
      timings ? JSON.stringify(timings) : null,
      id,
    ),
  );
}

/** A `runs` row, decoded. */
export interface RunRow {
  id: string;
  universe: string;
  strategy: string;
  config: RunConfig;
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
    config: parseStored(r.id, 'config', RunConfig, r.config),
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
  for (const [column, value] of [
    ['universe_id', f.universe],
    ['strategy', f.strategy],
    ['status', f.status],
  ] as const) {
    if (!value) continue;
    where.push(`${column} = ?`);
    args.push(value);
  }
  const sql = `SELECT * FROM runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC, id LIMIT ?`;
  return (db.prepare(sql).all(...args, f.limit ?? 500) as RawRun[]).map(decodeRun);
}

export function getRun(db: DB, id: string): RunRow | undefined {
  const r = db.prepare(`SELECT * FROM runs WHERE id = ?`).get(id) as RawRun | undefined;
  return r ? decodeRun(r) : undefined;
}

/** Metrics of a run by name (NULL, i.e. NaN when computed, comes back as NaN; ±Infinity as stored). */
export function getRunMetrics(db: DB, id: string): Record<string, number> {
  const rows = db.prepare(`SELECT name, value FROM run_metrics WHERE run_id = ?`).all(id) as {
    name: string;
    value: number | null;
  }[];
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
  const rows = db
    .prepare(`SELECT date, value, ret, turnover, cost FROM run_days WHERE run_id = ? ORDER BY date`)
    .all(id) as {
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
  const rows = db
    .prepare(`SELECT date, weights FROM run_weights WHERE run_id = ? AND agent = ? ORDER BY date`)
    .all(id, agent) as { date: string; weights: Buffer }[];
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
  detail: DecisionDetail | null;
  /** the grouping in force at `date` (last one recorded on or before it), null if none */
  grouping: SampGroupsOut | null;
  reboundFlags: { group: string; detail: ReboundFlagOut }[];
  /** the previous test day's final decision (for the trades), null on the first day */
  previous: { date: string; weights: Float64Array } | null;
}

/** Weights (every agent), detail, grouping and flags of a run at `date` (default: its last date); undefined when the run has no row that day. */
export function getRunWeightsAt(db: DB, id: string, date?: string): RunWeightsAt | undefined {
  const d =
    date ??
    (
      db.prepare(`SELECT MAX(date) AS d FROM run_weights WHERE run_id = ? AND agent = 'final'`).get(id) as
        { d: string | null } | undefined
    )?.d ??
    undefined;
  if (!d) return undefined;
  const rows = db.prepare(`SELECT agent, weights FROM run_weights WHERE run_id = ? AND date = ?`).all(id, d) as {
    agent: string;
    weights: Buffer;
  }[];
  if (rows.length === 0) return undefined;
  const agents: Record<string, Float64Array> = {};
  for (const r of rows) agents[r.agent] = decodeWeights(r.weights);
  const det = db.prepare(`SELECT detail FROM run_details WHERE run_id = ? AND date = ?`).get(id, d) as
    { detail: string } | undefined;
  const grp = db
    .prepare(`SELECT grouping FROM groupings WHERE run_id = ? AND date <= ? ORDER BY date DESC LIMIT 1`)
    .get(id, d) as { grouping: string } | undefined;
  const flags = db
    .prepare(`SELECT grp, detail FROM rebound_flags WHERE run_id = ? AND date = ? ORDER BY grp`)
    .all(id, d) as { grp: string; detail: string }[];
  const prev = db
    .prepare(
      `SELECT date, weights FROM run_weights WHERE run_id = ? AND agent = 'final' AND date < ? ORDER BY date DESC LIMIT 1`,
    )
    .get(id, d) as { date: string; weights: Buffer } | undefined;
  return {
    date: d,
    agents,
    detail: det ? parseStored(id, `decision detail of ${d}`, StoredDecisionDetail, det.detail) : null,
    grouping: grp ? parseStored(id, `grouping in force on ${d}`, SampGroups, grp.grouping) : null,
    reboundFlags: flags.map((f) => ({
      group: f.grp,
      detail: parseStored(id, `rebound flag of ${d} (${f.grp})`, ReboundFlag, f.detail),
    })),
    previous: prev ? { date: prev.date, weights: decodeWeights(prev.weights) } : null,
  };
}

/** The grouping timeline of a run: each regrouping with the date it took effect, in date order (see the file overview). */
export function getRunGroupings(db: DB, id: string): { date: string; grouping: SampGroupsOut }[] {
  const rows = db.prepare(`SELECT date, grouping FROM groupings WHERE run_id = ? ORDER BY date`).all(id) as {
    date: string;
    grouping: string;
  }[];
  return rows.map((r) => ({
    date: r.date,
    grouping: parseStored(id, `grouping of ${r.date}`, SampGroups, r.grouping),
  }));
}

/** Every stored decision detail of a run, in date order. */
export function getRunDetails(db: DB, id: string): { date: string; detail: DecisionDetail }[] {
  const rows = db.prepare(`SELECT date, detail FROM run_details WHERE run_id = ? ORDER BY date`).all(id) as {
    date: string;
    detail: string;
  }[];
  return rows.map((r) => ({
    date: r.date,
    detail: parseStored(id, `decision detail of ${r.date}`, StoredDecisionDetail, r.detail),
  }));
}

/** Delete a run and everything it wrote (ON DELETE CASCADE; explanations and notes included). Returns true if it existed. */
export function deleteRun(db: DB, id: string): boolean {
  return writeTransactionSync(db, () => {
    db.prepare(`DELETE FROM notes WHERE run_id = ?`).run(id);
    return db.prepare(`DELETE FROM runs WHERE id = ?`).run(id).changes === 1;
  });
}

/** True when the run's process is still alive (a 'running' run that is not an orphan). */
export function runProcessAlive(r: Pick<RunRow, 'status' | 'pid'>): boolean {
  return r.status === 'running' && r.pid != null && (r.pid === process.pid || pidAlive(r.pid));
}
