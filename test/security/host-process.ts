/**
 * The headless host as its own process, for the security suite: a crash or a hang shows as a process that no
 * longer answers instead of taking the test runner down. Arguments: DB_PATH RENDERER_DIR. Prints one JSON line
 * {port, token} once listening. Timeouts are shortened so that the slow-client case ends quickly.
 */
import { openEngine } from '../../src-main/engine';
import { startHost } from '../../src-main/host/server';

const [dbPath, rendererDir] = process.argv.slice(2);
if (!dbPath || !rendererDir) throw new Error('usage: host-process.ts DB_PATH RENDERER_DIR');
const engine = openEngine({ dbPath, shell: 'headless', seedDefaultData: false });
const host = await startHost(engine, { rendererDir, timeouts: { headersMs: 1500, requestMs: 5000 } });
process.stdout.write(JSON.stringify({ port: host.port, token: host.token }) + '\n');
