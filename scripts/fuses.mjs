/**
 * Electron fuses of the packaged desktop app: switches compiled into the Electron executable that no command-line
 * flag or environment variable can turn back. Run on the packaged app's executable after packaging (electron-builder
 * afterPack, Forge packageAfterCopy, or by hand):
 *
 *   node scripts/fuses.mjs path/to/HDRL\ Desk(.exe|.app/Contents/MacOS/HDRL Desk)
 *
 * FUSES is the one place the settings live; test/electron/fuses.test.ts pins them and this script's use of them.
 * What each setting buys:
 * - RunAsNode off: ELECTRON_RUN_AS_NODE cannot turn the signed app into a general Node.js interpreter. Job processes
 *   therefore start through Electron's utilityProcess inside the app (src-main/electron/jobLauncher.ts), not by
 *   running the executable as Node.
 * - EnableNodeOptionsEnvironmentVariable off, EnableNodeCliInspectArguments off: NODE_OPTIONS (--require of any
 *   script) and --inspect cannot inject code or attach a debugger.
 * - OnlyLoadAppFromAsar on, EnableEmbeddedAsarIntegrityValidation on: the app code comes from the packaged
 *   app.asar only, and its hash is checked against the one recorded at packaging (the packager writes it).
 * - EnableCookieEncryption on: the session's cookie store is encrypted with the OS key store.
 * - GrantFileProtocolExtraPrivileges off: file: pages get no extra powers; the app's page is served by app://desk/.
 * - LoadBrowserProcessSpecificV8Snapshot off: Electron's default; no separate snapshot is shipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';

/**
 * The fuse settings of every packaged build: each fuse this version of @electron/fuses knows is set explicitly.
 * Not strict: fuses that later Electron versions add to the wire keep Electron's default until they are named here.
 */
export const FUSES = Object.freeze({
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
});

/**
 * Flip FUSES into the Electron executable at `executable`. `flip` is @electron/fuses' flipFuses (a test passes a
 * stand-in); on Apple silicon the ad-hoc signature is reset, as macOS refuses to run a modified unsigned binary.
 */
export async function applyFuses(
  executable,
  { flip = flipFuses, platform = process.platform, arch = process.arch } = {},
) {
  if (typeof executable !== 'string' || !executable)
    throw new Error('usage: node scripts/fuses.mjs <packaged Electron executable>');
  const file = path.resolve(executable);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile())
    throw new Error(`${file} is not a file; give the packaged app's Electron executable`);
  await flip(file, { ...FUSES, resetAdHocDarwinSignature: platform === 'darwin' && arch === 'arm64' });
  return file;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  applyFuses(process.argv[2]).then(
    (file) => console.log(`fuses set on ${file}`),
    (e) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );
}
