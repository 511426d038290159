/**
 * The one dispatcher behind every shell: validates the channel and the payload against the contract, calls the
 * handler, validates the response, and turns every failure into a typed ApiError. It never throws.
 */
import { z } from 'zod';
import { contract, isChannel, type ApiError, type ApiResult, type Channel } from '../../src-shared/contract';
import type { Engine } from '../engine';
import { DatabaseBusyError } from '../store/db';
import { ServiceError } from './errors';
import { LOCAL_CALLER, type Caller, type Handler, type Handlers } from './types';
import { appHandlers } from './app';
import { jobHandlers } from './jobs';
import { dataHandlers } from './data';
import { runHandlers } from './runs';
import { explainHandlers } from './explain';
import { noteHandlers } from './notes';
import { reportHandlers } from './reports';
import { bookHandlers } from './books';
import { modelHandlers } from './models';
import { analyticsHandlers } from './analytics';
import { newsHandlers } from './news';
import { mplsHandlers } from './mpls';

export const handlers: Handlers = {
  ...appHandlers,
  ...jobHandlers,
  ...dataHandlers,
  ...runHandlers,
  ...explainHandlers,
  ...noteHandlers,
  ...reportHandlers,
  ...bookHandlers,
  ...modelHandlers,
  ...analyticsHandlers,
  ...newsHandlers,
  ...mplsHandlers,
};

function zodIssues(e: z.ZodError): { path: string; message: string }[] {
  return e.issues.slice(0, 20).map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
}

/** A printable name for whatever arrived as a channel (it may be any value from an untrusted sender). */
export function describeChannel(ch: unknown): string {
  return typeof ch === 'string' ? ch.slice(0, 80) : `(${typeof ch})`;
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ServiceError) return { code: e.code, message: e.message, ...(e.issues ? { issues: e.issues } : {}) };
  if (e instanceof DatabaseBusyError) return { code: 'CONFLICT', message: e.message };
  if (e instanceof z.ZodError)
    return { code: 'BAD_REQUEST', message: 'the request does not match the contract', issues: zodIssues(e) };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message };
}

export async function dispatch(
  engine: Engine,
  channel: unknown,
  payload: unknown,
  caller: Caller = LOCAL_CALLER,
): Promise<ApiResult<unknown>> {
  if (!isChannel(channel)) {
    return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `no such channel: ${describeChannel(channel)}` } };
  }
  const spec = contract[channel];
  const parsed = spec.request.safeParse(payload ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      error: { code: 'BAD_REQUEST', message: `bad request for ${channel}`, issues: zodIssues(parsed.error) },
    };
  }
  try {
    const handler = handlers[channel] as Handler<Channel>;
    const value = await handler(parsed.data as never, engine, caller);
    const out = spec.response.safeParse(value);
    if (!out.success) {
      return {
        ok: false,
        error: {
          code: 'INTERNAL',
          message: `the engine's response for ${channel} broke the contract`,
          issues: zodIssues(out.error),
        },
      };
    }
    return { ok: true, value: out.data };
  } catch (e) {
    if (!(e instanceof ServiceError || e instanceof DatabaseBusyError)) console.error(`[${channel}]`, e);
    return { ok: false, error: toApiError(e) };
  }
}
