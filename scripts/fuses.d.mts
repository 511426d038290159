/** Types of scripts/fuses.mjs for the TypeScript tests that import it. */
import type { FuseV1Config, flipFuses } from '@electron/fuses';

export declare const FUSES: Readonly<FuseV1Config>;
export declare function applyFuses(
  executable: string,
  opts?: { flip?: typeof flipFuses; platform?: NodeJS.Platform; arch?: string },
): Promise<string>;
