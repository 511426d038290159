/**
 * The Electron shell: one window over the engine. Thin by design — what it adds (window, preload, IPC wiring,
 * security) is covered by test/electron/*.test.ts with a stand-in for Electron's API.
 */
import { app, BrowserWindow, ipcMain, session, dialog } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEngine, type Engine } from '../engine';
import { APP_ROOT } from '../version';
import { mainWindowOptions, CONTENT_SECURITY_POLICY } from './security';
import { registerIpc, hardenApp } from './wiring';

const here = path.dirname(fileURLToPath(import.meta.url));
app.setName('hdrl-desk');

/** better-sqlite3 built for Electron's ABI by scripts/start.mjs, kept apart so `npm test` keeps the Node build. */
function electronSqliteBinding(): string | undefined {
  const p = path.join(APP_ROOT, '.electron-native', 'better_sqlite3.node');
  return fs.existsSync(p) ? p : undefined;
}

let engine: Engine | undefined;

async function createWindow(): Promise<void> {
  const preload = path.join(here, '../preload/index.cjs');
  const win = new BrowserWindow(mainWindowOptions(preload));
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  registerIpc(ipcMain, engine!, () => win, devUrl, dialog);
  win.once('ready-to-show', () => win.show());
  if (devUrl) await win.loadURL(devUrl);
  else await win.loadFile(path.join(here, '../renderer/index.html'));
}

app.whenReady().then(async () => {
  const binding = electronSqliteBinding();
  if (binding) process.env.HDRL_SQLITE_BINDING = binding;
  engine = openEngine({ shell: 'electron', dbPath: process.env.HDRL_DB ?? path.join(app.getPath('userData'), 'hdrl.db'), nativeBinding: binding });
  hardenApp(app, session.defaultSession, CONTENT_SECURITY_POLICY, process.env.ELECTRON_RENDERER_URL);
  await createWindow();
});

app.on('window-all-closed', () => {
  engine?.close();
  app.quit();
});
