/**
 * The contract is the only path between renderer and engine: src-shared imports nothing from Node, Electron,
 * the DOM, src-main or src-renderer, and src-renderer never imports src-main. src-shared/domain (the run
 * vocabulary both sides share) is the bottom layer: it imports only zod and itself, not even the contract. The
 * checker is tested on deliberately wrong sources so it cannot pass vacuously.
 *
 * Above those, the layers of scripts/layers.mjs (docs/architecture.md): every source file belongs to a layer, and no
 * import runs up from a lower layer to a higher one, or across between the engine and the desk, except the at most
 * one upward import that table lists with its reason. A source file over 500 lines says in its header why it is
 * long (or is split).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED_UPWARD, LAYERS, layerOf, layerViolation } from '../../scripts/layers.mjs';
import { buildImportGraph } from './importGraph';

const ROOT = path.resolve(__dirname, '../..');
const IMPORT_RE =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/gm;
const NODE_BUILTINS = new Set([
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'http',
  'https',
  'net',
  'url',
  'util',
  'events',
  'stream',
  'worker_threads',
  'module',
  'process',
  'buffer',
  'zlib',
  'readline',
  'tty',
  'dns',
  'cluster',
  'vm',
  'v8',
  'perf_hooks',
  'assert',
  'timers',
]);
// a name followed by ':' is an object key or property type (a run config's `window`), not the global
const DOM_GLOBALS = /\b(window|document|localStorage|navigator|HTMLElement|EventSource)\b(?!\??\s*:)/;

function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
  return out;
}

function filesUnder(dir: string, exts = ['.ts', '.vue']): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, exts));
    else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
  }
  return out;
}

/** Violations for a file in src-shared. */
export function sharedViolations(file: string, source: string): string[] {
  const v: string[] = [];
  for (const spec of importsOf(source)) {
    const bare = spec.replace(/^node:/, '').split('/')[0]!;
    if (spec.startsWith('node:') || NODE_BUILTINS.has(bare)) v.push(`${file}: imports Node module ${spec}`);
    else if (bare === 'electron') v.push(`${file}: imports electron`);
    else if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(file), spec);
      if (!target.startsWith(path.join(ROOT, 'src-shared'))) v.push(`${file}: imports ${spec} outside src-shared`);
    } else if (bare !== 'zod') v.push(`${file}: imports package ${spec} (src-shared may use zod only)`);
  }
  const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  if (DOM_GLOBALS.test(code)) v.push(`${file}: uses a DOM global`);
  return v;
}

/** Violations for a file in src-shared/domain: those of src-shared, and any import from outside the domain. */
export function domainViolations(file: string, source: string): string[] {
  const v = sharedViolations(file, source);
  for (const spec of importsOf(source)) {
    if (!spec.startsWith('.')) continue;
    const target = path.resolve(path.dirname(file), spec);
    if (target.startsWith(path.join(ROOT, 'src-shared')) && !target.startsWith(path.join(ROOT, 'src-shared/domain')))
      v.push(`${file}: imports ${spec} outside src-shared/domain`);
  }
  return v;
}

/** Violations for a file in src-renderer. */
export function rendererViolations(file: string, source: string): string[] {
  const v: string[] = [];
  for (const spec of importsOf(source)) {
    const bare = spec.replace(/^node:/, '').split('/')[0]!;
    if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(file), spec);
      if (target.startsWith(path.join(ROOT, 'src-main'))) v.push(`${file}: imports src-main (${spec})`);
    } else if (spec.startsWith('node:') || NODE_BUILTINS.has(bare) || bare === 'electron')
      v.push(`${file}: imports ${spec}`);
    else if (spec.includes('src-main')) v.push(`${file}: imports src-main (${spec})`);
  }
  return v;
}

