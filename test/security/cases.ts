/**
 * Every case of the security suite, in one place: hostile requests to the headless host (sent as raw bytes over a
 * socket), hostile calls of the service dispatcher as the browser would make them (host caller), hostile command
 * lines, and the malformed files of files.ts, which all go through the browser's upload (dispatch), and those
 * marked `cli` through `hdrl import` too. Each case says what "rejected cleanly" means for it; harness.ts runs them and also
 * checks, for every case, that nothing crashed and that no stored data changed.
 */
import { FILE_CASES, type FileCase } from './files';

export { FILE_CASES, type FileCase };

export type Surface = 'host' | 'dispatch' | 'cli';

export const SURFACES: { id: Surface; title: string }[] = [
  { id: 'host', title: 'Headless host over HTTP (raw sockets)' },
  { id: 'dispatch', title: 'Service dispatch as the browser (host caller)' },
  { id: 'cli', title: 'Command line (`hdrl`)' },
];

// ---------------------------------------------------------------------------------------------------------
// The headless host

/** The running host a case talks to, and the secrets it must never hand out. */
export interface HostTarget {
  port: number;
  token: string;
  /** text of a file next to (outside) the served folder; no answer may contain it */
  secretMarker: string;
}

/** An answer as read from the socket (status null: the connection closed without an HTTP answer). */
export interface HttpReply {
  status: number | null;
  headers: Record<string, string>;
  body: string;
  /** everything received, head and body */
  raw: string;
  /** the socket error, if one ended the exchange */
  error?: string;
}

export interface HttpCase {
  surface: 'host';
  id: string;
  title: string;
  /** what the host must answer, in words */
  expect: string;
  /** the bytes to send, in pieces (the harness then waits for the host to close the connection) */
  send(h: HostTarget): { chunks: (string | Buffer)[] };
  /** null when the answer is the clean rejection the case expects, else why not */
  judge(r: HttpReply, h: HostTarget): string | null;
}

/** A stack trace line, in any answer or output. */
export const TRACE = /^\s+at\s.+:\d+:\d+\)?\s*$/m;

/** The text a person would read: the error message of a JSON answer, else the body. */
export function messageOf(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: unknown } };
    if (j && typeof j.error?.message === 'string') return j.error.message;
  } catch {
    // not JSON: the body is the message
  }
  return body;
}

/**
 * Nothing secret in an answer: no token where a page, a script or a log could read it (an HttpOnly session cookie
 * may carry it: that is the credential the login link hands over), not the file outside the served folder, no
 * stack trace.
 */
function leaks(r: HttpReply, h: HostTarget): string | null {
  const readable = r.raw
    .split('\r\n')
    .filter((l) => !/^set-cookie:.*;\s*httponly/i.test(l))
    .join('\r\n');
  if (readable.includes(h.token)) return 'the answer carries the token';
  if (r.raw.includes(h.secretMarker)) return 'the answer carries the file outside the served folder';
  if (r.raw.includes('root:x:0:0')) return 'the answer carries /etc/passwd';
  if (TRACE.test(r.body)) return 'the answer carries a stack trace';
  return null;
}

/** A refusal with one of `statuses` (or any 4xx) and a message a person can read, leaking nothing. */
export function refused(statuses: number[] | '4xx') {
  return (r: HttpReply, h: HostTarget): string | null => {
    if (r.status === null) return `no HTTP answer (${r.error ?? 'the connection closed'})`;
    const ok = statuses === '4xx' ? r.status >= 400 && r.status < 500 : statuses.includes(r.status);
    if (!ok) return `status ${r.status}, expected ${statuses === '4xx' ? 'a 4xx' : statuses.join(' or ')}`;
    const msg = messageOf(r.body).trim();
    if (!msg) return `status ${r.status} without a message`;
    if (msg.length > 4000) return `a message of ${msg.length} characters`;
    return leaks(r, h);
  };
}

