/**
 * Building blocks of the API contract: every service method the renderer may call is a channel
 * `service.method` with a zod schema for its request and its response. Plain TypeScript + zod only:
 * nothing in src-shared may import Node, Electron, the DOM, src-main or src-renderer (test/contract/layers.test.ts).
 */
import { z } from 'zod';

export interface MethodSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  description: string;
  request: Req;
  response: Res;
}

export function method<Req extends z.ZodType, Res extends z.ZodType>(
  description: string,
  request: Req,
  response: Res,
): MethodSpec<Req, Res> {
  return { description, request, response };
}

/** Bounded identifiers and strings: a payload can never carry an unbounded string across the boundary. */
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:/-]+$/, 'letters, digits and _.:/- only');
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
export const ShortText = z.string().max(256);
export const LongText = z.string().max(20_000);
export const Empty = z.object({}).strict();

/** Errors cross the boundary as this serialisable object, never as a thrown class instance. */
export const ApiErrorCode = z.enum([
  'BAD_REQUEST', // payload failed the schema
  'UNKNOWN_CHANNEL',
  'UNAUTHORIZED', // missing or wrong token / sender
  'NOT_FOUND',
  'INVALID_INPUT', // well-formed but rejected by the engine (bad CSV, unknown ticker...)
  'CONFLICT',
  'CANCELLED',
  'INTERNAL',
]);
export type ApiErrorCode = z.infer<typeof ApiErrorCode>;
export const ApiError = z.object({
  code: ApiErrorCode,
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ApiError = z.infer<typeof ApiError>;

/** The envelope every call returns, over IPC and HTTP alike. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };
