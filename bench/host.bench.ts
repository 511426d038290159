/** Contract round-trip latency over the headless host: token check, payload validation, dispatch, response validation. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEngine } from '../src-main/engine';
import { startHost } from '../src-main/host/server';

export const title = 'Contract round trip over the headless host';

export async function run() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hdrl-bench-host-'));
  const engine = openEngine({ dbPath: path.join(dir, 'b.db'), shell: 'headless', seedDefaultData: false });
  const rendererDir = path.join(dir, 'r');
  fs.mkdirSync(rendererDir);
  const host = await startHost(engine, { rendererDir });
  const call = () =>
    fetch(`${host.url}api/jobs.list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hdrl-token': host.token },
      body: '{}',
    }).then((r) => r.json());
  for (let i = 0; i < 50; i++) await call();
  const n = 1000;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  await host.close();
  engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return [
    {
      name: 'jobs.list round trip, median',
      value: times[n >> 1]!,
      unit: 'ms',
      note: `${n} sequential calls, keep-alive fetch from the same process`,
    },
    { name: 'jobs.list round trip, p95', value: times[Math.floor(n * 0.95)]!, unit: 'ms' },
  ];
}
