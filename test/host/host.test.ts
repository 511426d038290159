/**
 * The headless host: loopback only; the token printed by `hdrl serve` is traded once for a session cookie and
 * nothing is served without one of them; browser calls need the custom header and the host's own origin;
 * malformed and hostile requests get a 4xx (raw sockets for what fetch would refuse to send) and never stop it.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES } from '../../src-shared/contract';
import { startHost, type Host } from '../../src-main/host/server';
import { tempEngine } from '../helpers/engine';

let engine: ReturnType<typeof tempEngine>;
let host: Host;
let rendererDir: string;
/** `name=value` of the session cookie, as the host set it on the token exchange */
let cookie: string;
const INDEX = '<html><head></head><body>the desk</body></html>';
const ASSET = 'console.log("the desk bundle")';
const SECRET = 'the secret next to the app folder';

beforeAll(async () => {
  engine = tempEngine({ seedDefaultData: false });
  rendererDir = path.join(engine.dir, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), INDEX);
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), ASSET);
  fs.writeFileSync(path.join(engine.dir, 'secret.txt'), SECRET);
  host = await startHost(engine, { rendererDir });
  const res = await fetch(host.loginUrl, { redirect: 'manual' });
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
});
afterAll(async () => {
  await host.close();
  engine.close();
});

const call = (
  channel: string,
  body: string | object,
  headers: Record<string, string> = { 'x-hdrl-token': host.token },
) =>
  fetch(`${host.url}api/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const browserCall = (channel: string, extra: Record<string, string> = {}) =>
  call(channel, {}, { cookie, 'x-hdrl-request': '1', ...extra });

interface RawResponse {
  status: number | null;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `data` as is on a fresh connection and reads until the host has sent one whole response or closed the
 * connection (`untilClose`: until it closed). `closeAfterWrite` hangs up right after writing, as a client that gives
 * up halfway does.
 */
function raw(
  data: string | Buffer,
  opts: { closeAfterWrite?: boolean; untilClose?: boolean } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(host.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const text = buf.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const head = end < 0 ? text : text.slice(0, end);
      const [statusLine, ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
      resolve({ status: m ? Number(m[1]) : null, headers, body: end < 0 ? '' : text.slice(end + 4) });
    };
    socket.setTimeout(20_000, () => {
      socket.destroy();
      if (!settled) reject(new Error(`no answer to ${JSON.stringify(String(data).slice(0, 80))}`));
      settled = true;
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const text = buf.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const len = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
      if (!opts.untilClose && end >= 0 && len && buf.length >= end + 4 + Number(len[1])) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => {});
    socket.write(data, () => {
      if (opts.closeAfterWrite) socket.destroy();
    });
  });
}

/** A request as raw text; the Host and `connection: close` are added unless given. */
function request(line: string, headers: Record<string, string | null> = {}, body: string | Buffer = ''): Buffer {
  const all: Record<string, string | null> = { host: `127.0.0.1:${host.port}`, connection: 'close', ...headers };
  const head = `${line}\r\n${Object.entries(all)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]);
}

