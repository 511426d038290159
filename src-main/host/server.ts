/**
 * The headless host: the same services as the Electron IPC bridge, over HTTP + server-sent events, for running
 * the full app in any local browser and for the end-to-end tests.
 *
 * Security: binds to 127.0.0.1 only; a random token is made at each start and given to the served page in a
 * <meta> tag; every API call must carry it (header X-HDRL-Token, or ?token= for the event stream); the Host
 * header must name this loopback address (no DNS rebinding); bodies over MAX_REQUEST_BYTES are refused; the
 * page is served with the same strict Content-Security-Policy as the desktop window.
 */
import http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { MAX_REQUEST_BYTES, type ApiResult } from '../../src-shared/contract';
import type { Engine } from '../engine';
import { dispatch } from '../services';
import { CONTENT_SECURITY_POLICY } from '../electron/security';

export interface HostOptions {
  port?: number;
  /** folder of the built renderer (out/renderer) */
  rendererDir: string;
  token?: string;
}

export interface Host {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

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

function sameToken(a: string | undefined | null, token: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(token);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sendJson(res: http.ServerResponse, status: number, body: ApiResult<unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

export async function startHost(engine: Engine, opts: HostOptions): Promise<Host> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const rendererDir = path.resolve(opts.rendererDir);
  const indexFile = path.join(rendererDir, 'index.html');
  const sseClients = new Set<http.ServerResponse>();
  let port = 0;

  const onEvent = (name: string, payload: unknown) => {
    const data = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const c of sseClients) c.write(data);
  };
  engine.events.on('event', onEvent);

  const server = http.createServer((req, res) => {
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      res.writeHead(403).end('forbidden host');
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname.startsWith('/api/')) return handleApi(req, res, url);
    if (url.pathname === '/events') return handleEvents(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    return serveStatic(res, url.pathname);
  });

  function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { code: 'BAD_REQUEST', message: 'use POST' } });
    if (!sameToken(req.headers['x-hdrl-token'] as string | undefined, token)) {
      req.resume();
      return sendJson(res, 401, { ok: false, error: { code: 'UNAUTHORIZED', message: 'missing or wrong token' } });
    }
    const channel = decodeURIComponent(url.pathname.slice('/api/'.length));
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        tooBig = true;
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('close', () => {
      if (tooBig && !res.headersSent) sendJson(res, 413, { ok: false, error: { code: 'BAD_REQUEST', message: `request larger than ${MAX_REQUEST_BYTES} bytes` } });
    });
    req.on('end', () => {
      if (tooBig) return;
      let payload: unknown;
      try {
        payload = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        return sendJson(res, 400, { ok: false, error: { code: 'BAD_REQUEST', message: 'the body is not JSON' } });
      }
      void dispatch(engine, channel, payload, { shell: 'host' }).then((r) => {
        const status = r.ok ? 200 : r.error.code === 'BAD_REQUEST' || r.error.code === 'UNKNOWN_CHANNEL' ? 400 : r.error.code === 'NOT_FOUND' ? 404 : r.error.code === 'INTERNAL' ? 500 : 422;
        sendJson(res, status, r);
      });
    });
  }

  function handleEvents(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (!sameToken(url.searchParams.get('token'), token)) return void res.writeHead(401).end('missing or wrong token');
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    sseClients.add(res);
    req.on('close', () => sseClients.delete(res));
  }

  function serveStatic(res: http.ServerResponse, pathname: string): void {
    const rel = decodeURIComponent(pathname).replace(/^\/+/, '');
    let file = path.resolve(rendererDir, rel || 'index.html');
    if (!file.startsWith(rendererDir + path.sep) && file !== rendererDir) return void res.writeHead(403).end();
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = indexFile; // history-mode routes
    if (!fs.existsSync(file)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('The renderer is not built. Run `npm run build` first.');
    }
    const headers: http.OutgoingHttpHeaders = {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    };
    if (file === indexFile) {
      const html = fs.readFileSync(file, 'utf8').replace('</head>', `<meta name="hdrl-token" content="${token}"></head>`);
      res.writeHead(200, headers);
      return void res.end(html);
    }
    res.writeHead(200, headers);
    fs.createReadStream(file).pipe(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    token,
    async close() {
      engine.events.off('event', onEvent);
      for (const c of sseClients) c.end();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
