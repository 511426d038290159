#!/usr/bin/env node
// `npm start`: opens the desktop window where Electron's binary is installed. Where it is not (no internet at
// install time, CI, a server), it says why and serves the same app headless at a printed URL instead.
//
// Electron runs on its own Node ABI, so it needs its own build of better-sqlite3. That build goes to
// .electron-native/ and is handed to the app through better-sqlite3's `nativeBinding` option; the Node build in
// node_modules stays as it is, so `npm test` keeps working afterwards.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });

function electronBinary() {
  try {
    const electronPath = require('electron'); // the package's main export is the binary's path
    if (typeof electronPath === 'string' && fs.existsSync(electronPath)) return { path: electronPath };
    return { why: 'the electron package is installed but its binary is missing (its download failed at install time)' };
  } catch {
    return {
      why: 'Electron is not installed (it is an optional dependency; its binary download needs internet at install time)',
    };
  }
}

function ensureElectronSqlite(version) {
  const outDir = path.join(root, '.electron-native');
  const target = path.join(outDir, 'better_sqlite3.node');
  const stamp = path.join(outDir, 'electron-version');
  if (fs.existsSync(target) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === version) return true;
  const src = path.dirname(require.resolve('better-sqlite3/package.json'));
  const work = path.join(outDir, 'build-better-sqlite3');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  fs.cpSync(src, work, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) });
  console.log(`building better-sqlite3 for Electron ${version} (once)...`);
  let r = run(
    process.execPath,
    [require.resolve('prebuild-install/bin.js'), '--runtime', 'electron', '--target', version],
    { cwd: work },
  );
  if (r.status !== 0) {
    // node-gyp ships inside npm; fall back to npx where that copy is not found
    const bundled = path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    );
    const gypArgs = ['rebuild', '--release', `--target=${version}`, '--dist-url=https://electronjs.org/headers'];
    r = fs.existsSync(bundled)
      ? run(process.execPath, [bundled, ...gypArgs], { cwd: work })
      : run('npx', ['--yes', 'node-gyp', ...gypArgs], { cwd: work, shell: process.platform === 'win32' });
  }
  const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
  if (r.status !== 0 || !fs.existsSync(built)) return false;
  fs.copyFileSync(built, target);
  fs.writeFileSync(stamp, version);
  return true;
}

const bin = electronBinary();
if (bin.path) {
  const version = require('electron/package.json').version;
  if (!ensureElectronSqlite(version)) {
    console.error('could not build better-sqlite3 for Electron; serving the app headless instead');
  } else {
    if (!fs.existsSync(path.join(root, 'out', 'main', 'index.js')) || process.env.HDRL_REBUILD) {
      if (
        run(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']).status !==
        0
      )
        process.exit(1);
    }
    const child = spawn(bin.path, [root], { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => process.exit(code ?? 0));
    await new Promise(() => {});
  }
} else {
  console.log(`No desktop window: ${bin.why}.`);
}
console.log('Serving the same app headless instead; open the URL below in a browser.');
const r = spawn(process.execPath, [path.join(root, 'bin', 'hdrl.mjs'), 'serve', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
r.on('exit', (code) => process.exit(code ?? 0));
