/**
 * The one contract between the renderer and the engine. The Electron preload exposes exactly these channels
 * as `window.api`, the headless host serves exactly these over HTTP, and main validates every payload
 * against the request schema before a handler sees it.
 *
 * To add a service: write `contract/<service>.ts` exporting `<service>Methods`, spread it below, and
 * implement the handlers in `src-main/services/<service>.ts`.
 */
import { z } from 'zod';
import { appMethods } from './app';
import { jobMethods, JobEvent } from './jobs';
import { runMethods } from './runs';
import { dataMethods } from './data';
import { explainMethods } from './explain';
import { noteMethods } from './notes';
import { reportMethods } from './reports';
import { bookMethods } from './books';
import { modelMethods } from './models';
import { analyticsMethods } from './analytics';
import { newsMethods } from './news';
import { mplsMethods } from './mpls';

export const contract = {
  ...appMethods,
  ...jobMethods,
  ...runMethods,
  ...dataMethods,
  ...explainMethods,
  ...noteMethods,
  ...reportMethods,
  ...bookMethods,
  ...modelMethods,
  ...analyticsMethods,
  ...newsMethods,
  ...mplsMethods,
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type Request<C extends Channel> = z.input<Contract[C]['request']>;
export type Response<C extends Channel> = z.output<Contract[C]['response']>;

/** Events pushed from main to the renderer (IPC `event:<name>` / server-sent events). */
export const events = {
  'job.update': JobEvent,
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const channels = Object.keys(contract) as Channel[];
export const eventNames = Object.keys(events) as EventName[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/**
 * Largest request body accepted by either transport, in bytes. A CSV import sends a path; the one exception is
 * data.previewImportText (an uploaded file of up to MAX_UPLOAD_CHARS = 5 MB for the headless host), hence 6 MB.
 */
export const MAX_REQUEST_BYTES = 6_000_000;

export * from './define';
export * from './app';
export * from './jobs';
export * from './runs';
export * from './data';
export * from './reports';
export * from './explain';
export * from './notes';
export * from './books';
export * from './models';
export * from './analytics';
export * from './news';
export * from './mpls';
