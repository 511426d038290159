/**
 * The headless host: the same services as the Electron IPC bridge, over HTTP + server-sent events, for running
 * the full app in any local browser and for the end-to-end tests.
 *
 * Security, modelled on a local notebook server:
 * - It binds to 127.0.0.1 only, and the Host header must name that address or localhost on this port (no DNS
 *   rebinding).
 * - Each start makes a random token. `hdrl serve` prints `loginUrl` (`/?token=...`); the first visit with the
 *   right token gets an HttpOnly, SameSite=Strict session cookie and a 303 to the same URL without the token.
 *   The token is never written into a page.
 * - Nothing is served without the cookie or the token (header X-HDRL-Token, for scripts and tests): not the
 *   page, not its assets, not /api, not /events. A browser without them gets a 401 page saying how to get the
 *   link. /events also takes ?token=.
 * - Cookies do not separate ports, so any other local web server counts as the same site. Calls authenticated by
 *   the cookie must therefore also carry `X-HDRL-Request: 1` (a custom header makes a cross-origin browser send
 *   a CORS preflight, which this host never grants), a present Origin must be this host's own origin, and API or
 *   event requests a browser marks as cross-site or same-site (Sec-Fetch-Site) are refused.
 * - Hostile input gets a 4xx and never stops the host: every request runs inside one catch, malformed requests
 *   the HTTP parser rejects are answered in 'clientError', headers are capped at MAX_HEADER_BYTES and must
 *   arrive within the headers timeout, whole requests within the request timeout, and a body over
 *   MAX_REQUEST_BYTES gets a 413 (see refuseTooLarge).
 * - Pages carry the desktop window's Content-Security-Policy and may not be framed.
 */
import http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { MAX_REQUEST_BYTES, type ApiErrorCode, type ApiResult } from '../../src-shared/contract';
import type { Engine } from '../engine';
import { dispatch } from '../services';
import { CONTENT_SECURITY_POLICY } from '../electron/security';

/** Largest request head (request line and headers) the host reads; larger ones get a 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

export interface HostTimeouts {
  /** the request line and headers must arrive within this */
  headersMs: number;
  /** the whole request, body included, must arrive within this */
  requestMs: number;
  /** after a 413, how long the rest of the refused body is read and dropped before the connection is cut */
  lingerMs: number;
}

const DEFAULT_TIMEOUTS: HostTimeouts = { headersMs: 10_000, requestMs: 60_000, lingerMs: 2_000 };

export interface HostOptions {
  port?: number;
  /** folder of the built renderer (out/renderer) */
  rendererDir: string;
  token?: string;
  /** the defaults suit a browser on the same machine; tests shorten them */
  timeouts?: Partial<HostTimeouts>;
}

export interface Host {
  /** the app's address, without the token */
  url: string;
  /** the address to open first: it carries the token, which the host trades for a session cookie */
  loginUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** The header a browser page must add to API calls authenticated by the cookie (src-renderer/src/api/client.ts). */
const REQUEST_HEADER = 'x-hdrl-request';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Sent with every response the host writes itself. */
const COMMON_HEADERS: http.OutgoingHttpHeaders = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** What a browser or script without the token is told (in the 401 page and in API errors). */
const LOGIN_HELP =
  'Run `hdrl serve` (or `npm run serve`) in a terminal and open the URL it prints, the one ending in ?token=... A link from an earlier run stops working when that host stops.';

const LOGIN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HDRL Desk: open the link with the token</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">
<h1>HDRL Desk needs its link</h1>
<p>This host only answers browsers that opened its link, which carries a token made when the host started.</p>
<p>${LOGIN_HELP.replace(/`([^`]+)`/g, '<code>$1</code>')}</p>
</body></html>
`;

/** An answer decided while handling a request: the status and what to tell the client. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: http.OutgoingHttpHeaders = {},
  ) {
    super(message);
  }
}

type Route = 'api' | 'events' | 'page';

function sameToken(a: string | undefined | null, token: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(token);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function cookieValues(req: http.IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) out.push(part.slice(eq + 1).trim());
  }
  return out;
}

/** The request target split into its path (leading slashes collapsed to one, still percent-encoded) and query. */
function splitTarget(target: string): { rawPath: string; query: URLSearchParams } {
  if (!target.startsWith('/')) throw new HttpError(400, 'the request target must be a path starting with /');
  const q = target.indexOf('?');
  const rawPath = (q < 0 ? target : target.slice(0, q)).replace(/^\/+/, '/');
  return { rawPath, query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
}

function routeOf(target: string | undefined): Route {
  const p = (target ?? '').split('?', 1)[0]!.replace(/^\/+/, '/');
  return p.startsWith('/api/') ? 'api' : p === '/events' ? 'events' : 'page';
}

function decodePath(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `malformed percent-escape in ${JSON.stringify(raw.slice(0, 200))}`);
  }
  if (decoded.includes('\0')) throw new HttpError(400, 'the path contains a NUL byte');
  return decoded;
}

