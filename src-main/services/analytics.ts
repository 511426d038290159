/** Handlers of the analytics.* channels (contract/analytics.ts), over src-main/analytics. */
import { AnalyticsInputError, learnedVerdicts, runsAnalytics } from '../analytics';
import { invalidInput, notFound } from './errors';
import type { Handlers } from './types';

/**
 * A value for the contract: every number that is not finite (NaN, ±Infinity) becomes null, at any depth; typed
 * arrays become plain arrays.
 */
export function finiteOrNull<T>(v: T): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView))
    return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : null));
  if (Array.isArray(v)) return v.map(finiteOrNull);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, finiteOrNull(x)]));
  return v;
}

function asServiceError(e: unknown): unknown {
  if (e instanceof AnalyticsInputError)
    return e.kind === 'not-found' ? notFound(e.message.replace(/ not found$/, '')) : invalidInput(e.message);
  return e;
}

export const analyticsHandlers: Handlers<'analytics.compare' | 'analytics.verdicts'> = {
  async 'analytics.compare'(req, engine) {
    try {
      const out = await runsAnalytics(engine.db, req.ids, {
        ...(req.benchmark !== undefined ? { benchmark: req.benchmark } : {}),
        ...(req.focus !== undefined ? { focus: req.focus } : {}),
        ...(req.rollingDays !== undefined ? { rollingDays: req.rollingDays } : {}),
      });
      return finiteOrNull(out) as never;
    } catch (e) {
      throw asServiceError(e);
    }
  },
  async 'analytics.verdicts'(req, engine) {
    try {
      return finiteOrNull(await learnedVerdicts(engine.db, req.universe)) as never;
    } catch (e) {
      throw asServiceError(e);
    }
  },
};
