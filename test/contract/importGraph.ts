/**
 * The import graph of the application sources (src-main, src-shared, src-renderer), read from the TypeScript and
 * Vue files themselves with TypeScript's own import scanner: static imports, `export ... from`, dynamic `import()`
 * and type-only imports alike. A type-only import is an edge too: it still says which module knows which, and a
 * cycle through types is the same tangle as one through values. Shared by cycles.test.ts and layers.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { relPath, resolveImport, ROOT } from '../../scripts/layers.mjs';

export const SOURCE_ROOTS = ['src-main', 'src-shared', 'src-renderer'];

/** Repository-relative file -> the repository files it imports (packages left out). */
export type ImportGraph = Map<string, string[]>;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|vue)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** The import specifiers of one source text (a .vue file's <script> blocks only). */
export function importSpecifiers(source: string, vue = false): string[] {
  const code = vue ? [...source.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n') : source;
  return ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName);
}

/** Edges of one file: the repository files its specifiers name. */
export function importsOf(rel: string, source: string): string[] {
  const out = new Set<string>();
  for (const spec of importSpecifiers(source, rel.endsWith('.vue'))) {
    const target = resolveImport(rel, spec);
    if (target) out.add(target);
  }
  return [...out];
}

export function buildImportGraph(roots = SOURCE_ROOTS): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const root of roots) {
    for (const file of sourceFiles(path.join(ROOT, root))) {
      const rel = relPath(file);
      graph.set(rel, importsOf(rel, fs.readFileSync(file, 'utf8')));
    }
  }
  return graph;
}

/**
 * Every import cycle, one per strongly connected component (Tarjan), each given as a concrete path
 * a -> b -> ... -> a through that component, so the message names the imports to cut.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((c) => cycleThrough(graph, new Set(c)));
}

/** A shortest cycle from the first (sorted) file of a component back to itself, staying inside the component. */
function cycleThrough(graph: ImportGraph, component: Set<string>): string[] {
  const start = [...component].sort()[0]!;
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const cycle = [start];
        for (let u = v; u !== start; u = parent.get(u)!) cycle.splice(1, 0, u);
        return [...cycle, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
