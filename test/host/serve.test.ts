/**
 * `hdrl serve` as a user runs it (child process): it prints the link with the token, that link signs a browser in,
 * and the same address without the token serves nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/browser';
import { tempDir } from '../helpers/engine';

let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGTERM');
});

/** Starts `hdrl serve` and resolves with its printed line that names the address. */
function serve(): Promise<string> {
  const db = path.join(tempDir(), 'hdrl.db');
  child = spawn(process.execPath, [path.join(ROOT, 'bin/hdrl.mjs'), '--db', db, 'serve'], {
    cwd: ROOT,
    env: { ...process.env, HDRL_DB: '' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child!.stdout!.on('data', (d) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.includes('serving at'));
      if (line) resolve(line);
    });
    child!.stderr!.on('data', (d) => (err += String(d)));
    child!.on('exit', (code) =>
      reject(new Error(`hdrl serve exited with ${code} before printing its address:\n${out}\n${err}`)),
    );
  });
}

describe('hdrl serve', () => {
  it('prints the link with the token, which signs a browser in', async () => {
    const line = await serve();
    const m = /(http:\/\/127\.0\.0\.1:\d+\/)\?token=([0-9a-f]{48})\s*$/.exec(line);
    expect(m, line).not.toBeNull();
    const [, base, token] = m!;
    expect((await fetch(base!)).status).toBe(401);
    const login = await fetch(`${base}?token=${token}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const page = await fetch(base!, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
  }, 120_000);
});
