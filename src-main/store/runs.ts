/** Run records: a run is visible as complete only when everything it wrote is committed. */
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
