/**
 * Security settings of the desktop window, kept in plain functions so a unit test pins every one
 * (Electron's security checklist). No Electron import here: the headless host uses the CSP too.
 */

/** Strict CSP: only the app's own files; no remote content, no inline script, no eval. ECharts needs inline styles. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "worker-src 'self' blob:",
].join('; ');

/** webPreferences of every BrowserWindow the app opens. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
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
  } as const;
}

/** Options of the main window. */
export function mainWindowOptions(preloadPath: string) {
  return {
    width: 1440,
    height: 900,
    minWidth: 1280,
    minHeight: 800,
    show: false,
    title: 'HDRL Desk',
    backgroundColor: '#0f1720',
    autoHideMenuBar: false,
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/**
 * The app's own page is served by a privileged custom protocol (electron/appProtocol.ts) at this origin, from the
 * built renderer folder only. A `file:` URL is never trusted: any local file — `file:///tmp/evil.html`, a share
 * at `file://host/share/x.html` — could otherwise navigate the window and call the API.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'desk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window loads outside development. */
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * The only URLs the window may show and take IPC from: the app's own origin (`app://desk/...`, no user, password
 * or port), or — only when given, which main.ts does in development only — the dev server on loopback.
 */
export function isAllowedAppUrl(url: string, devServerUrl?: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === `${APP_SCHEME}:`) return u.host === APP_HOST && !u.username && !u.password;
    if (devServerUrl) {
      const d = new URL(devServerUrl);
      return u.origin === d.origin && (d.hostname === 'localhost' || d.hostname === '127.0.0.1');
    }
    return false;
  } catch {
    return false;
  }
}
