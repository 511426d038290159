/**
 * The `app://desk/` protocol that serves the desktop window its page (the built renderer, out/renderer) instead
 * of `file:` URLs, so that the window trusts one origin and nothing else on the disk (security.ts
 * isAllowedAppUrl). Plain functions over the fetch API's Request/Response, no Electron import: main.ts registers
 * the scheme as privileged and hands appProtocolHandler to protocol.handle; the tests call it directly.
 *
 * Only regular files inside the renderer folder are served — after decoding the path and after resolving
 * symbolic links — with their content type, the app's CSP and nosniff; everything else is a 404.
 */
import fs from 'node:fs';
import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './security';

/** What main.ts passes to protocol.registerSchemesAsPrivileged: a standard, secure origin for the app's page. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
} as const;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

const inside = (file: string, root: string) => file === root || file.startsWith(root + path.sep);

/**
 * The file under `root` that an `app://desk/...` URL names (`/` is index.html), or undefined for another origin,
 * a malformed escape, a NUL or backslash, or a path that leaves `root` (`..`, also percent-encoded).
 */
export function appFilePath(root: string, url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST || u.username || u.password) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return undefined;
  }
  if (rel.includes('\0') || rel.includes('\\')) return undefined;
  if (rel === '/' || rel === '') rel = '/index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, `.${rel}`);
  return inside(file, base) && file !== base ? file : undefined;
}

/** The protocol.handle handler serving `root` (see the file header). */
export function appProtocolHandler(
  root: string,
  csp: string,
): (request: { url: string; method?: string }) => Promise<Response> {
  const notFound = () =>
    new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return async (request) => {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    const file = appFilePath(root, request.url);
    if (!file) return notFound();
    try {
      const [real, realRoot] = await Promise.all([fs.promises.realpath(file), fs.promises.realpath(root)]);
      if (!inside(real, realRoot)) return notFound();
      const st = await fs.promises.stat(real);
      if (!st.isFile()) return notFound();
      const headers = {
        'Content-Type': CONTENT_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
      };
      return new Response(method === 'HEAD' ? null : await fs.promises.readFile(real), { status: 200, headers });
    } catch {
      return notFound();
    }
  };
}
