/** A fresh engine on a temporary database, for integration tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEngine, type Engine } from '../../src-main/engine';

export function tempDir(prefix = 'hdrl-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function tempEngine(opts: { seedDefaultData?: boolean } = {}): Engine & { dir: string } {
  const dir = tempDir();
  const engine = openEngine({
    dbPath: path.join(dir, 'hdrl.db'),
    shell: 'headless',
    seedDefaultData: opts.seedDefaultData ?? true,
  });
  return Object.assign(engine, { dir });
}
