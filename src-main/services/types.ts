import type { z } from 'zod';
import type { Channel, Contract } from '../../src-shared/contract';
import type { Engine } from '../engine';

/** A handler receives the validated request and returns the response (checked against the contract on the way out). */
export type Handler<C extends Channel> = (
  req: z.output<Contract[C]['request']>,
  engine: Engine,
) => z.input<Contract[C]['response']> | Promise<z.input<Contract[C]['response']>>;

export type Handlers<K extends Channel = Channel> = { [C in K]: Handler<C> };
