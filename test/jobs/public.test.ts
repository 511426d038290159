/**
 * The demo job is not open to the desk: jobs.demo from the headless host or the Electron window is refused with a
 * clear error and starts nothing; a local caller (the CLI, tests) still starts it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../src-main/host/server';
import { dispatch } from '../../src-main/services';
import { tempEngine } from '../helpers/engine';

const engine = tempEngine({ seedDefaultData: false });
let host: Host;
beforeAll(async () => {
  const rendererDir = path.join(engine.dir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<html></html>');
  host = await startHost(engine, { rendererDir });
});
afterAll(async () => {
  await host.close();
  engine.close();
});

const demo = { steps: 2, delayMs: 0 };

describe('jobs.demo', () => {
  it.each([
    [{ shell: 'host' as const }, 'the headless host may not start it'],
    [{ shell: 'ipc' as const, grantedPaths: new Set<string>() }, 'the desktop window may not start it'],
  ])('is refused to the %j caller', async (caller, says) => {
    const r = await dispatch(engine, 'jobs.demo', demo, caller);
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'UNAUTHORIZED',
        message: `jobs.demo checks the job plumbing from the command line and tests only; ${says}`,
      },
    });
    expect(engine.jobs.list()).toEqual([]);
  });

  it('is refused over HTTP, even with the token', async () => {
    const res = await fetch(`${host.url}api/jobs.demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hdrl-token': host.token },
      body: JSON.stringify(demo),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { ok: boolean; error?: { code: string; message: string } };
    expect(body.ok).toBe(false);
    expect(body.error?.code).toBe('UNAUTHORIZED');
    expect(body.error?.message).toContain('the headless host may not start it');
    expect(engine.jobs.list()).toEqual([]);
  });

  it('runs for a local caller', async () => {
    const r = await dispatch(engine, 'jobs.demo', demo);
    expect(r.ok).toBe(true);
    const id = (r as { ok: true; value: { id: string } }).value.id;
    expect((await engine.jobs.wait(id)).status).toBe('succeeded');
  });
});
