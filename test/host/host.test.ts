/** The headless host: loopback only, token required, malformed payloads answered with typed errors. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../src-main/host/server';
import { tempEngine } from '../helpers/engine';

let engine: ReturnType<typeof tempEngine>;
let host: Host;
let rendererDir: string;

beforeAll(async () => {
  engine = tempEngine({ seedDefaultData: false });
  rendererDir = path.join(engine.dir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<html><head></head><body>hi</body></html>');
  host = await startHost(engine, { rendererDir });
});
afterAll(async () => {
  await host.close();
  engine.close();
});

const call = (channel: string, body: string | object, token: string | null = host.token, extra: Record<string, string> = {}) =>
  fetch(`${host.url}api/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { 'x-hdrl-token': token } : {}), ...extra },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('headless host', () => {
  it('binds to 127.0.0.1 only', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('hands the token to the served page, with the CSP header', async () => {
    const res = await fetch(host.url);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain(`<meta name="hdrl-token" content="${host.token}">`);
  });

  it('refuses requests without the right token', async () => {
    expect((await call('jobs.list', {}, null)).status).toBe(401);
    expect((await call('jobs.list', {}, 'wrong')).status).toBe(401);
    const ok = await call('jobs.list', {});
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, value: [] });
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: host.port, path: '/api/jobs.list', method: 'POST', headers: { host: 'evil.example', 'x-hdrl-token': host.token } }, (res) => resolve(res.statusCode!));
      req.end('{}');
    });
    expect(status).toBe(403);
  });

  it('answers malformed payloads with typed errors and keeps serving', async () => {
    const cases: [string, string | object, string][] = [
      ['jobs.get', '{not json', 'BAD_REQUEST'],
      ['jobs.get', { id: 5 }, 'BAD_REQUEST'],
      ['jobs.get', {}, 'BAD_REQUEST'],
      ['jobs.get', { id: 'a', extra: 1 }, 'BAD_REQUEST'],
      ['jobs.get', { id: 'x'.repeat(500_000) }, 'BAD_REQUEST'],
      ['nope.nope', {}, 'UNKNOWN_CHANNEL'],
      ['jobs.get', { id: 'missing' }, 'NOT_FOUND'],
    ];
    for (const [ch, body, code] of cases) {
      const res = await call(ch, body);
      const json = (await res.json()) as { ok: boolean; error: { code: string } };
      expect(json.ok).toBe(false);
      expect(json.error.code).toBe(code);
    }
    const huge = await call('jobs.get', { id: 'x'.repeat(1_200_000) }).catch(() => null);
    if (huge) expect([413, 400]).toContain(huge.status);
    expect((await call('jobs.list', {})).status).toBe(200);
  });

  it('streams job events to a client with the token', async () => {
    const res = await fetch(`${host.url}events?token=${host.token}`);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await call('jobs.demo', { steps: 2, delayMs: 10 });
    let text = '';
    while (!text.includes('"succeeded"')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: job.update');
    await reader.cancel();
    expect((await fetch(`${host.url}events`)).status).toBe(401);
  });
});
