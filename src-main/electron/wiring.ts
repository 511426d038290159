/**
 * IPC registration and app hardening, written against the small slice of Electron's API they use so the tests can
 * drive them with a stand-in (no Electron binary is needed to test the rules).
 */
import { isChannel, MAX_REQUEST_BYTES, type ApiResult } from '../../src-shared/contract';
import type { Engine } from '../engine';
import { describeChannel, dispatch } from '../services';
import { isAllowedAppUrl } from './security';

export const INVOKE_CHANNEL = 'api:invoke';
export const EVENT_CHANNEL = 'api:event';
export const DIALOG_CHANNEL = 'api:open-files';

interface IpcEventLike {
  senderFrame: { url: string; parent: unknown } | null;
  sender: { id: number };
}
interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}
interface WindowLike {
  webContents: { id: number; send(channel: string, ...args: unknown[]): void };
  isDestroyed(): boolean;
}
interface DialogLike {
  showOpenDialog(
    win: never,
    opts: { properties: string[]; filters: { name: string; extensions: string[] }[] },
  ): Promise<{ canceled: boolean; filePaths: string[] }>;
}

/** Is this IPC message from our own window's top frame showing our own page? */
export function isTrustedSender(event: IpcEventLike, win: WindowLike | undefined, devUrl?: string): boolean {
  if (!win || win.isDestroyed() || event.sender.id !== win.webContents.id) return false;
  const frame = event.senderFrame;
  if (!frame || frame.parent) return false; // top frame only
  return isAllowedAppUrl(frame.url, devUrl);
}

function approxSize(v: unknown): number {
  try {
    return JSON.stringify(v ?? null).length;
  } catch {
    return Infinity;
  }
}

/**
 * Answer one IPC call from the window. `grantedPaths` are the files the user picked in the desktop file dialog
 * this session; they travel with the call as the Caller's grant (services/types.ts), which the services check
 * before opening a path the window names.
 */
export async function handleInvoke(
  engine: Engine,
  event: IpcEventLike,
  win: WindowLike | undefined,
  devUrl: string | undefined,
  channel: unknown,
  payload: unknown,
  grantedPaths: ReadonlySet<string> = new Set(),
): Promise<ApiResult<unknown>> {
  if (!isTrustedSender(event, win, devUrl))
    return { ok: false, error: { code: 'UNAUTHORIZED', message: 'IPC from an untrusted sender' } };
  if (!isChannel(channel))
    return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `no such channel: ${describeChannel(channel)}` } };
  if (approxSize(payload) > MAX_REQUEST_BYTES)
    return { ok: false, error: { code: 'BAD_REQUEST', message: `request larger than ${MAX_REQUEST_BYTES} bytes` } };
  return dispatch(engine, channel, payload, { shell: 'ipc', grantedPaths });
}

/**
 * Register the invoke and file-dialog handlers for one window session. The paths the dialog returns are kept in
 * this registration's set (so a new registration starts with none) and granted to every later invoke.
 */
export function registerIpc(
  ipcMain: IpcMainLike,
  engine: Engine,
  getWindow: () => WindowLike | undefined,
  devUrl: string | undefined,
  dialog?: DialogLike,
): void {
  const grantedPaths = new Set<string>();
  ipcMain.removeHandler(INVOKE_CHANNEL);
  ipcMain.handle(INVOKE_CHANNEL, (event, channel, payload) =>
    handleInvoke(engine, event, getWindow(), devUrl, channel, payload, grantedPaths),
  );
  ipcMain.removeHandler(DIALOG_CHANNEL);
  ipcMain.handle(DIALOG_CHANNEL, async (event) => {
    const win = getWindow();
    if (!dialog || !isTrustedSender(event, win, devUrl)) return [];
    const r = await dialog.showOpenDialog(win as never, {
      properties: ['openFile', 'multiSelections'],
      filters: [{ name: 'Prices', extensions: ['csv', 'txt', 'json'] }],
    });
    if (r.canceled) return [];
    for (const p of r.filePaths) grantedPaths.add(p);
    return r.filePaths;
  });
  engine.events.on('event', (name: string, payload: unknown) => {
    const win = getWindow();
    if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, name, payload);
  });
}

interface WebContentsLike {
  on(
    event: 'will-navigate' | 'will-attach-webview' | 'will-redirect',
    cb: (e: { preventDefault(): void }, url: string) => void,
  ): void;
  setWindowOpenHandler(cb: (d: { url: string }) => { action: 'deny' | 'allow' }): void;
}
interface AppLike {
  on(event: 'web-contents-created', cb: (e: unknown, contents: WebContentsLike) => void): void;
}
interface SessionLike {
  setPermissionRequestHandler(
    cb: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(cb: () => boolean): void;
  webRequest: {
    onHeadersReceived(
      cb: (
        details: { responseHeaders?: Record<string, string[]> },
        callback: (r: { responseHeaders: Record<string, string[]> }) => void,
      ) => void,
    ): void;
  };
}

/** Deny navigation, new windows, webviews and every permission; add the CSP header to every response. */
export function hardenApp(app: AppLike, session: SessionLike, csp: string, devUrl?: string): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...(details.responseHeaders ?? {}), 'Content-Security-Policy': [csp] } });
  });
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (e, url) => {
      if (!isAllowedAppUrl(url, devUrl)) e.preventDefault();
    });
    contents.on('will-redirect', (e, url) => {
      if (!isAllowedAppUrl(url, devUrl)) e.preventDefault();
    });
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
