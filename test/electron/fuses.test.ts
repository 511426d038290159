/**
 * The Electron fuses of the packaged app (scripts/fuses.mjs): the settings, and the script flipping exactly those
 * into an executable. No Electron binary is needed: a file holding Electron's fuse sentinel and wire stands in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses';
import { describe, expect, it, vi } from 'vitest';
import { applyFuses, FUSES } from '../../scripts/fuses.mjs';
import { tempDir } from '../helpers/engine';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const DISABLE = 48; // '0'
const ENABLE = 49; // '1'

/** A stand-in executable: some bytes, the sentinel, wire version 1, the wire length, the wire (all fuses on). */
function fakeElectron(dir: string, wireLength = 8): string {
  const file = path.join(dir, 'electron');
  fs.writeFileSync(
    file,
    Buffer.concat([
      Buffer.from('\x7fELF padding '),
      Buffer.from(SENTINEL),
      Buffer.from([1, wireLength]),
      Buffer.alloc(wireLength, ENABLE),
      Buffer.from(' tail'),
    ]),
  );
  return file;
}

describe('Electron fuses', () => {
  it('pins the settings', () => {
    expect(FUSES).toEqual({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    });
    expect(Object.isFrozen(FUSES)).toBe(true);
    // every fuse the library knows is decided here, none left to Electron's default
    const known = Object.values(FuseV1Options).filter((v): v is number => typeof v === 'number');
    for (const fuse of known)
      expect(typeof (FUSES as Record<number, unknown>)[fuse], FuseV1Options[fuse]).toBe('boolean');
  });

  it('the packaging script hands exactly FUSES to flipFuses', async () => {
    const dir = tempDir();
    const exe = fakeElectron(dir);
    const flip = vi.fn(async () => 1);
    expect(await applyFuses(exe, { flip, platform: 'linux', arch: 'x64' })).toBe(exe);
    expect(flip).toHaveBeenCalledWith(exe, { ...FUSES, resetAdHocDarwinSignature: false });
    await applyFuses(exe, { flip, platform: 'darwin', arch: 'arm64' });
    expect(flip).toHaveBeenLastCalledWith(exe, { ...FUSES, resetAdHocDarwinSignature: true });
    await expect(applyFuses(path.join(dir, 'missing'), { flip })).rejects.toThrow('is not a file');
    await expect(applyFuses(dir, { flip })).rejects.toThrow('is not a file');
    expect(flip).toHaveBeenCalledTimes(2);
  });

  it('flips the wire of an executable with the real @electron/fuses', async () => {
    const exe = fakeElectron(tempDir());
    const before = fs.readFileSync(exe);
    await applyFuses(exe, { platform: 'linux', arch: 'x64' });
    const wire = await getCurrentFuseWire(exe);
    expect(wire[FuseV1Options.RunAsNode]).toBe(DISABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(DISABLE);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(DISABLE);
    expect(wire[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBe(DISABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ENABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(ENABLE);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(ENABLE);
    // nothing but the wire changed
    const after = fs.readFileSync(exe);
    expect(after.length).toBe(before.length);
    const wireAt = before.indexOf(SENTINEL) + SENTINEL.length + 2;
    expect(Buffer.compare(after.subarray(0, wireAt), before.subarray(0, wireAt))).toBe(0);
    expect(Buffer.compare(after.subarray(wireAt + 8), before.subarray(wireAt + 8))).toBe(0);
  });
});
