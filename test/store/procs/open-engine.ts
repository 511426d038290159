/**
 * Child process of test/store/concurrency.test.ts: loads the engine code, says 'ready', and on 'go' opens the
 * engine on the database named by argv[2] (migrations and the bundled import of a first start), then reports
 * what happened and exits.
 */
import { openEngine } from '../../../src-main/engine';

process.on('message', (m: string) => {
  if (m !== 'go') return;
  let outcome: { ok: true } | { ok: false; error: string };
  try {
    openEngine({ dbPath: process.argv[2]!, shell: 'cli' }).close();
    outcome = { ok: true };
  } catch (e) {
    outcome = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  process.send!(outcome, () => process.disconnect());
});
process.send!('ready');