/** Any answer is fine as long as it leaks nothing (token, file outside the served folder, trace). */
function answersWithoutLeak(r: HttpReply, h: HostTarget): string | null {
  if (r.status === null) return `no HTTP answer (${r.error ?? 'the connection closed'})`;
  if (r.status >= 500) return `status ${r.status}`;
  return leaks(r, h);
}

interface RequestOptions {
  /** extra headers; null removes a default one (host, x-hdrl-token, connection) */
  headers?: Record<string, string | null>;
  body?: string | Buffer;
  /** send the token header (default true) */
  token?: boolean;
}

/** A request's bytes: the request line, the usual headers of a script client with the token, and the body. */
export function request(h: HostTarget, method: string, target: string, o: RequestOptions = {}): Buffer {
  const headers: Record<string, string | null> = {
    host: `127.0.0.1:${h.port}`,
    connection: 'close',
    ...(o.token === false ? {} : { 'x-hdrl-token': h.token }),
  };
  if (o.body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(o.body));
  }
  Object.assign(headers, o.headers ?? {});
  const head =
    [
      `${method} ${target} HTTP/1.1`,
      ...Object.entries(headers)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k}: ${v}`),
    ].join('\r\n') + '\r\n\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), o.body === undefined ? Buffer.alloc(0) : Buffer.from(o.body)]);
}

const api = (h: HostTarget, channel: string, body: string | Buffer, o: RequestOptions = {}) =>
  request(h, 'POST', `/api/${channel}`, { ...o, body });
const one = (b: Buffer | string) => ({ chunks: [b] });

const http = (
  id: string,
  title: string,
  expect: string,
  send: HttpCase['send'],
  judge: HttpCase['judge'],
): HttpCase => ({ surface: 'host', id, title, expect, send, judge });

/** Over MAX_REQUEST_BYTES (6 MB). */
const SEVEN_MB = 7_000_000;

export const HTTP_CASES: HttpCase[] = [
  // malformed URLs and request lines
  http('url-percent', 'GET /%', '400 with a message', (h) => one(request(h, 'GET', '/%')), refused([400])),
  http(
    'url-bad-utf8',
    'GET /%E0%A4%A (a cut UTF-8 sequence)',
    '400 with a message',
    (h) => one(request(h, 'GET', '/%E0%A4%A')),
    refused([400]),
  ),
  http(
    'url-absolute-broken',
    'GET http://[/ HTTP/1.1 (an absolute URL that does not parse)',
    '400 with a message',
    (h) => one(request(h, 'GET', 'http://[/')),
    refused([400]),
  ),
  http('url-api-percent', 'POST /api/%', '400 with a message', (h) => one(api(h, '%', '{}')), refused([400])),
  http('url-api-bad-escape', 'POST /api/%ZZ', '400 with a message', (h) => one(api(h, '%ZZ', '{}')), refused([400])),
  http(
    'url-api-nul',
    'POST /api/jobs.list%00',
    'a 4xx with a message',
    (h) => one(api(h, 'jobs.list%00', '{}')),
    refused('4xx'),
  ),
  http(
    'url-nul-byte',
    'a raw NUL byte in the request target',
    'a 4xx with a message',
    (h) => one(request(h, 'GET', '/\u0000')),
    refused('4xx'),
  ),
  http(
    'url-garbage-line',
    'a request line that is not HTTP',
    'a 4xx with a message',
    () => one('HELLO THERE\r\n\r\n'),
    refused('4xx'),
  ),
  http(
    'url-asterisk',
    'OPTIONS * (the asterisk form)',
    'a 4xx with a message',
    (h) => one(request(h, 'OPTIONS', '*')),
    refused('4xx'),
  ),
  // path traversal out of the served folder
  http(
    'path-dotdot',
    'GET /../secret.txt (raw, not normalised)',
    'the file outside the served folder is never sent',
    (h) => one(request(h, 'GET', '/../secret.txt')),
    answersWithoutLeak,
  ),
  http(
    'path-encoded-slash',
    'GET /..%2fsecret.txt',
    'the file outside the served folder is never sent',
    (h) => one(request(h, 'GET', '/..%2fsecret.txt')),
    answersWithoutLeak,
  ),
  http(
    'path-encoded-dots',
    'GET /%2e%2e/%2e%2e/etc/passwd',
    '/etc/passwd is never sent',
    (h) => one(request(h, 'GET', '/%2e%2e/%2e%2e/etc/passwd')),
    answersWithoutLeak,
  ),
  http(
    'path-backslash',
    'GET /..%5csecret.txt',
    'the file outside the served folder is never sent',
    (h) => one(request(h, 'GET', '/..%5csecret.txt')),
    answersWithoutLeak,
  ),
  http(
    'path-absolute',
    'GET //etc/passwd',
    '/etc/passwd is never sent',
    (h) => one(request(h, 'GET', '//etc/passwd')),
    answersWithoutLeak,
  ),
  // authentication and the token
  http(
    'auth-api-no-token',
    'an API call without the token',
    '401 with a message',
    (h) => one(api(h, 'jobs.list', '{}', { token: false })),
    refused([401]),
  ),
  http(
    'auth-api-wrong-token',
    'an API call with a wrong token of the right length',
    '401 with a message',
    (h) => one(api(h, 'jobs.list', '{}', { headers: { 'x-hdrl-token': 'f'.repeat(h.token.length) } })),
    refused([401]),
  ),
  http(
    'auth-api-short-token',
    'an API call with a one-character token',
    '401 with a message',
    (h) => one(api(h, 'jobs.list', '{}', { headers: { 'x-hdrl-token': 'x' } })),
    refused([401]),
  ),
  http(
    'auth-api-token-twice',
    'an API call with the token header sent twice (right, then wrong)',
    'a 4xx with a message',
    (h) => one(request(h, 'POST', '/api/jobs.list', { body: '{}', headers: { 'X-HDRL-Token': 'wrong' } })),
    refused('4xx'),
  ),
  http(
    'auth-events-no-token',
    'the event stream without the token',
    '401 with a message',
    (h) => one(request(h, 'GET', '/events', { token: false })),
    refused([401]),
  ),
  http(
    'auth-events-wrong-token',
    'the event stream with ?token=wrong',
    '401 with a message',
    (h) => one(request(h, 'GET', '/events?token=wrong', { token: false })),
    refused([401]),
  ),
  http(
    'auth-page-no-token',
    'the page without the token or a session',
    '401 with a message, without the token',
    (h) => one(request(h, 'GET', '/', { token: false })),
    refused([401]),
  ),
  http(
    'auth-asset-no-token',
    'a script of the page without the token or a session',
    '401 with a message',
    (h) => one(request(h, 'GET', '/assets/app.js', { token: false })),
    refused([401]),
  ),
  http(
    'leak-page',
    'the page, asked for with the token header',
    'the page does not carry the token',
    (h) => one(request(h, 'GET', '/')),
    answersWithoutLeak,
  ),
  http(
    'leak-login-link',
    'the login link /?token=... (no session yet)',
    'the answer (a redirect) does not repeat the token',
    (h) => one(request(h, 'GET', `/?token=${h.token}`, { token: false })),
    answersWithoutLeak,
  ),
  http(
    'leak-wrong-login-link',
    'a login link with a wrong token',
    '401 with a message',
    (h) => one(request(h, 'GET', '/?token=wrong', { token: false })),
    refused([401]),
  ),
  // Host header (DNS rebinding)
  http(
    'host-foreign',
    'Host: evil.example',
    '403 with a message',
    (h) => one(api(h, 'jobs.list', '{}', { headers: { host: 'evil.example' } })),
    refused([403]),
  ),
  http(
    'host-suffix',
    'Host: 127.0.0.1:PORT.evil.example',
    '403 with a message',
    (h) => one(api(h, 'jobs.list', '{}', { headers: { host: `127.0.0.1:${h.port}.evil.example` } })),
    refused([403]),
  ),
  http(
    'host-other-port',
    'Host: localhost on another port',
    '403 with a message',
    (h) => one(api(h, 'jobs.list', '{}', { headers: { host: `localhost:${h.port === 1 ? 2 : h.port - 1}` } })),
    refused([403]),
  ),
  http(
    'host-missing',
    'no Host header (HTTP/1.0)',
    'a 4xx with a message',
    (h) => one(Buffer.from(`POST /api/jobs.list HTTP/1.0\r\nx-hdrl-token: ${h.token}\r\ncontent-length: 2\r\n\r\n{}`)),
    refused('4xx'),
  ),
  // sizes
  http(
    'size-body-7mb',
    'a 7 MB body with its Content-Length',
    '413 with a message',
    (h) => one(api(h, 'jobs.get', Buffer.alloc(SEVEN_MB, 0x20))),
    refused([413]),
  ),
  http(
    'size-body-chunked',
    'a chunked body that grows past 6 MB',
    '413 with a message',
    (h) => {
      const head = request(h, 'POST', '/api/jobs.get', {
        headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/json' },
      });
      const chunk = Buffer.alloc(1_000_000, 0x20);
      const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
      return { chunks: [head, ...Array(7).fill(framed), '0\r\n\r\n'] };
    },
    refused([413]),
  ),
  http(
    'size-declared-huge',
    'Content-Length: 99999999999 with a small body',
    '413 with a message',
    (h) =>
      one(
        request(h, 'POST', '/api/jobs.list', {
          headers: { 'content-length': '99999999999', 'content-type': 'application/json' },
        }),
      ),
    refused([413]),
  ),
  http(
    'size-header-64kb',
    'a 64 KB header',
    '431 with a message',
    (h) => one(request(h, 'GET', '/', { headers: { 'x-filler': 'a'.repeat(65_536) } })),
    refused([431]),
  ),
  http(
    'size-upload-over-limit',
    'data.previewImportText with 5.5 million characters (under 6 MB)',
    '400 with a message',
    (h) =>
      one(
        api(h, 'data.previewImportText', JSON.stringify({ name: 'a.csv', universe: 'u', text: 'x'.repeat(5_500_000) })),
      ),
    refused([400]),
  ),
  http(
    'slow-headers',
    'headers that never end (a slow client)',
    'a 408 or the connection closed, and the host goes on serving',
    (h) => ({ chunks: [`GET / HTTP/1.1\r\nhost: 127.0.0.1:${h.port}\r\nx-slow: `] }),
    (r, h) => (r.status === null ? null : refused([408])(r, h)),
  ),
  // HTTP framing
  http(
    'frame-cl-and-te',
    'both Content-Length and Transfer-Encoding (request smuggling)',
    'a 4xx with a message',
    (h) =>
      one(
        request(h, 'POST', '/api/jobs.list', {
          headers: { 'content-length': '2', 'transfer-encoding': 'chunked', 'content-type': 'application/json' },
        }),
      ),
    refused('4xx'),
  ),
  http(
    'frame-bad-chunk',
    'a chunk size that is not hexadecimal',
    'a 4xx with a message',
    (h) => ({
      chunks: [
        request(h, 'POST', '/api/jobs.list', {
          headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/json' },
        }),
        'zz\r\n{}\r\n0\r\n\r\n',
      ],
    }),
    refused('4xx'),
  ),
  http(
    'frame-bad-header',
    'a header name with a space',
    'a 4xx with a message',
    (h) => one(request(h, 'GET', '/', { headers: { 'bad header': 'x' } })),
    refused('4xx'),
  ),
  // API bodies and channels
  http(
    'api-not-json',
    'a body that is not JSON',
    '400 with a message',
    (h) => one(api(h, 'jobs.get', '{not json')),
    refused([400]),
  ),
  http('api-null', 'a body of null', '400 with a message', (h) => one(api(h, 'jobs.get', 'null')), refused([400])),
  http(
    'api-array',
    'a body that is an array',
    '400 with a message',
    (h) => one(api(h, 'jobs.get', '[1,2]')),
    refused([400]),
  ),
  http(
    'api-proto',
    'a body with __proto__ (prototype pollution)',
    '400 with a message',
    (h) => one(api(h, 'jobs.get', '{"__proto__":{"id":"x","polluted":true}}')),
    refused([400]),
  ),
  http(
    'api-deep-nesting',
    'a body nested 200,000 arrays deep',
    '400 with a message',
    (h) => one(api(h, 'jobs.get', '['.repeat(200_000) + ']'.repeat(200_000))),
    refused([400]),
  ),
  http(
    'api-unknown-channel',
    'an unknown channel',
    '400 with a message',
    (h) => one(api(h, 'nope.nope', '{}')),
    refused([400]),
  ),
  http(
    'api-proto-channel',
    'the channel __proto__',
    '400 with a message',
    (h) => one(api(h, '__proto__', '{}')),
    refused([400]),
  ),
  http(
    'api-constructor-channel',
    'the channel constructor',
    '400 with a message',
    (h) => one(api(h, 'constructor', '{}')),
    refused([400]),
  ),
  http(
    'api-long-channel',
    'a channel name of 10,000 characters',
    '400 with a short message',
    (h) => one(api(h, 'x'.repeat(10_000), '{}')),
    refused([400]),
  ),
  http(
    'api-get',
    'GET on an API channel',
    '405 with a message',
    (h) => one(request(h, 'GET', '/api/jobs.list')),
    refused([405]),
  ),
  http(
    'api-delete',
    'DELETE on an API channel',
    '405 with a message',
    (h) => one(request(h, 'DELETE', '/api/jobs.list')),
    refused([405]),
  ),
  http(
    'api-preflight',
    'a CORS preflight from another origin',
    'no CORS grant',
    (h) =>
      one(
        request(h, 'OPTIONS', '/api/jobs.list', {
          token: false,
          headers: {
            origin: 'http://evil.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'x-hdrl-token',
          },
        }),
      ),
    (r, h) =>
      r.headers['access-control-allow-origin']
        ? `grants CORS to ${r.headers['access-control-allow-origin']}`
        : refused('4xx')(r, h),
  ),
  http(
    'api-outside-path',
    'data.previewImport of /etc/passwd over HTTP',
    'a 4xx with a message (the browser may only name its uploads)',
    (h) => one(api(h, 'data.previewImport', JSON.stringify({ paths: ['/etc/passwd'], universe: 'u' }))),
    refused('4xx'),
  ),
  http(
    'api-commit-outside-path',
    'data.commitImport of /etc/passwd over HTTP',
    'a 4xx with a message, no job started',
    (h) => one(api(h, 'data.commitImport', JSON.stringify({ paths: ['/etc/passwd'], universe: 'u' }))),
    refused('4xx'),
  ),
];

// ---------------------------------------------------------------------------------------------------------
// The dispatcher, called as the browser (host caller)

/** Paths and files the dispatch and CLI cases point at (made by the harness in a temporary folder). */
export interface Fixtures {
  tmp: string;
  /** a regular file outside every upload folder, with `secretMarker` inside */
  secret: string;
  secretMarker: string;
  fifo: string;
  dir: string;
  /** a valid price file */
  valid: string;
  /** the engine's uploads folder (dispatch cases) and a real upload in it */
  uploads: string;
  uploaded: string;
  /** a link inside the uploads folder that points at `secret` */
  uploadLink: string;
}

export interface DispatchCase {
  surface: 'dispatch';
  id: string;
  title: string;
  expect: string;
  channel: string;
  payload(f: Fixtures): unknown;
}

const call = (id: string, title: string, channel: string, payload: DispatchCase['payload']): DispatchCase => ({
  surface: 'dispatch',
  id,
  title,
  expect: 'an error (not INTERNAL) with a message, no file read',
  channel,
  payload,
});

export const DISPATCH_CASES: DispatchCase[] = [
  call('path-etc-passwd', 'preview /etc/passwd', 'data.previewImport', () => ({
    paths: ['/etc/passwd'],
    universe: 'u',
  })),
  call('path-outside-uploads', 'preview a readable CSV outside the uploads folder', 'data.previewImport', (f) => ({
    paths: [f.secret],
    universe: 'u',
  })),
  call(
    'path-traversal',
    'preview uploads/<id>/../../../secret (a path under the uploads folder that leaves it)',
    'data.previewImport',
    (f) => ({ paths: [`${f.uploads}/x/../../../${f.secret.split('/').pop()}`], universe: 'u' }),
  ),
  call(
    'path-symlink-in-uploads',
    'preview a link inside the uploads folder pointing outside it',
    'data.previewImport',
    (f) => ({ paths: [f.uploadLink], universe: 'u' }),
  ),
  call('path-fifo', 'preview a FIFO', 'data.previewImport', (f) => ({ paths: [f.fifo], universe: 'u' })),
  call('path-dev-zero', 'preview /dev/zero', 'data.previewImport', () => ({ paths: ['/dev/zero'], universe: 'u' })),
  call('path-directory', 'preview the uploads folder itself', 'data.previewImport', (f) => ({
    paths: [f.uploads],
    universe: 'u',
  })),
  call('path-upload-plus-outside', 'preview an upload together with a file outside', 'data.previewImport', (f) => ({
    paths: [f.uploaded, f.secret],
    universe: 'u',
  })),
  call('meta-outside', 'preview an upload with /etc/passwd as its meta file', 'data.previewImport', (f) => ({
    paths: [f.uploaded],
    universe: 'u',
    meta: '/etc/passwd',
  })),
  call('meta-dev-zero', 'preview an upload with /dev/zero as its meta file', 'data.previewImport', (f) => ({
    paths: [f.uploaded],
    universe: 'u',
    meta: '/dev/zero',
  })),
  call('meta-fifo', 'preview an upload with a FIFO as its meta file', 'data.previewImport', (f) => ({
    paths: [f.uploaded],
    universe: 'u',
    meta: f.fifo,
  })),
  call('commit-etc-passwd', 'commit an import of /etc/passwd', 'data.commitImport', () => ({
    paths: ['/etc/passwd'],
    universe: 'u',
  })),
  call('commit-outside-uploads', 'commit an import of a CSV outside the uploads folder', 'data.commitImport', (f) => ({
    paths: [f.secret],
    universe: 'u',
  })),
  call(
    'commit-symlink-in-uploads',
    'commit an import of the link inside the uploads folder',
    'data.commitImport',
    (f) => ({ paths: [f.uploadLink], universe: 'u' }),
  ),
  call(
    'commit-meta-outside',
    'commit an upload with a meta file outside the uploads folder',
    'data.commitImport',
    (f) => ({ paths: [f.uploaded], universe: 'u', meta: f.secret }),
  ),
  call('upload-over-limit', 'upload 5,000,001 characters', 'data.previewImportText', () => ({
    name: 'big.csv',
    universe: 'u',
    text: 'x'.repeat(5_000_001),
  })),
  call('upload-bad-universe', 'upload into a universe named "!!!"', 'data.previewImportText', () => ({
    name: 'a.csv',
    universe: '!!!',
    text: 'date,ZQA\n2021-01-04,1\n',
  })),
  call('jobs-traversal-id', 'jobs.get with the id ../../etc', 'jobs.get', () => ({ id: '../../etc' })),
  call('prices-unknown-universe', 'data.prices of a universe that does not exist', 'data.prices', () => ({
    universe: 'no-such-universe',
  })),
  call('prices-unknown-ticker', 'data.prices of a ticker that is not a member', 'data.prices', () => ({
    universe: 'djia30',
    tickers: ['<script>'],
  })),
  // the news import and the FinBERT scorer (issue 19) read user files through the same path checks as prices
  call('news-etc-passwd', 'preview /etc/passwd as news', 'news.previewImport', () => ({
    path: '/etc/passwd',
    universe: 'djia30',
  })),
  call(
    'news-outside-uploads',
    'preview a readable CSV outside the uploads folder as news',
    'news.previewImport',
    (f) => ({
      path: f.secret,
      universe: 'djia30',
    }),
  ),
  call('news-traversal', 'preview news at uploads/<id>/../../../secret', 'news.previewImport', (f) => ({
    path: `${f.uploads}/x/../../../${f.secret.split('/').pop()}`,
    universe: 'djia30',
  })),
  call(
    'news-symlink-in-uploads',
    'preview as news a link inside the uploads folder pointing outside',
    'news.previewImport',
    (f) => ({
      path: f.uploadLink,
      universe: 'djia30',
    }),
  ),
  call('news-fifo', 'preview a FIFO as news', 'news.previewImport', (f) => ({ path: f.fifo, universe: 'djia30' })),
  call('news-dev-zero', 'preview /dev/zero as news', 'news.previewImport', () => ({
    path: '/dev/zero',
    universe: 'djia30',
  })),
  call(
    'news-commit-outside',
    'commit a news import of a file outside the uploads folder',
    'news.commitImport',
    (f) => ({
      path: f.secret,
      universe: 'djia30',
    }),
  ),
  call('news-upload-over-limit', 'upload 5,000,001 characters of news', 'news.previewImportText', () => ({
    name: 'big.csv',
    universe: 'djia30',
    text: 'x'.repeat(5_000_001),
  })),
  call('news-score-etc', 'score news with /etc as the model directory', 'news.score', () => ({
    universe: 'djia30',
    modelDir: '/etc',
  })),
  call('news-score-outside', 'score news with a model directory outside the uploads folder', 'news.score', (f) => ({
    universe: 'djia30',
    modelDir: f.dir,
  })),
  call('news-summary-unknown', 'news.summary of a universe that does not exist', 'news.summary', () => ({
    universe: 'no-such-universe',
  })),
  // MPLS on the desk (issue 19): the graph of a stored run read from its model file. This world stores no run, so
  // a run of another family, a run without the graph module and a date outside a run's test days are refused in
  // test/services/mpls.test.ts, on stored runs, with the same host caller
  call('mpls-graph-unknown-run', 'mpls.graph of a run that does not exist', 'mpls.graph', () => ({
    id: 'no-such-run',
    date: '2000-06-05',
  })),
  call('mpls-graph-traversal-id', 'mpls.graph of the run ../../etc/passwd', 'mpls.graph', () => ({
    id: '../../etc/passwd',
    date: '2000-06-05',
  })),
  call('mpls-graph-malformed-date', 'mpls.graph with the date 2000-06-05T00:00:00Z', 'mpls.graph', () => ({
    id: 'no-such-run',
    date: '2000-06-05T00:00:00Z',
  })),
  call('mpls-graph-date-object', 'mpls.graph with a date that is an object', 'mpls.graph', () => ({
    id: 'no-such-run',
    date: { toString: '2000-06-05' },
  })),
  call('mpls-timeline-unknown-run', 'runs.mpls of a run that does not exist', 'runs.mpls', () => ({
    id: 'no-such-run',
  })),
];

// ---------------------------------------------------------------------------------------------------------
// The command line

export interface CliCase {
  surface: 'cli';
  id: string;
  title: string;
  expect: string;
  /** arguments after `hdrl --db DB` */
  args(f: Fixtures): string[];
  /** the message must match this */
  stderr: RegExp;
}

const cli = (id: string, title: string, args: CliCase['args'], stderr: RegExp): CliCase => ({
  surface: 'cli',
  id,
  title,
  expect: 'exit status 2 (1 for a failure) with a one-line reason',
  args,
  stderr,
});

const NOT_A_FILE = /not a file|regular file|FIFO|named pipe|device|director/i;

export const CLI_CASES: CliCase[] = [
  cli('import-fifo', 'import a FIFO (nobody writes to it)', (f) => ['import', f.fifo, '--universe', 'u'], NOT_A_FILE),
  cli('import-dev-zero', 'import /dev/zero', () => ['import', '/dev/zero', '--universe', 'u'], NOT_A_FILE),
  cli(
    'news-import-fifo',
    'import a FIFO as news',
    (f) => ['news', 'import', f.fifo, '--universe', 'djia30'],
    NOT_A_FILE,
  ),
  cli(
    'news-import-dev-zero',
    'import /dev/zero as news',
    () => ['news', 'import', '/dev/zero', '--universe', 'djia30'],
    NOT_A_FILE,
  ),
  cli('import-directory', 'import a directory', (f) => ['import', f.dir, '--universe', 'u'], NOT_A_FILE),
  cli(
    'import-missing',
    'import a file that does not exist',
    (f) => ['import', `${f.tmp}/no-such-file.csv`, '--universe', 'u'],
    /no such|not found|does not exist/i,
  ),
  cli(
    'import-link-to-fifo',
    'import a link that points at a FIFO',
    (f) => ['import', `${f.tmp}/link-to-fifo.csv`, '--universe', 'u'],
    NOT_A_FILE,
  ),
  cli(
    'import-meta-dev-zero',
    'import a valid file with --meta /dev/zero',
    (f) => ['import', f.valid, '--universe', 'u', '--meta', '/dev/zero'],
    NOT_A_FILE,
  ),
  cli(
    'import-meta-fifo',
    'import a valid file with a FIFO as --meta',
    (f) => ['import', f.valid, '--universe', 'u', '--meta', f.fifo],
    NOT_A_FILE,
  ),
  cli(
    'import-meta-directory',
    'import a valid file with a directory as --meta',
    (f) => ['import', f.valid, '--universe', 'u', '--meta', f.dir],
    NOT_A_FILE,
  ),
  cli(
    'import-bad-universe',
    'import into a universe named "!!!"',
    (f) => ['import', f.valid, '--universe', '!!!'],
    /universe/i,
  ),
  cli(
    'import-bad-format',
    'import with --format xml',
    (f) => ['import', f.valid, '--universe', 'u', '--format', 'xml'],
    /format/i,
  ),
  cli(
    'export-prices-dev-null',
    'export-prices --out /dev/null',
    () => ['export-prices', '--universe', 'djia30', '--out', '/dev/null'],
    NOT_A_FILE,
  ),
  cli(
    'export-prices-fifo',
    'export-prices --out a FIFO nobody reads',
    (f) => ['export-prices', '--universe', 'djia30', '--out', f.fifo],
    NOT_A_FILE,
  ),
  cli(
    'export-prices-directory',
    'export-prices --out a directory',
    (f) => ['export-prices', '--universe', 'djia30', '--out', f.dir],
    NOT_A_FILE,
  ),
  cli(
    'export-dev-null',
    'export --format csv --out /dev/null',
    () => ['export', '--run', 'r1', '--format', 'csv', '--out', '/dev/null'],
    NOT_A_FILE,
  ),
  cli(
    'export-fifo',
    'export --format csv --out a FIFO nobody reads',
    (f) => ['export', '--run', 'r1', '--format', 'csv', '--out', f.fifo],
    NOT_A_FILE,
  ),
  cli(
    'export-directory',
    'export --format pdf --out a directory',
    (f) => ['export', '--run', 'r1', '--format', 'pdf', '--out', f.dir],
    NOT_A_FILE,
  ),
];

/** Two imports started at the same moment on one database (each into its own new universe). */
export const CONCURRENT_WRITERS = {
  id: 'concurrent-writers',
  title: 'two `hdrl import` processes writing to one database at the same moment',
  expect:
    'each import is written whole or refused with a message (exit status not 0); neither crashes, the stored data stays',
};

/** Every case id per surface, in order, as the suite reports them. */
export function caseIds(): Record<Surface, string[]> {
  return {
    host: HTTP_CASES.map((c) => c.id),
    dispatch: [...DISPATCH_CASES.map((c) => c.id), ...FILE_CASES.map((c) => `file:${c.id}`)],
    cli: [
      ...CLI_CASES.map((c) => c.id),
      CONCURRENT_WRITERS.id,
      ...FILE_CASES.filter((c) => c.cli).map((c) => `file:${c.id}`),
    ],
  };
}
