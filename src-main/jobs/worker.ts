/** Entry point of a job process: opens its own database connection, runs one job kind, reports back, exits. */
import { openDatabase } from '../store/db';
import { jobKinds, JobCancelled } from './kinds';
import type { ChildMessage, ParentMessage } from './protocol';

const send = (m: ChildMessage) => process.send?.(m);
const abort = new AbortController();

process.on('message', (msg: ParentMessage) => {
  if (msg.type === 'cancel') abort.abort();
  if (msg.type === 'start') void run(msg.kind, msg.params);
});
process.on('disconnect', () => abort.abort());

async function run(kind: string, params: unknown): Promise<void> {
  const dbPath = process.env.HDRL_DB!;
  const db = openDatabase(dbPath, { nativeBinding: process.env.HDRL_SQLITE_BINDING || undefined });
  try {
    const job = jobKinds[kind];
    if (!job) throw new Error(`unknown job kind ${kind}`);
    let last = 0;
    const result = await job(params, {
      db,
      dbPath,
      signal: abort.signal,
      progress(fraction, message, figures) {
        const now = Date.now();
        if (now - last < 50 && fraction !== 1) return; // at most ~20 events a second
        last = now;
        send({ type: 'progress', fraction, message, figures });
      },
    });
    send({ type: 'done', result });
  } catch (e) {
    const cancelled = e instanceof JobCancelled || abort.signal.aborted;
    send({ type: 'error', message: e instanceof Error ? e.message : String(e), cancelled });
  } finally {
    db.close();
    process.disconnect?.();
  }
}
