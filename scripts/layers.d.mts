// Types of scripts/layers.mjs for the TypeScript tests that use it.
export interface Layer {
  name: string;
  stack: 'shared' | 'main' | 'renderer';
  paths: string[];
}
export const ROOT: string;
export const LAYERS: Layer[];
export const ALLOWED_UPWARD: Record<string, string>;
export function relPath(file: string): string;
export function layerOf(rel: string): (Layer & { rank: number }) | null;
export function resolveImport(fromRel: string, spec: string): string | null;
export function layerViolation(fromRel: string, toRel: string): string | null;