function jsonPost(channel: string, headers: Record<string, string | null>, body = '{}'): Buffer {
  return request(
    `POST /api/${channel} HTTP/1.1`,
    { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
    body,
  );
}

describe('headless host: the token and the session cookie', () => {
  it('binds to 127.0.0.1 only and hands out a link that carries the token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(host.loginUrl).toBe(`${host.url}?token=${host.token}`);
  });

  it('trades the token in the link for an HttpOnly, SameSite=Strict cookie and redirects to the clean URL', async () => {
    const res = await fetch(host.loginUrl, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie.split(';')[0]).toBe(`hdrl-session-${host.port}=${host.token}`);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*SameSite=Strict/i);
    expect(setCookie).toMatch(/;\s*Path=\/(;|$)/);
    // other query parameters survive the exchange, the token does not
    const deep = await fetch(`${host.url}some/route?a=1&token=${host.token}&b=2`, { redirect: 'manual' });
    expect(deep.status).toBe(303);
    expect(deep.headers.get('location')).toBe('/some/route?a=1&b=2');
  });

  it('never redirects a login to another host', async () => {
    for (const target of [
      '//evil.example/',
      '/\\evil.example/',
      '/..//evil.example/',
      '/%2F%2Fevil.example/',
      '///\\/evil.example',
    ]) {
      const res = await raw(request(`GET ${target}?token=${host.token} HTTP/1.1`));
      expect(res.status, target).toBe(303);
      expect(new URL(res.headers.location!, host.url).origin, target).toBe(new URL(host.url).origin);
    }
  });

  it('serves nothing without the token or the cookie, and says how to get the link', async () => {
    for (const p of ['', 'index.html', 'assets/app.js', 'some/route', 'favicon.ico']) {
      const res = await fetch(`${host.url}${p}`);
      expect(res.status, p).toBe(401);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('set-cookie')).toBeNull();
      const text = await res.text();
      expect(text).toContain('hdrl serve');
      expect(text).toContain('?token=');
      expect(text).not.toContain(host.token);
      expect(text).not.toContain('the desk');
    }
    const wrong = await fetch(`${host.url}?token=${'0'.repeat(host.token.length)}`, { redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    // a cookie of another host or an earlier run does not count
    expect((await fetch(host.url, { headers: { cookie: `hdrl-session-${host.port}=${'f'.repeat(48)}` } })).status).toBe(
      401,
    );
  });

  it('serves the page and its assets to the cookie, without putting the token in the page', async () => {
    const page = await fetch(host.url, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    expect(html).toBe(INDEX);
    expect(html).not.toContain(host.token);
    const asset = await fetch(`${host.url}assets/app.js`, { headers: { cookie } });
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(await asset.text()).toBe(ASSET);
    // scripts and tests may send the token as a header instead
    expect(await (await fetch(`${host.url}assets/app.js`, { headers: { 'x-hdrl-token': host.token } })).text()).toBe(
      ASSET,
    );
  });

  it('answers HEAD with the headers only, and other methods with 405', async () => {
    const head = await fetch(`${host.url}assets/app.js`, { method: 'HEAD', headers: { cookie } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(ASSET)));
    expect(await head.text()).toBe('');
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await fetch(host.url, { method, headers: { cookie } });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
    const get = await fetch(`${host.url}api/jobs.list`, { headers: { 'x-hdrl-token': host.token } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('keeps path traversal impossible', async () => {
    for (const target of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e%5csecret.txt',
      `/${encodeURIComponent(path.join(engine.dir, 'secret.txt'))}`,
    ]) {
      const res = await raw(request(`GET ${target} HTTP/1.1`, { cookie }));
      expect(res.body, target).not.toContain(SECRET);
      expect([200, 403], target).toContain(res.status); // 200 is the app's index page (history-mode fallback)
      if (res.status === 200) expect(res.body).toBe(INDEX);
    }
  });
});

describe('headless host: API and events', () => {
  it('takes the token header (scripts, tests) or the cookie with X-HDRL-Request: 1 (the app)', async () => {
    const byHeader = await call('jobs.list', {});
    expect(byHeader.status).toBe(200);
    expect(await byHeader.json()).toEqual({ ok: true, value: [] });
    expect((await browserCall('jobs.list')).status).toBe(200);
    expect((await browserCall('jobs.list', { origin: `http://127.0.0.1:${host.port}` })).status).toBe(200);
    const viaLocalhost = await raw(
      jsonPost('jobs.list', {
        cookie,
        'x-hdrl-request': '1',
        host: `localhost:${host.port}`,
        origin: `http://localhost:${host.port}`,
      }),
    );
    expect(viaLocalhost.status).toBe(200);
  });

  it('refuses calls without a token, with a wrong one, or the cookie alone', async () => {
    for (const [headers, status] of [
      [{}, 401],
      [{ 'x-hdrl-token': 'wrong' }, 401],
      [{ 'x-hdrl-token': host.token.slice(0, -1) + (host.token.endsWith('0') ? '1' : '0') }, 401],
      [{ cookie }, 403], // a form or no-cors request from another local port could carry the cookie, never the header
      [{ cookie: `hdrl-session-${host.port}=x`, 'x-hdrl-request': '1' }, 401],
    ] as [Record<string, string>, number][]) {
      const res = await call('jobs.list', {}, headers);
      expect(res.status, JSON.stringify(headers)).toBe(status);
      const json = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
      expect(json.ok).toBe(false);
      expect(json.error.code).toBe('UNAUTHORIZED');
    }
    // the token is not taken from the URL of an API call
    const inUrl = await fetch(`${host.url}api/jobs.list?token=${host.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(inUrl.status).toBe(401);
  });

  it('refuses browser calls from any other origin, other localhost ports included', async () => {
    const refused: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: `http://127.0.0.1:${host.port === 1 ? 2 : 1}` },
      { origin: 'null' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const extra of refused) {
      const res = await browserCall('jobs.demo', extra);
      expect(res.status, JSON.stringify(extra)).toBe(403);
    }
    expect((await call('jobs.list', {}, { 'x-hdrl-token': host.token, origin: 'http://evil.example' })).status).toBe(
      403,
    );
    // nothing ran
    expect(await (await call('jobs.list', {})).json()).toEqual({ ok: true, value: [] });
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    for (const h of ['evil.example', `evil.example:${host.port}`, '127.0.0.1', `127.0.0.2:${host.port}`]) {
      expect((await raw(jsonPost('jobs.list', { host: h, 'x-hdrl-token': host.token }))).status, h).toBe(403);
    }
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
    const wrongType = await fetch(`${host.url}api/jobs.list`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-hdrl-token': host.token },
      body: '{}',
    });
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as { error: { message: string } }).error.message).toContain('application/json');
    expect((await call('jobs.list', {})).status).toBe(200);
  });

  it('answers an oversized body with a 413 the client can read, from a real client, then keeps serving', async () => {
    const tooBig = JSON.stringify({ id: 'x'.repeat(MAX_REQUEST_BYTES) });
    // declared up front (Content-Length)
    const declared = await call('jobs.get', tooBig);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({
      ok: false,
      error: { code: 'BAD_REQUEST', message: `the request body is larger than ${MAX_REQUEST_BYTES} bytes` },
    });
    // streamed (chunked, no length): found out past the cap
    const chunk = new TextEncoder().encode('x'.repeat(256 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 40) c.enqueue(chunk);
        else c.close();
      },
    });
    const streamed = await fetch(`${host.url}api/jobs.get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hdrl-token': host.token },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: { message: string } }).error.message).toContain(
      String(MAX_REQUEST_BYTES),
    );
    expect((await call('jobs.list', {})).status).toBe(200);
  });

  it('streams job events to the cookie or ?token=, and to nobody else', async () => {
    for (const [url, headers] of [
      [`${host.url}events?token=${host.token}`, {}],
      [`${host.url}events`, { cookie }],
    ] as [string, Record<string, string>][]) {
      const res = await fetch(url, { headers });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      // the host refuses jobs.demo (services/jobs.ts): the engine starts it, and its events stream all the same
      engine.jobs.start('demo', { steps: 2, delayMs: 10 }, 'demo');
      let text = '';
      while (!text.includes('"succeeded"')) text += new TextDecoder().decode((await reader.read()).value);
      expect(text).toContain('event: job.update');
      await reader.cancel();
    }
    expect((await fetch(`${host.url}events`)).status).toBe(401);
    expect((await fetch(`${host.url}events?token=wrong`)).status).toBe(401);
    expect((await fetch(`${host.url}events`, { headers: { cookie, origin: 'http://127.0.0.1:1' } })).status).toBe(403);
    expect((await fetch(`${host.url}events`, { headers: { cookie, 'sec-fetch-site': 'same-site' } })).status).toBe(403);
  });
});

describe('headless host under hostile requests', () => {
  it('answers each malformed or hostile request with a 4xx and still serves a good one afterwards', async () => {
    const T = host.token;
    const auth = { 'x-hdrl-token': T };
    const browser = { cookie, 'x-hdrl-request': '1' };
    const chunked = (chunks: string) =>
      request(
        'POST /api/jobs.list HTTP/1.1',
        { ...auth, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        chunks,
      );
    const big = 'x'.repeat(MAX_REQUEST_BYTES + 10);
    const manyHeaders = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`x-h${i}`, 'v'.repeat(10)]));
    // [what, raw request, expected status; null: any 4xx]
    const cases: [string, Buffer | string, number | null][] = [
      ['bad escape, no token', request('GET /% HTTP/1.1'), 401],
      ['bad escape, with token', request('GET /% HTTP/1.1', auth), 400],
      ['bad escape %zz', request('GET /%zz HTTP/1.1', auth), 400],
      ['truncated UTF-8 escape', request('GET /%E0%A4%A HTTP/1.1', auth), 400],
      ['overlong UTF-8 escape', request('GET /assets/%C0%AF HTTP/1.1', auth), 400],
      ['NUL in the path', request('GET /index.html%00.js HTTP/1.1', auth), 400],
      ['bad escape on the login link', request(`GET /%?token=${T} HTTP/1.1`), 303],
      ['absolute-form target with a bad host', request('GET http://[/ HTTP/1.1'), 400],
      ['absolute-form target', request(`GET http://127.0.0.1:${host.port}/ HTTP/1.1`, auth), 400],
      ['protocol-relative target', request('GET //[ HTTP/1.1'), 401],
      ['asterisk target', request('GET * HTTP/1.1', auth), 400],
      ['OPTIONS *', request('OPTIONS * HTTP/1.1'), 400],
      ['API channel with a bad escape', jsonPost('%', auth), 400],
      ['API channel with a bad escape (cookie)', jsonPost('jobs.%zz', browser), 400],
      ['API channel __proto__', jsonPost('__proto__', auth), 400],
      ['garbage bytes', '\x00\x01\x02\xff\r\n\r\n', 400],
      ['request line without a target', 'GET\r\n\r\n', 400],
      ['unknown HTTP version', request('GET / HTTP/9.9'), null],
      ['unknown method token', request('FOO / HTTP/1.1', auth), 400],
      ['no Host header', request('GET / HTTP/1.1', { host: null, ...auth }), 400],
      ['huge header', request('GET / HTTP/1.1', { ...auth, 'x-big': 'a'.repeat(20_000) }), 431],
      ['too many headers', request('GET / HTTP/1.1', { ...auth, ...manyHeaders }), 431],
      ['control character in a header', request('GET / HTTP/1.1', { ...auth, 'x-a': 'b\x01c' }), 400],
      ['foreign Host', request('GET / HTTP/1.1', { host: 'evil.example', cookie }), 403],
      ['wrong port in Host', request('GET / HTTP/1.1', { host: '127.0.0.1:1', cookie }), 403],
      ['no token', jsonPost('jobs.list', {}), 401],
      ['wrong token', jsonPost('jobs.list', { 'x-hdrl-token': 'f'.repeat(T.length) }), 401],
      ['token of another length', jsonPost('jobs.list', { 'x-hdrl-token': T + 'x' }), 401],
      [
        'token as a cookie of another name',
        jsonPost('jobs.list', { cookie: `hdrl-session-1=${T}`, 'x-hdrl-request': '1' }),
        401,
      ],
      ['cookie without X-HDRL-Request', jsonPost('jobs.demo', { cookie }), 403],
      ['cookie with X-HDRL-Request: 0', jsonPost('jobs.demo', { cookie, 'x-hdrl-request': '0' }), 403],
      ['foreign Origin', jsonPost('jobs.demo', { ...browser, origin: 'http://evil.example' }), 403],
      ['Origin of another local port', jsonPost('jobs.demo', { ...browser, origin: 'http://127.0.0.1:1' }), 403],
      ['Origin null', jsonPost('jobs.demo', { ...browser, origin: 'null' }), 403],
      ['same-site fetch', jsonPost('jobs.demo', { ...browser, 'sec-fetch-site': 'same-site' }), 403],
      ['bad JSON', jsonPost('jobs.get', auth, '{"id":'), 400],
      ['unbalanced deep JSON', jsonPost('jobs.get', auth, '['.repeat(100_000)), 400],
      ['deep JSON array', jsonPost('jobs.get', auth, '['.repeat(50_000) + ']'.repeat(50_000)), 400],
      ['text/plain body', jsonPost('jobs.list', { ...auth, 'content-type': 'text/plain' }), 415],
      [
        'form body',
        jsonPost('jobs.list', { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, 'a=1'),
        415,
      ],
      ['no content type', jsonPost('jobs.list', { ...auth, 'content-type': null }), 415],
      ['GET on the API', request('GET /api/jobs.list HTTP/1.1', auth), 405],
      ['DELETE on the API', request('DELETE /api/jobs.list HTTP/1.1', auth), 405],
      ['PUT on a page', request('PUT / HTTP/1.1', { ...auth, 'content-length': '2' }, '{}'), 405],
      ['TRACE', request('TRACE / HTTP/1.1', auth), 405],
      ['POST on the event stream', request('POST /events HTTP/1.1', { ...auth, 'content-length': '0' }), 405],
      ['event stream without a token', request('GET /events HTTP/1.1'), 401],
      [
        'event stream from another origin',
        request('GET /events HTTP/1.1', { cookie, origin: 'http://localhost:1' }),
        403,
      ],
      ['login with a wrong token', request('GET /?token=nope HTTP/1.1'), 401],
      ['asset without a token', request('GET /assets/app.js HTTP/1.1'), 401],
      [
        'oversized Content-Length, no body sent',
        request('POST /api/jobs.get HTTP/1.1', {
          ...auth,
          'content-type': 'application/json',
          'content-length': String(MAX_REQUEST_BYTES + 1),
        }),
        413,
      ],
      ['oversized body', jsonPost('jobs.get', auth, big), 413],
      ['oversized chunked body', chunked(`${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`), 413],
      ['bad chunk size', chunked('zz\r\n{}\r\n0\r\n\r\n'), 400],
      [
        'Content-Length and Transfer-Encoding',
        request(
          'POST /api/jobs.list HTTP/1.1',
          { ...auth, 'content-type': 'application/json', 'content-length': '2', 'transfer-encoding': 'chunked' },
          '{}',
        ),
        400,
      ],
      [
        'negative Content-Length',
        request('POST /api/jobs.list HTTP/1.1', {
          ...auth,
          'content-type': 'application/json',
          'content-length': '-1',
        }),
        400,
      ],
    ];
    expect(cases.length).toBeGreaterThanOrEqual(50);
    const jobs = async () => ((await (await call('jobs.list', {})).json()) as { value: unknown[] }).value.length;
    const jobsBefore = await jobs();
    for (const [what, data, status] of cases) {
      const res = await raw(data);
      if (status === null) expect(res.status, what).toBeGreaterThanOrEqual(400);
      else expect(res.status, what).toBe(status);
      if (res.status !== null) expect(res.status, what).toBeLessThan(500);
      expect(res.body, what).not.toContain(T);
    }
    // clients that hang up halfway: headers cut short, a body cut short, an oversized body cut short
    await raw(`POST /api/jobs.list HTTP/1.1\r\nhost: 127.0.0.1:${host.port}\r\nx-hdrl-tok`, { closeAfterWrite: true });
    await raw(jsonPost('jobs.list', { ...auth, 'content-length': '1000' }, '{"a":'), { closeAfterWrite: true });
    await raw(
      request(
        'POST /api/jobs.get HTTP/1.1',
        { ...auth, 'content-type': 'application/json', 'content-length': String(MAX_REQUEST_BYTES * 2) },
        'x'.repeat(65_536),
      ),
      { closeAfterWrite: true },
    );
    // two requests on one connection, the second malformed
    const pipelined = await raw(
      Buffer.concat([
        request('GET /assets/app.js HTTP/1.1', { ...auth, connection: 'keep-alive' }),
        request('GET /%zz HTTP/1.1', auth),
      ]),
      { untilClose: true },
    );
    expect(pipelined.status).toBe(200);
    expect(pipelined.body).toContain(`${ASSET}HTTP/1.1 400 `);

    const ok = await call('jobs.list', {});
    expect(ok.status).toBe(200);
    expect(await jobs()).toBe(jobsBefore); // none of the refused jobs.demo calls ran
    expect(await (await fetch(host.url, { headers: { cookie } })).text()).toBe(INDEX);
  });

  it('cuts off clients that send their headers or body too slowly', async () => {
    const slow = await startHost(engine, { rendererDir, timeouts: { headersMs: 300, requestMs: 600 } });
    try {
      const send = (data: string) =>
        new Promise<string>((resolve) => {
          const socket = net.connect(slow.port, '127.0.0.1');
          let out = '';
          socket.on('data', (d) => (out += String(d)));
          socket.on('close', () => resolve(out));
          socket.on('error', () => {});
          socket.write(data); // and then nothing more: the host must not wait for ever
        });
      const partialHeaders = await send(
        `GET / HTTP/1.1\r\nhost: 127.0.0.1:${slow.port}\r\nx-hdrl-token: ${slow.token}\r\n`,
      );
      expect(partialHeaders).toMatch(/^HTTP\/1\.1 408 /);
      const partialBody = await send(
        `POST /api/jobs.list HTTP/1.1\r\nhost: 127.0.0.1:${slow.port}\r\nx-hdrl-token: ${slow.token}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":`,
      );
      expect(partialBody).toMatch(/^HTTP\/1\.1 408 /);
      expect(
        (
          await fetch(`${slow.url}api/jobs.list`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-hdrl-token': slow.token },
            body: '{}',
          })
        ).status,
      ).toBe(200);
    } finally {
      await slow.close();
    }
  }, 20_000);
});
