/**
 * The renderer's one door to the engine. In the desktop app it uses `window.api` (the preload); in a browser it
 * talks to the headless host over same-origin HTTP: the host's session cookie (set when the user opened the link
 * `hdrl serve` printed) authenticates every call, and the X-HDRL-Request header marks it as the app's own.
 * Either way it speaks only the contract (src-shared/contract): the renderer never imports src-main.
 */
import type { ApiError, ApiResult, Channel, EventName, EventPayload, Request, Response } from '@shared/contract';

export class ApiCallError extends Error {
  readonly code: ApiError['code'];
  readonly issues: ApiError['issues'];
  constructor(
    readonly channel: string,
    err: ApiError,
  ) {
    super(err.message);
    this.code = err.code;
    this.issues = err.issues;
  }
}

type PreloadApi = Record<string, Record<string, (req?: unknown) => Promise<ApiResult<unknown>>>> & {
  events: { on(name: string, cb: (p: unknown) => void): () => void };
  desktop?: { openFiles(): Promise<string[]> };
};

declare global {
  interface Window {
    api?: PreloadApi;
  }
}

export interface ApiClient {
  transport: 'ipc' | 'http';
  call<C extends Channel>(channel: C, req: Request<C>): Promise<Response<C>>;
  on<E extends EventName>(name: E, cb: (payload: EventPayload<E>) => void): () => void;
  /**
   * `cb` runs each time the event stream comes back after it was cut (the host restarted, the machine slept): the
   * events sent meanwhile are lost, so a store that mirrors the engine asks again. Never called in the desktop app,
   * whose events cannot be cut.
   */
  onReconnect(cb: () => void): () => void;
  /** native file dialog (desktop only); null in a browser */
  openFiles: (() => Promise<string[]>) | null;
}

function unwrap<T>(channel: string, r: ApiResult<unknown>): T {
  if (!r || typeof r !== 'object' || !('ok' in r))
    throw new ApiCallError(channel, { code: 'INTERNAL', message: 'malformed response' });
  if (!r.ok) throw new ApiCallError(channel, r.error);
  return r.value as T;
}

function ipcClient(api: PreloadApi): ApiClient {
  return {
    transport: 'ipc',
    async call(channel, req) {
      const [service, method] = channel.split('.') as [string, string];
      const fn = api[service]?.[method];
      if (!fn) throw new ApiCallError(channel, { code: 'UNKNOWN_CHANNEL', message: `no such channel ${channel}` });
      return unwrap(channel, await fn(req));
    },
    on(name, cb) {
      return api.events.on(name, cb as (p: unknown) => void);
    },
    onReconnect: () => () => {},
    openFiles: api.desktop ? () => api.desktop!.openFiles() : null,
  };
}

function httpClient(): ApiClient {
  let source: EventSource | null = null;
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const reconnected = new Set<() => void>();
  function ensureSource(name: string) {
    if (!source) {
      source = new EventSource('/events');
      // the browser opens the stream again by itself after a cut; every open after the first is such a return
      let opens = 0;
      source.addEventListener('open', () => {
        if (opens++ > 0) for (const cb of reconnected) cb();
      });
    }
    if (!listeners.has(name)) {
      listeners.set(name, new Set());
      source.addEventListener(name, (e) => {
        const payload = JSON.parse((e as MessageEvent<string>).data) as unknown;
        for (const cb of listeners.get(name) ?? []) cb(payload);
      });
    }
  }
  return {
    transport: 'http',
    async call(channel, req) {
      let res: globalThis.Response;
      try {
        res = await fetch(`/api/${channel}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', 'x-hdrl-request': '1' },
          body: JSON.stringify(req ?? {}),
        });
      } catch (e) {
        throw new ApiCallError(channel, {
          code: 'INTERNAL',
          message: `the engine is not reachable (${(e as Error).message}); is \`npm run serve\` still running?`,
        });
      }
      if (!(res.headers.get('content-type') ?? '').startsWith('application/json')) {
        throw new ApiCallError(channel, {
          code: 'INTERNAL',
          message: `the host answered HTTP ${res.status} without a result`,
        });
      }
      return unwrap(channel, (await res.json()) as ApiResult<unknown>);
    },
    on(name, cb) {
      ensureSource(name);
      const set = listeners.get(name)!;
      set.add(cb as (p: unknown) => void);
      return () => set.delete(cb as (p: unknown) => void);
    },
    onReconnect(cb) {
      reconnected.add(cb);
      return () => reconnected.delete(cb);
    },
    openFiles: null,
  };
}

export const api: ApiClient = typeof window !== 'undefined' && window.api ? ipcClient(window.api) : httpClient();
