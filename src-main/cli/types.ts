import type { ParseArgsConfig } from 'node:util';
import type { Engine } from '../engine';

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** usage line(s) after `hdrl <name>` */
  usage: string;
  options?: ParseArgsConfig['options'];
  /** false for commands that do not open the database (default true) */
  needsEngine?: boolean;
  /** exit status: 0 ok, 1 failure, 2 rejected input */
  run(ctx: {
    args: Record<string, unknown>;
    positionals: string[];
    engine: Engine | null;
    io: CliIO;
    dbPath?: string;
  }): Promise<number>;
}

/** Thrown for bad command-line usage: printed with the usage line, exit status 2. */
export class UsageError extends Error {}
