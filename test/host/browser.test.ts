/**
 * The host's session model in a real browser (Debian's Chromium, built renderer): a browser without the link gets
 * the 401 page; opening the printed link signs it in (HttpOnly cookie, invisible to scripts) and the app then
 * reaches the API and the event stream through the cookie alone; a page on another localhost port, whose requests
 * the browser sends the cookie with (same site), can neither run a call nor open the event stream.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startHost, type Host } from '../../src-main/host/server';
import { dispatch } from '../../src-main/services';
import { ensureBuilt, launchBrowser, openSignedIn } from '../helpers/browser';
import { tempEngine } from '../helpers/engine';

let engine: ReturnType<typeof tempEngine>;
let host: Host;
let browser: Browser;
let other: http.Server;
let otherUrl: string;

beforeAll(async () => {
  const dir = ensureBuilt();
  engine = tempEngine({ seedDefaultData: false });
  host = await startHost(engine, { rendererDir: dir });
  // another local web server, as any other program on the machine might run
  other = http.createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>another local app</body></html>'),
  );
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await new Promise((r) => other?.close(r));
  engine?.close();
});

const jobCount = async () => ((await dispatch(engine, 'jobs.list', {})) as { ok: true; value: unknown[] }).value.length;

describe('the host in Chromium', () => {
  it('shows a browser without the link how to get it, and nothing else', async () => {
    const page = await browser.newPage();
    const res = await page.goto(host.url);
    expect(res?.status()).toBe(401);
    expect(await page.locator('body').textContent()).toContain('hdrl serve');
    expect(await page.content()).not.toContain(host.token);
    await page.close();
  });

  it('signs in through the printed link; the app then works on the HttpOnly cookie alone', async () => {
    const page = await openSignedIn(browser, host);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${host.url}#/about`);
    expect(await page.locator('[data-testid="about-db"]').textContent()).toContain(engine.dbPath);
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(await page.content()).not.toContain(host.token);
    // a call from the page goes through on the cookie (and the custom header), and a job's progress arrives
    // over the event stream in the tray (the job is started on the engine: the host refuses jobs.demo)
    const answered = await page.evaluate(async () => {
      const r = await fetch('/api/jobs.list', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hdrl-request': '1' },
        body: '{}',
      });
      return r.status;
    });
    expect(answered).toBe(200);
    engine.jobs.start('demo', { steps: 5, delayMs: 20 }, 'demo');
    await page.waitForSelector('[data-testid="job-tray"] .job[data-status="succeeded"]', { timeout: 30_000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses calls and the event stream to a page on another localhost port, though the browser sends it the cookie', async () => {
    const page = await openSignedIn(browser, host);
    const before = await jobCount();
    const seen: { method: string; status: number }[] = [];
    page.on('response', (r) => {
      if (r.url().startsWith(host.url)) seen.push({ method: r.request().method(), status: r.status() });
    });
    await page.goto(otherUrl);
    const outcome = await page.evaluate(async (base) => {
      const body = JSON.stringify({ steps: 1, delayMs: 1 });
      const results: string[] = [];
      // what a script may send without a preflight: a "simple" request, response unreadable
      for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
        await fetch(`${base}api/jobs.demo`, {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
          headers: { 'content-type': type },
          body,
        }).then(
          (r) => results.push(`no-cors ${type}: ${r.type}`),
          (e: Error) => results.push(`no-cors ${type}: ${e.message}`),
        );
      }
      // the app's own request shape: custom header, so the browser asks first (preflight), and the host never agrees
      await fetch(`${base}api/jobs.demo`, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json', 'x-hdrl-request': '1' },
        body,
      }).then(
        (r) => results.push(`cors: HTTP ${r.status}`),
        () => results.push('cors: blocked'),
      );
      results.push(
        await new Promise<string>((resolve) => {
          const es = new EventSource(`${base}events`, { withCredentials: true });
          es.onopen = () => (es.close(), resolve('events: open'));
          es.onerror = () => (es.close(), resolve('events: refused'));
        }),
      );
      return results;
    }, host.url);
    expect(outcome).toContain('cors: blocked');
    expect(outcome).toContain('events: refused');
    expect(await jobCount()).toBe(before); // no call ran
    // Chromium sends the SameSite=Strict cookie with these requests (another port is the same site), so the refusals
    // come from the host's other rules: X-HDRL-Request, Origin, Sec-Fetch-Site
    expect(seen.filter((s) => s.method === 'POST').length).toBe(2); // the two simple requests; the preflighted one never went out
    expect(seen.every((s) => s.status >= 400 && s.status < 500)).toBe(true);
    await page.close();
  });
});
