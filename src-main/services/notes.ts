import { writeTransaction } from '../store/db';
import { notFound } from './errors';
import type { Handlers } from './types';

interface Row {
  run_id: string;
  date: string;
  status: 'comment' | 'approved' | 'rejected';
  text: string;
  updated_at: string;
}
const toNote = (r: Row) => ({ runId: r.run_id, date: r.date, status: r.status, text: r.text, updatedAt: r.updated_at });

export const noteHandlers: Handlers<'notes.get' | 'notes.set'> = {
  'notes.get'(req, engine) {
    const r = engine.db.prepare('SELECT * FROM notes WHERE run_id = ? AND date = ?').get(req.runId, req.date) as
      Row | undefined;
    return r ? toNote(r) : null;
  },
  // one write transaction, taken without blocking the serving process (store/db.ts writeTransaction)
  'notes.set': (req, engine) =>
    writeTransaction(engine.db, () => {
      const run = engine.db.prepare('SELECT universe_id FROM runs WHERE id = ?').get(req.runId) as
        { universe_id: string } | undefined;
      if (!run) throw notFound(`run ${req.runId}`);
      if (!req.text.trim() && req.status === 'comment') {
        engine.db.prepare('DELETE FROM notes WHERE run_id = ? AND date = ?').run(req.runId, req.date);
        return null;
      }
      const now = new Date().toISOString();
      engine.db
        .prepare(
          `INSERT INTO notes (universe_id, run_id, date, status, text, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (run_id, date) DO UPDATE SET status = excluded.status, text = excluded.text, updated_at = excluded.updated_at`,
        )
        .run(run.universe_id, req.runId, req.date, req.status, req.text, now);
      return toNote(
        engine.db.prepare('SELECT * FROM notes WHERE run_id = ? AND date = ?').get(req.runId, req.date) as Row,
      );
    }),
};
