/** app://desk/ serves the built renderer folder and nothing else (src-main/electron/appProtocol.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_SCHEME_PRIVILEGES, appFilePath, appProtocolHandler } from '../../src-main/electron/appProtocol';
import { CONTENT_SECURITY_POLICY } from '../../src-main/electron/security';
import { tempDir } from '../helpers/engine';

function site() {
  const dir = tempDir();
  const root = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>desk</title>');
  fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside');
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
  return { root, handle: appProtocolHandler(root, CONTENT_SECURITY_POLICY) };
}

describe('app:// protocol', () => {
  it('is registered as a standard, secure scheme', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({
      scheme: 'app',
      privileges: { standard: true, secure: true, supportFetchAPI: true },
    });
  });

  it('serves the page and its assets with their type, the CSP and nosniff', async () => {
    const { handle } = site();
    for (const url of ['app://desk/index.html', 'app://desk/', 'app://desk/index.html#/data']) {
      const r = await handle({ url, method: 'GET' });
      expect(r.status, url).toBe(200);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await r.text()).toContain('<title>desk</title>');
    }
    const js = await handle({ url: 'app://desk/assets/app.js' });
    expect([js.status, js.headers.get('content-type'), await js.text()]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'console.log(1)',
    ]);
  });

  it('refuses other hosts, traversal (plain or encoded), links out of the folder, folders, missing files and writes', async () => {
    const { root, handle } = site();
    for (const url of [
      'app://evil/index.html',
      'app://desk.evil/index.html',
      'app://desk/../secret.txt',
      'app://desk/%2e%2e/secret.txt',
      'app://desk/..%2fsecret.txt',
      'app://desk/assets%2f..%2f..%2fsecret.txt',
      'app://desk/..%5csecret.txt',
      'app://desk/index.html%00.js',
      'app://desk/%E0%A4%A',
      'app://desk/assets/link.txt',
      'app://desk/assets',
      'app://desk/nope.js',
      'file:///etc/passwd',
    ]) {
      const r = await handle({ url, method: 'GET' });
      expect(r.status, url).toBe(404);
      expect(await r.text(), url).not.toContain('outside');
    }
    expect((await handle({ url: 'app://desk/index.html', method: 'POST' })).status).toBe(405);
    expect(appFilePath(root, 'app://desk/assets/app.js')).toBe(path.join(root, 'assets', 'app.js'));
    expect(appFilePath(root, 'app://desk/..%2f..%2fetc/passwd')).toBeUndefined();
  });
});