describe('layer rules', () => {
  it('src-shared imports only zod and itself, and touches no DOM', () => {
    const files = filesUnder(path.join(ROOT, 'src-shared'));
    expect(files.length).toBeGreaterThan(3);
    expect(files.flatMap((f) => sharedViolations(f, fs.readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('src-shared/domain imports only zod and itself', () => {
    const files = filesUnder(path.join(ROOT, 'src-shared/domain'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(files.flatMap((f) => domainViolations(f, fs.readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('src-renderer never imports src-main, Node or Electron', () => {
    const files = filesUnder(path.join(ROOT, 'src-renderer'));
    expect(files.length).toBeGreaterThan(5);
    expect(files.flatMap((f) => rendererViolations(f, fs.readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('catches a renderer import of src-main', () => {
    const f = path.join(ROOT, 'src-renderer/src/views/Bad.vue');
    expect(rendererViolations(f, `import { openEngine } from '../../../src-main/engine';`)).toHaveLength(1);
    expect(rendererViolations(f, `const x = await import('../../../src-main/store/db')`)).toHaveLength(1);
    expect(rendererViolations(f, `import fs from 'node:fs'`)).toHaveLength(1);
  });

  it('catches a Node, Electron, DOM or upward import in src-shared', () => {
    const f = path.join(ROOT, 'src-shared/contract/bad.ts');
    expect(sharedViolations(f, `import fs from 'node:fs';`)).toHaveLength(1);
    expect(sharedViolations(f, `import path from 'path';`)).toHaveLength(1);
    expect(sharedViolations(f, `import { app } from 'electron';`)).toHaveLength(1);
    expect(sharedViolations(f, `import { x } from '../../src-main/engine';`)).toHaveLength(1);
    expect(sharedViolations(f, `export const w = window.innerWidth;`)).toHaveLength(1);
    expect(
      sharedViolations(f, `export const s = z.object({ window: z.string() }); export const d = () => document.title;`),
    ).toHaveLength(1);
    expect(sharedViolations(f, `export const s = z.object({ window: z.string() });`)).toEqual([]);
    expect(sharedViolations(f, `import { z } from 'zod'; import { Id } from './define';`)).toEqual([]);
  });

  it('catches a domain import of the contract, of src-main or of Node', () => {
    const f = path.join(ROOT, 'src-shared/domain/bad.ts');
    expect(domainViolations(f, `import { RunSummary } from '../contract/runs';`)).toHaveLength(1);
    expect(domainViolations(f, `import { METRIC_NAMES } from '../../src-main/metrics';`)).toHaveLength(1);
    expect(domainViolations(f, `import { createHash } from 'node:crypto';`)).toHaveLength(1);
    expect(domainViolations(f, `import { z } from 'zod'; import { meanStd } from './stats';`)).toEqual([]);
  });
});

describe('layering', () => {
  const graph = buildImportGraph();

  it('places every source file in a layer', () => {
    expect(graph.size).toBeGreaterThan(200);
    expect([...graph.keys()].filter((f) => !layerOf(f))).toEqual([]);
  });

  it('no import runs up a layer, except the listed one', () => {
    const upward: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) {
        const why = layerViolation(from, to);
        if (why && !(`${from} -> ${to}` in ALLOWED_UPWARD)) upward.push(`${from} -> ${to}: ${why}`);
      }
    }
    expect(upward, `upward imports:\n${upward.join('\n')}`).toEqual([]);
  });

  it('lists at most one upward import, each still in the code and still upward', () => {
    const listed = Object.entries(ALLOWED_UPWARD);
    expect(listed.length).toBeLessThanOrEqual(1);
    for (const [arrow, reason] of listed) {
      const [from, to] = arrow.split(' -> ') as [string, string];
      expect(graph.get(from) ?? [], arrow).toContain(to);
      expect(layerViolation(from, to), arrow).not.toBeNull();
      expect(reason.length, arrow).toBeGreaterThan(20);
    }
  });

  it('catches an upward import, one between the stacks, and lets downward and same-layer ones pass', () => {
    expect(layerViolation('src-main/market/simulate.ts', 'src-main/strategies/types.ts')).toMatch(
      /market may not import strategies/,
    );
    expect(layerViolation('src-main/store/models.ts', 'src-main/strategies/samp/index.ts')).toMatch(
      /store may not import strategies/,
    );
    expect(layerViolation('src-main/compute/onnx/emitter.ts', 'src-main/agents/samp/policy.ts')).toMatch(
      /compute may not import agents/,
    );
    expect(layerViolation('src-main/data/job.ts', 'src-main/jobs/kinds.ts')).toMatch(/data may not import job-kinds/);
    expect(layerViolation('src-renderer/src/views/X.vue', 'src-main/engine.ts')).toMatch(/two stacks/);
    expect(layerViolation('src-main/services/runs.ts', 'src-renderer/src/api/client.ts')).toMatch(/two stacks/);
    expect(layerViolation('src-shared/contract/runs.ts', 'src-main/metrics/index.ts')).toMatch(/two stacks/);
    expect(layerViolation('src-shared/domain/decision.ts', 'src-shared/contract/runs.ts')).toMatch(
      /domain may not import contract/,
    );
    expect(layerViolation('src-main/jobs/worker.ts', 'src-main/jobs/kinds.ts')).toBeNull();
    expect(layerViolation('src-main/strategies/samp/model.ts', 'src-main/agents/samp/config.ts')).toBeNull();
    expect(layerViolation('src-main/cli/commands/serve.ts', 'src-main/host/server.ts')).toBeNull();
    expect(layerViolation('src-renderer/src/views/X.vue', 'src-shared/contract/runs.ts')).toBeNull();
    expect(LAYERS.map((l) => l.name)).toContain('shells');
  });
});

describe('SQL lives in the store', () => {
  it('src-main/reports holds no SQL: every query is a function of src-main/store', () => {
    const files = filesUnder(path.join(ROOT, 'src-main/reports'));
    expect(files.length).toBeGreaterThan(5);
    const sql = files.filter((f) => /\bSELECT\b|\.prepare\(/.test(fs.readFileSync(f, 'utf8')));
    expect(sql.map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});

/** Files over `limit` lines whose first comment does not say why they are long. */
export function unexplainedLongFiles(files: { path: string; source: string }[], limit = 500): string[] {
  return files
    .filter(({ source }) => source.split('\n').length > limit)
    .filter(
      ({ source }) =>
        !/^\s*(?:<script[^>]*>\s*)?(\/\*[\s\S]*?\*\/)/.exec(source)?.[1]?.includes('Why this file is long:'),
    )
    .map(({ path: p, source }) => `${p} (${source.split('\n').length} lines)`);
}

describe('file length', () => {
  it('a source file over 500 lines says in its header why it is long', () => {
    const files = ['src-main', 'src-shared', 'src-renderer'].flatMap((d) => filesUnder(path.join(ROOT, d)));
    expect(files.length).toBeGreaterThan(200);
    const long = unexplainedLongFiles(
      files.map((f) => ({ path: path.relative(ROOT, f), source: fs.readFileSync(f, 'utf8') })),
    );
    expect(long, 'add a "Why this file is long:" paragraph to the header comment, or split the file').toEqual([]);
  });

  it('catches a long file without the reason, also one that gives it outside the header', () => {
    const body = Array.from({ length: 501 }, (_, i) => `export const x${i} = ${i};`).join('\n');
    expect(unexplainedLongFiles([{ path: 'a.ts', source: `/** Short. */\n${body}` }])).toEqual(['a.ts (502 lines)']);
    expect(
      unexplainedLongFiles([{ path: 'a.ts', source: `/** Short. */\n${body}\n/** Why this file is long: no */` }]),
    ).toHaveLength(1);
    expect(
      unexplainedLongFiles([
        { path: 'a.ts', source: `/**\n * Short.\n *\n * Why this file is long: one engine.\n */\n${body}` },
      ]),
    ).toEqual([]);
    expect(unexplainedLongFiles([{ path: 'a.ts', source: body.split('\n').slice(0, 400).join('\n') }])).toEqual([]);
  });
});
