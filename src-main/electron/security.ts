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

/** The only URLs the window may show: the packaged renderer (file://) or the dev server on loopback. */
export function isAllowedAppUrl(url: string, devServerUrl?: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === 'file:') return true;
    if (devServerUrl) {
      const d = new URL(devServerUrl);
      return u.origin === d.origin && (d.hostname === 'localhost' || d.hostname === '127.0.0.1');
    }
    return false;
  } catch {
    return false;
  }
}
