/**
 * The service dispatcher as its own process, called as the browser would through the headless host (host
 * caller), for the security suite: a handler that blocks (a FIFO opened for reading) or crashes is seen as a
 * process that stops answering. Argument: DB_PATH. Reads one JSON request {channel, payload} per line on stdin
 * and writes one JSON line {result} per request; a commit that started a job is followed until the job ends,
 * so that whatever it writes is in the database when the suite compares it.
 */
import readline from 'node:readline';
import { openEngine } from '../../src-main/engine';
import { dispatch } from '../../src-main/services';
import type { Caller } from '../../src-main/services/types';

const dbPath = process.argv[2];
if (!dbPath) throw new Error('usage: dispatch-process.ts DB_PATH');
const engine = openEngine({ dbPath, shell: 'headless', seedDefaultData: false });
const BROWSER: Caller = { shell: 'host' };
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

async function settle(id: string): Promise<unknown> {
  for (;;) {
    const r = await dispatch(engine, 'jobs.get', { id }, BROWSER);
    if (!r.ok || TERMINAL.has(String((r.value as { status?: unknown }).status))) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

process.stdout.write(JSON.stringify({ ready: true, dataDir: engine.dataDir }) + '\n');
for await (const line of readline.createInterface({ input: process.stdin })) {
  const { channel, payload } = JSON.parse(line) as { channel: string; payload: unknown };
  const result = await dispatch(engine, channel, payload, BROWSER);
  const job =
    result.ok && channel === 'data.commitImport' ? await settle((result.value as { id: string }).id) : undefined;
  process.stdout.write(JSON.stringify({ result, job }) + '\n');
}
