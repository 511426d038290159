/**
 * One desk for an end-to-end suite, opened and closed the same way in every suite: the built renderer served by
 * the headless host over the suite's engine, a Chromium page signed in as a user is, the page's console errors
 * and uncaught exceptions collected, and the services called as the desk calls them.
 *
 * `useDesk` registers the suite's `beforeAll` (build if needed, make the engine, start the host, sign in) and
 * `afterAll` (close what was opened, in reverse order, even when opening failed half way; an engine whose
 * `makeEngine` threw before returning it is left to the test process's exit). The suite reads the open desk's parts
 * through the returned object, inside its tests.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { startHost, type Host } from '../../src-main/host/server';
import { dispatch } from '../../src-main/services';
import type { Engine } from '../../src-main/engine';
import type { RunWeights } from '../../src-shared/contract/runs';
import type { RunExplanation } from '../../src-shared/contract/explain';
import type { BacktestRequest } from '../../src-main/backtest/run';
import { tempEngine } from './engine';
import { storeRuns } from './runs';
import { collectPageErrors, ensureBuilt, launchBrowser, openSignedIn } from './browser';

export interface Desk<E extends Engine = Engine> {
  readonly engine: E;
  readonly host: Host;
  readonly browser: Browser;
  readonly page: Page;
  /** the page's console errors and uncaught exceptions so far (a suite checks it stays empty) */
  readonly errors: string[];
  /** A service's value, as the desk's bridge answers it; a failed call throws with the service's message. */
  call<T>(channel: string, req: object): Promise<T>;
  /** The trimmed text of the first element matching `selector` ('' when it has none). */
  text(selector: string): Promise<string>;
  /**
   * How far, in px, the page and the box `inner` (the view's scrolling content by default) scroll sideways: 0 and 0
   * when everything fits (an absent box counts 0).
   */
  overflow(inner?: string): Promise<{ page: number; content: number }>;
  /** Whether the page is wider than its window (the whole document scrolls sideways). */
  overflows(): Promise<boolean>;
  /** The test id of the element that has the keyboard focus (null when it has none). */
  focused(): Promise<string | null>;
}

/** The little of the page's DOM these checks read (the tests compile without the DOM library). */
interface BrowserDocument {
  activeElement: { getAttribute(name: string): string | null } | null;
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelector(selector: string): { scrollWidth: number; clientWidth: number } | null;
}

export interface DeskOptions {
  /** the signed-in page's context: viewport, downloads */
  page: BrowserContextOptions;
  /** how long making the engine and opening the desk may take, ms */
  timeoutMs?: number;
}

/** Open a desk over the engine `makeEngine` returns (runs stored before the host starts) for this suite. */
export function useDesk<E extends Engine>(makeEngine: () => E | Promise<E>, options: DeskOptions): Desk<E> {
  const opened: { engine?: E; host?: Host; browser?: Browser; page?: Page } = {};
  const errors: string[] = [];
  beforeAll(async () => {
    const rendererDir = ensureBuilt();
    opened.engine = await makeEngine();
    opened.host = await startHost(opened.engine, { rendererDir });
    opened.browser = await launchBrowser();
    opened.page = await openSignedIn(opened.browser, opened.host, options.page);
    collectPageErrors(opened.page, errors);
  }, options.timeoutMs ?? 600_000);
  afterAll(async () => {
    await opened.browser?.close();
    await opened.host?.close();
    opened.engine?.close();
  });
  const part = <K extends keyof typeof opened>(k: K): NonNullable<(typeof opened)[K]> => {
    const v = opened[k];
    if (v === undefined) throw new Error(`the desk's ${k} is not open: its beforeAll failed or has not run`);
    return v as NonNullable<(typeof opened)[K]>;
  };
  const overflow = (inner = '.content'): Promise<{ page: number; content: number }> =>
    part('page').evaluate((sel) => {
      const doc = (globalThis as unknown as { document: BrowserDocument }).document;
      const c = doc.querySelector(sel);
      return {
        page: doc.documentElement.scrollWidth - doc.documentElement.clientWidth,
        content: c ? c.scrollWidth - c.clientWidth : 0,
      };
    }, inner);
  return {
    get engine() {
      return part('engine');
    },
    get host() {
      return part('host');
    },
    get browser() {
      return part('browser');
    },
    get page() {
      return part('page');
    },
    errors,
    async call<T>(channel: string, req: object): Promise<T> {
      const r = await dispatch(part('engine'), channel, req);
      if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
      return r.value as T;
    },
    async text(selector: string): Promise<string> {
      return ((await part('page').locator(selector).first().textContent()) ?? '').trim();
    },
    overflow,
    async overflows() {
      return (await overflow()).page > 0;
    },
    focused() {
      return part('page').evaluate(
        () =>
          (globalThis as unknown as { document: BrowserDocument }).document.activeElement?.getAttribute(
            'data-testid',
          ) ?? null,
      );
    },
  };
}

/** The page most suites open: a wide window, where every view lays out without scrolling sideways. */
export const WIDE_PAGE: DeskOptions = { page: { viewport: { width: 1600, height: 1000 } } };

/**
 * {@link useDesk} over a fresh engine holding the runs of `req`, each checked complete (`storeRuns`);
 * `runId(strategy)` answers that strategy's run once the desk is open.
 */
export function useDeskOnRuns(
  req: BacktestRequest,
  options: DeskOptions = WIDE_PAGE,
): Desk<ReturnType<typeof tempEngine>> & { runId(strategy: string): string } {
  let ids: Record<string, string> = {};
  const desk = useDesk(async () => {
    const engine = tempEngine();
    ids = await storeRuns(engine, req);
    return engine;
  }, options);
  return Object.assign(desk, {
    runId(strategy: string): string {
      const id = ids[strategy];
      if (id === undefined) throw new Error(`no ${strategy} run: the desk's runs are ${Object.keys(ids).join(', ')}`);
      return id;
    },
  });
}

/**
 * On Agents, opened on `runId`: check that the asset chosen is the decision's largest holding, press Explain (a job in
 * its own process) and wait for the words. Answers the decision's weights, that holding, the explanation as
 * explain.get serves it (checked to explain that holding) and the words the page shows.
 */
export async function explainLargestHolding(
  desk: Desk,
  runId: string,
): Promise<{ weights: RunWeights; top: string; explanation: RunExplanation; words: string }> {
  const weights = await desk.call<RunWeights>('runs.weights', { id: runId });
  const top = weights.tickers[weights.final.weights.indexOf(Math.max(...weights.final.weights))]!;
  expect(await desk.page.locator('[data-testid="explain-asset"]').inputValue()).toBe(top);
  await desk.page.click('[data-testid="explain-run"]');
  await desk.page.locator('[data-testid="explain-words"]').waitFor({ timeout: 240_000 });
  const explanation = await desk.call<RunExplanation>('explain.get', { runId });
  expect(explanation.subject).toBe(top);
  return { weights, top, explanation, words: await desk.text('[data-testid="explain-words"]') };
}
