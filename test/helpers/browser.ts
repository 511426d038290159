/** Debian's Chromium driven by playwright-core, against the headless host. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOT_DIR = path.join(ROOT, '.e2e', 'screenshots');

export function chromiumPath(): string {
  for (const p of [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ]) {
    if (p && fs.existsSync(p)) return p;
  }
  throw new Error("no Chromium found: install Debian's `chromium` (apt-get install -y chromium) or set CHROMIUM_PATH");
}

/**
 * Build the app once if out/renderer or the main bundle's job worker is missing (CI builds before testing, so
 * this is for local runs; after changing sources locally, `npm run build` again). Returns out/renderer.
 */
export function ensureBuilt(): string {
  const dir = path.join(ROOT, 'out', 'renderer');
  if (!fs.existsSync(path.join(dir, 'index.html')) || !fs.existsSync(path.join(ROOT, 'out', 'main', 'worker.js'))) {
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
      { cwd: ROOT, stdio: 'inherit' },
    );
    if (r.status !== 0) throw new Error('renderer build failed');
  }
  return dir;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, `${name}.png`);
}

/**
 * A new page (in a fresh browser context) signed in to the headless host the way a user is: it opens the link
 * with the token, which the host trades for its session cookie. The page is left on about:blank, so the caller's
 * first navigation loads the app from scratch.
 */
export async function openSignedIn(
  browser: Browser,
  host: { loginUrl: string; url: string },
  options: BrowserContextOptions = {},
): Promise<Page> {
  const page = await browser.newPage(options);
  const res = await page.goto(host.loginUrl);
  if (!res?.ok() || res.url() !== host.url)
    throw new Error(`signing in at ${host.url} failed: HTTP ${res?.status()} at ${res?.url()}`);
  await page.goto('about:blank');
  return page;
}

/** Collect the page's console errors and uncaught exceptions into `into` (a suite checks it stays empty). */
export function collectPageErrors(page: Page, into: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error') into.push(m.text());
  });
  page.on('pageerror', (e) => into.push(String(e)));
}