function apiStatus(code: ApiErrorCode): number {
  switch (code) {
    case 'BAD_REQUEST':
    case 'UNKNOWN_CHANNEL':
      return 400;
    case 'NOT_FOUND':
      return 404;
    case 'INTERNAL':
      return 500;
    default:
      return 422;
  }
}

function errorCodeFor(status: number): ApiErrorCode {
  return status === 401 || status === 403 ? 'UNAUTHORIZED' : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
}

const JSON_HEADERS: http.OutgoingHttpHeaders = { ...COMMON_HEADERS, 'content-type': 'application/json; charset=utf-8' };

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: ApiResult<unknown>,
  extra: http.OutgoingHttpHeaders = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

function sendText(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  contentType: string,
  text: string,
  extra: http.OutgoingHttpHeaders = {},
): void {
  const headers = {
    ...COMMON_HEADERS,
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    ...extra,
  };
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** Answer a failure in the form the route speaks: JSON for /api, the login page for a missing token, else text. */
function sendError(req: http.IncomingMessage, res: http.ServerResponse, route: Route, e: unknown): void {
  const err = e instanceof HttpError ? e : null;
  if (!err) console.error('[host]', req.method, (req.url ?? '').slice(0, 200), e);
  const status = err?.status ?? 500;
  const message = err?.message ?? 'internal error (see the host log)';
  if (res.headersSent) return void res.destroy();
  // a body left unread is read and dropped by Node once the answer is sent (within the request timeout)
  const extra = err?.headers ?? {};
  if (route === 'api')
    return sendJson(res, status, { ok: false, error: { code: errorCodeFor(status), message } }, extra);
  if (status === 401)
    return sendText(req, res, 401, 'text/html; charset=utf-8', LOGIN_PAGE, {
      'content-security-policy': CONTENT_SECURITY_POLICY,
      ...extra,
    });
  sendText(req, res, status, 'text/plain; charset=utf-8', message + '\n', extra);
}

/** The body, or why there is none: over `limit` bytes, or the client went away first. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (v: Buffer | 'too large' | 'aborted') => {
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      resolve(v);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) done('too large');
      else chunks.push(c);
    };
    const onEnd = () => done(Buffer.concat(chunks));
    const onClose = () => done('aborted');
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
  });
}

export async function startHost(engine: Engine, opts: HostOptions): Promise<Host> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const timeouts: HostTimeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const rendererDir = path.resolve(opts.rendererDir);
  const indexFile = path.join(rendererDir, 'index.html');
  const sseClients = new Set<http.ServerResponse>();
  /** the response in progress on each connection, so a parse error does not write into it */
  const answering = new WeakMap<Duplex, http.ServerResponse>();
  let port = 0;
  let cookieName = '';

  const onEvent = (name: string, payload: unknown) => {
    const data = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const c of sseClients) c.write(data);
  };
  engine.events.on('event', onEvent);

  const server = http.createServer({
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    // how often the two timeouts above are checked (Node's default, 30 s, would let them overrun by that much)
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(timeouts.headersMs / 4))),
  });

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    answering.set(req.socket, res);
    const route = routeOf(req.url);
    handle(req, res, route).catch((e: unknown) => {
      try {
        sendError(req, res, route, e);
      } catch (e2) {
        console.error('[host] could not answer', e2);
        res.destroy();
      }
    });
  });

  // requests the HTTP parser rejects (bad request line, oversized or malformed headers, bad chunking, timeouts)
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const inProgress = answering.get(socket);
    if (err.code === 'ECONNRESET' || !socket.writable || (inProgress?.headersSent && !inProgress.writableFinished))
      return void socket.destroy();
    const text = `${http.STATUS_CODES[status]}: ${status === 431 ? `request headers over ${MAX_HEADER_BYTES} bytes` : status === 408 ? 'the request took too long to arrive' : 'malformed HTTP request'}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
      () => socket.destroy(),
    );
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, route: Route): Promise<void> {
    const host = header(req, 'host');
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
      throw new HttpError(403, `this host answers to 127.0.0.1:${port} or localhost:${port} only`);
    const origin = header(req, 'origin');
    if (origin !== undefined && origin !== `http://${host}`)
      throw new HttpError(403, `requests from ${origin.slice(0, 200)} are not allowed`);
    const { rawPath, query } = splitTarget(req.url ?? '');
    if (route !== 'page') {
      const site = header(req, 'sec-fetch-site');
      if (site === 'cross-site' || site === 'same-site')
        throw new HttpError(403, 'requests from other sites are not allowed');
    }
    const fromCookie = cookieValues(req, cookieName).some((v) => sameToken(v, token));
    const fromHeader = sameToken(header(req, 'x-hdrl-token'), token);

    if (route === 'api') {
      if (req.method !== 'POST') throw new HttpError(405, 'use POST', { allow: 'POST' });
      if (!fromHeader && !fromCookie) throw new HttpError(401, `missing or wrong token. ${LOGIN_HELP}`);
      if (!fromHeader && header(req, REQUEST_HEADER) !== '1')
        throw new HttpError(403, `a browser call must carry the header ${REQUEST_HEADER}: 1`);
      return handleApi(req, res, decodePath(rawPath.slice('/api/'.length)));
    }
    if (route === 'events') {
      if (req.method !== 'GET') throw new HttpError(405, 'use GET', { allow: 'GET' });
      if (!fromHeader && !fromCookie && !sameToken(query.get('token'), token))
        throw new HttpError(401, 'missing or wrong token');
      return handleEvents(req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpError(405, `${String(req.method)} is not allowed here; use GET or HEAD`, { allow: 'GET, HEAD' });
    if (query.has('token')) {
      if (!sameToken(query.get('token'), token)) throw new HttpError(401, 'wrong token');
      return login(req, res, rawPath, query);
    }
    if (!fromHeader && !fromCookie) throw new HttpError(401, 'missing token');
    return servePage(req, res, decodePath(rawPath));
  }

  /** Trade the token in the URL for the session cookie and send the browser to the same URL without it. */
  function login(req: http.IncomingMessage, res: http.ServerResponse, rawPath: string, query: URLSearchParams): void {
    query.delete('token');
    const rest = query.toString();
    // one leading slash and no backslash, so the target can never be read as another host (`//evil`, `/\evil`)
    let location = '/' + rawPath.replace(/^[/\\]+/, '') + (rest ? `?${rest}` : '');
    if (!/^[\x21-\x7e]+$/.test(location) || location.includes('\\')) location = '/';
    sendText(req, res, 303, 'text/plain; charset=utf-8', `signed in; continue at ${location}\n`, {
      location,
      'set-cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    });
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, channel: string): Promise<void> {
    const type = (header(req, 'content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
    if (type !== 'application/json')
      throw new HttpError(
        415,
        `send the body as application/json (got ${JSON.stringify(type.slice(0, 100) || 'no content type')})`,
      );
    const declared = Number(header(req, 'content-length'));
    if (declared > MAX_REQUEST_BYTES) return refuseTooLarge(req, res);
    const body = await readBody(req, MAX_REQUEST_BYTES);
    if (body === 'aborted') return void res.destroy();
    if (body === 'too large') return refuseTooLarge(req, res);
    let payload: unknown;
    try {
      payload = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      throw new HttpError(400, 'the body is not JSON');
    }
    const r = await dispatch(engine, channel, payload, { shell: 'host' });
    sendJson(res, r.ok ? 200 : apiStatus(r.error.code), r);
  }

  /**
   * A 413 the client can read. Closing a socket while its input is unread makes the kernel reset the connection,
   * which can destroy the answer before the client reads it; so the answer goes out at once, the rest of the body
   * is read and dropped (never kept), and the connection closes when the body ends, the client leaves, or after
   * lingerMs at most.
   */
  function refuseTooLarge(req: http.IncomingMessage, res: http.ServerResponse): void {
    const text = JSON.stringify({
      ok: false,
      error: { code: 'BAD_REQUEST', message: `the request body is larger than ${MAX_REQUEST_BYTES} bytes` },
    } satisfies ApiResult<never>);
    res.writeHead(413, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text), connection: 'close' });
    res.write(text);
    if (req.complete) return void res.end();
    const timer = setTimeout(() => req.socket.destroy(), timeouts.lingerMs);
    const finish = () => {
      clearTimeout(timer);
      res.end();
    };
    req
      .once('end', finish)
      .once('close', finish)
      .on('error', () => {});
    req.resume();
  }

  function handleEvents(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { ...COMMON_HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
    res.write(': connected\n\n');
    sseClients.add(res);
    req.on('close', () => sseClients.delete(res));
  }

  async function fileSize(file: string): Promise<number | null> {
    try {
      const st = await fs.promises.stat(file);
      return st.isFile() ? st.size : null;
    } catch {
      return null;
    }
  }

  async function servePage(req: http.IncomingMessage, res: http.ServerResponse, decodedPath: string): Promise<void> {
    let file = path.resolve(rendererDir, decodedPath.replace(/^[/\\]+/, '') || 'index.html');
    if (!file.startsWith(rendererDir + path.sep) && file !== rendererDir)
      throw new HttpError(403, 'outside the app folder');
    let size = await fileSize(file);
    if (size === null) {
      file = indexFile; // history-mode routes
      size = await fileSize(file);
    }
    if (size === null) throw new HttpError(503, 'The renderer is not built. Run `npm run build` first.');
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      'content-security-policy': CONTENT_SECURITY_POLICY,
    });
    if (req.method === 'HEAD') return void res.end();
    pipeline(fs.createReadStream(file), res, (err) => {
      if (err && !res.destroyed) res.destroy();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  // cookies are shared by every port of a host name: one name per port keeps two hosts from overwriting each other
  cookieName = `hdrl-session-${port}`;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    loginUrl: `${url}?token=${token}`,
    port,
    token,
    async close() {
      engine.events.off('event', onEvent);
      for (const c of sseClients) c.end();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeIdleConnections();
      });
    },
  };
}
