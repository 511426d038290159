/** Pins every security setting of the desktop window (Electron's security checklist). */
import { describe, expect, it, vi } from 'vitest';
import {
  APP_INDEX_URL,
  CONTENT_SECURITY_POLICY,
  isAllowedAppUrl,
  mainWindowOptions,
  secureWebPreferences,
} from '../../src-main/electron/security';
import { hardenApp } from '../../src-main/electron/wiring';

describe('window security', () => {
  it('pins webPreferences', () => {
    expect(secureWebPreferences('/p.cjs')).toEqual({
      preload: '/p.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    });
    const w = mainWindowOptions('/p.cjs');
    expect(w.webPreferences).toEqual(secureWebPreferences('/p.cjs'));
    expect(w.minWidth).toBe(1280);
    expect(w.minHeight).toBe(800);
  });

  it('has a strict CSP: self only, no inline script, no eval, no remote content', () => {
    const d = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split(';')
        .map((x) => x.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(d['default-src']).toEqual(["'self'"]);
    expect(d['script-src']).toEqual(["'self'"]);
    expect(d['object-src']).toEqual(["'none'"]);
    expect(d['connect-src']).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:|\*/);
  });

  it("allows only the app's own origin or, when given, the loopback dev server", () => {
    expect(APP_INDEX_URL).toBe('app://desk/index.html');
    expect(isAllowedAppUrl('app://desk/index.html')).toBe(true);
    expect(isAllowedAppUrl('app://desk/index.html#/data')).toBe(true);
    // no file: URL is the app's page, however it looks
    expect(isAllowedAppUrl('file:///tmp/evil.html')).toBe(false);
    expect(isAllowedAppUrl('file://host/share/x.html')).toBe(false);
    expect(isAllowedAppUrl('file:///app/out/renderer/index.html')).toBe(false);
    // another app:// host, or ours dressed up
    expect(isAllowedAppUrl('app://evil/')).toBe(false);
    expect(isAllowedAppUrl('app://evil/index.html')).toBe(false);
    expect(isAllowedAppUrl('app://desk.evil/index.html')).toBe(false);
    expect(isAllowedAppUrl('app://desk@evil/index.html')).toBe(false);
    expect(isAllowedAppUrl('app://user:pw@desk/index.html')).toBe(false);
    expect(isAllowedAppUrl('app://desk:8080/index.html')).toBe(false);
    expect(isAllowedAppUrl('https://example.com/')).toBe(false);
    expect(isAllowedAppUrl('http://localhost:5173/')).toBe(false);
    expect(isAllowedAppUrl('http://localhost:5173/#/data', 'http://localhost:5173')).toBe(true);
    expect(isAllowedAppUrl('http://evil.test:5173/', 'http://localhost:5173')).toBe(false);
    expect(isAllowedAppUrl('not a url')).toBe(false);
  });

  it('denies permissions, navigation, new windows and webviews', () => {
    const handlers: Record<string, (e: { preventDefault(): void }, url: string) => void> = {};
    let openHandler: ((d: { url: string }) => { action: string }) | undefined;
    let created: ((e: unknown, c: unknown) => void) | undefined;
    let permission: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    let headers:
      | ((
          d: { responseHeaders?: Record<string, string[]> },
          cb: (r: { responseHeaders: Record<string, string[]> }) => void,
        ) => void)
      | undefined;
    hardenApp(
      { on: (_n, cb) => (created = cb as never) },
      {
        setPermissionRequestHandler: (cb) => (permission = cb),
        setPermissionCheckHandler: (cb) => (check = cb),
        webRequest: { onHeadersReceived: (cb) => (headers = cb) },
      },
      CONTENT_SECURITY_POLICY,
    );
    created!(
      {},
      { on: (n: string, cb: never) => (handlers[n] = cb), setWindowOpenHandler: (cb: never) => (openHandler = cb) },
    );
    const granted = vi.fn();
    permission!({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(check!()).toBe(false);
    const prevent = vi.fn();
    handlers['will-navigate']!({ preventDefault: prevent }, 'https://example.com');
    expect(prevent).toHaveBeenCalledTimes(1);
    handlers['will-navigate']!({ preventDefault: prevent }, 'app://desk/index.html#/data');
    expect(prevent).toHaveBeenCalledTimes(1);
    handlers['will-navigate']!({ preventDefault: prevent }, 'file:///tmp/evil.html');
    handlers['will-redirect']!({ preventDefault: prevent }, 'file://host/share/x.html');
    expect(prevent).toHaveBeenCalledTimes(3);
    handlers['will-attach-webview']!({ preventDefault: prevent }, '');
    expect(prevent).toHaveBeenCalledTimes(4);
    expect(openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    let out: Record<string, string[]> = {};
    headers!({ responseHeaders: { a: ['b'] } }, (r) => (out = r.responseHeaders));
    expect(out['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
  });
});
