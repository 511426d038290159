import type { z } from 'zod';
import type { Channel, Contract } from '../../src-shared/contract';
import type { Engine } from '../engine';

/**
 * Who sent a request. The CLI and tests act as the machine's user and may name any path; the browser (headless
 * host) may only name files it uploaded; the Electron window may also name the files its file dialog returned.
 */
export interface Caller {
  shell: 'cli' | 'host' | 'ipc';
  /** paths the user picked in the desktop file dialog during this session (ipc only) */
  grantedPaths?: ReadonlySet<string>;
}

/** The trusted local caller (CLI, job worker, tests). */
export const LOCAL_CALLER: Caller = Object.freeze({ shell: 'cli' });

/** A handler receives the validated request and returns the response (checked against the contract on the way out). */
export type Handler<C extends Channel> = (
  req: z.output<Contract[C]['request']>,
  engine: Engine,
  caller: Caller,
) => z.input<Contract[C]['response']> | Promise<z.input<Contract[C]['response']>>;

export type Handlers<K extends Channel = Channel> = { [C in K]: Handler<C> };
