/**
 * The Electron shell: one window over the engine. Thin by design — what it adds (window, preload, IPC wiring,
 * security, the app:// protocol) is covered by test/electron/*.test.ts with a stand-in for Electron's API.
 *
 * The window shows app://desk/index.html, served from out/renderer by appProtocol.ts; the dev server named by
 * ELECTRON_RENDERER_URL (electron-vite dev) is used and trusted only when the app is not packaged.
 */
import { app, BrowserWindow, ipcMain, session, dialog, protocol, utilityProcess } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEngine, type Engine } from '../engine';
import { APP_ROOT } from '../version';
import { APP_SCHEME_PRIVILEGES, appProtocolHandler } from './appProtocol';
import { utilityProcessLauncher } from './jobLauncher';
import { APP_INDEX_URL, APP_SCHEME, mainWindowOptions, CONTENT_SECURITY_POLICY } from './security';
import { registerIpc, hardenApp } from './wiring';

const here = path.dirname(fileURLToPath(import.meta.url));
app.setName('hdrl-desk');
// must happen before 'ready'
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL || undefined;

/** better-sqlite3 built for Electron's ABI by scripts/start.mjs, kept apart so `npm test` keeps the Node build. */
function electronSqliteBinding(): string | undefined {
  const p = path.join(APP_ROOT, '.electron-native', 'better_sqlite3.node');
  return fs.existsSync(p) ? p : undefined;
}

let engine: Engine | undefined;

async function createWindow(): Promise<void> {
  const preload = path.join(here, '../preload/index.cjs');
  const win = new BrowserWindow(mainWindowOptions(preload));
  registerIpc(ipcMain, engine!, () => win, devUrl, dialog);
  win.once('ready-to-show', () => win.show());
  await win.loadURL(devUrl ?? APP_INDEX_URL);
}

app.whenReady().then(async () => {
  const binding = electronSqliteBinding();
  if (binding) process.env.HDRL_SQLITE_BINDING = binding;
  engine = openEngine({
    shell: 'electron',
    dbPath: process.env.HDRL_DB ?? path.join(app.getPath('userData'), 'hdrl.db'),
    nativeBinding: binding,
    jobLauncher: utilityProcessLauncher(utilityProcess),
  });
  protocol.handle(APP_SCHEME, appProtocolHandler(path.join(here, '../renderer'), CONTENT_SECURITY_POLICY));
  hardenApp(app, session.defaultSession, CONTENT_SECURITY_POLICY, devUrl);
  await createWindow();
});

app.on('window-all-closed', () => {
  engine?.close();
  app.quit();
});
