/** The app version and the code version stored with every run (package version + git commit when known). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_NAME = 'HDRL Desk';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

/** Root of the installed app (folder holding package.json and resources/). */
export const APP_ROOT = findRoot();

export const APP_VERSION: string = (() => {
  try {
    return (JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

let codeVersion: string | undefined;
/** "0.1.0+abc1234" (with "-dirty" when the work tree has changes), or the plain version outside a git checkout. */
export function getCodeVersion(): string {
  if (codeVersion) return codeVersion;
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: APP_ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: APP_ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    codeVersion = `${APP_VERSION}+${sha}${dirty ? '-dirty' : ''}`;
  } catch {
    codeVersion = APP_VERSION;
  }
  return codeVersion;
}

/** Path of a bundled resource (resources/...). */
export function resourcePath(...parts: string[]): string {
  return path.join(APP_ROOT, 'resources', ...parts);
}
