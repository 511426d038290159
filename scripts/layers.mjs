/**
 * The layers of the code base, bottom first, and the one rule over them: a module may import its own layer and the
 * layers below it, never a layer above. Two stacks share the bottom: the engine (src-main) and the desk
 * (src-renderer) both stand on src-shared and never import each other.
 *
 * One table, two users: eslint.config.js reports an upward import where it is written (`hdrl/layers`), and
 * test/contract/layers.test.ts checks the whole import graph with it. docs/architecture.md explains each layer.
 *
 * A layer is a list of path prefixes relative to the repository root (a folder, or one file); a file belongs to the
 * layer of its longest matching prefix, so a file can be placed apart from its folder (the job worker is a shell,
 * the rest of jobs/ is not).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @typedef {{ name: string, stack: 'shared' | 'main' | 'renderer', paths: string[] }} Layer */

/** @type {Layer[]} bottom first */
export const LAYERS = [
  { name: 'domain', stack: 'shared', paths: ['src-shared/domain'] },
  { name: 'contract', stack: 'shared', paths: ['src-shared/contract'] },
  { name: 'charts', stack: 'shared', paths: ['src-shared/charts'] },
  { name: 'renderer', stack: 'renderer', paths: ['src-renderer'] },
  { name: 'base', stack: 'main', paths: ['src-main/version.ts'] },
  { name: 'metrics', stack: 'main', paths: ['src-main/metrics'] },
  { name: 'market', stack: 'main', paths: ['src-main/market'] },
  { name: 'compute', stack: 'main', paths: ['src-main/compute'] },
  // the DDPG, TD3, SAC, PPO, EIIE, Long/Hold/Short classifier and MAPS updates and the SAMP networks described to the ONNX
  // training engine: agent code that lives beside the engine it is parity-tested with
  {
    name: 'agents',
    stack: 'main',
    paths: [
      'src-main/agents',
      'src-main/compute/train/ddpg.ts',
      'src-main/compute/train/td3.ts',
      'src-main/compute/train/sac.ts',
      'src-main/compute/train/ppo.ts',
      'src-main/compute/train/twin.ts',
      'src-main/compute/train/samp.ts',
      'src-main/compute/train/eiie.ts',
      'src-main/compute/train/ppn.ts',
      'src-main/compute/train/lhs.ts',
      'src-main/compute/train/maps.ts',
      'src-main/compute/train/hadaps.ts',
      'src-main/compute/train/hadapsLearner.ts',
      'src-main/compute/train/mplsGraph.ts',
      'src-main/compute/train/mplsVolatility.ts',
    ],
  },
  { name: 'store', stack: 'main', paths: ['src-main/store'] },
  // the job runner, its process protocol and the context a job kind receives; the kinds and the worker sit higher
  { name: 'jobs', stack: 'main', paths: ['src-main/jobs'] },
  { name: 'data', stack: 'main', paths: ['src-main/data'] },
  { name: 'strategies', stack: 'main', paths: ['src-main/strategies'] },
  { name: 'explain', stack: 'main', paths: ['src-main/explain'] },
  { name: 'backtest', stack: 'main', paths: ['src-main/backtest'] },
  { name: 'analytics', stack: 'main', paths: ['src-main/analytics'] },
  { name: 'reports', stack: 'main', paths: ['src-main/reports'] },
  { name: 'job-kinds', stack: 'main', paths: ['src-main/jobs/kinds.ts'] },
  { name: 'engine', stack: 'main', paths: ['src-main/engine.ts'] },
  // books/ is the book workflow the services expose: it answers in contract shapes and throws the services' errors
  { name: 'services', stack: 'main', paths: ['src-main/services', 'src-main/books'] },
  {
    name: 'shells',
    stack: 'main',
    paths: ['src-main/electron', 'src-main/host', 'src-main/cli', 'src-main/jobs/worker.ts'],
  },
];

/**
 * Upward imports that are known and argued for, as `from -> to` (repository paths). At most one may ever be listed
 * (test/contract/layers.test.ts holds it to that); each needs its reason here.
 * @type {Record<string, string>}
 */
export const ALLOWED_UPWARD = {};

const toPosix = (p) => p.split(path.sep).join('/');

/** Repository-relative path of an absolute file path. */
export function relPath(file) {
  return toPosix(path.relative(ROOT, file));
}

/** The layer of a repository-relative path, with its rank (index in LAYERS), or null outside every layer. */
export function layerOf(rel) {
  let best = null;
  let bestLen = -1;
  LAYERS.forEach((layer, rank) => {
    for (const p of layer.paths) {
      if ((rel === p || rel.startsWith(`${p}/`)) && p.length > bestLen) {
        best = { ...layer, rank };
        bestLen = p.length;
      }
    }
  });
  return best;
}

/**
 * The repository-relative file an import specifier names, or null for a package. Relative specifiers and the
 * renderer's `@shared/` alias name files in the repository; the extension is found as TypeScript and Vite find it
 * (.ts, .vue, a folder's index.ts). A specifier naming no file gives null too.
 */
export function resolveImport(fromRel, spec) {
  let base;
  if (spec.startsWith('.')) base = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec));
  else if (spec.startsWith('@shared/')) base = `src-shared/${spec.slice('@shared/'.length)}`;
  else return null;
  for (const candidate of [
    base,
    `${base}.ts`,
    `${base}.d.ts`,
    `${base}.vue`,
    `${base}/index.ts`,
    base.replace(/\.js$/, '.ts'),
  ]) {
    const abs = path.join(ROOT, candidate);
    if (fs.existsSync(abs) && fs.statSync(abs).isFile()) return candidate;
  }
  return null;
}

/**
 * Why importing `toRel` from `fromRel` breaks the layering, or null when it does not (both repository-relative).
 */
export function layerViolation(fromRel, toRel) {
  const from = layerOf(fromRel);
  const to = layerOf(toRel);
  if (!from || !to || from.name === to.name) return null;
  if (from.stack !== to.stack && to.stack !== 'shared')
    return `${from.name} (${from.stack}) may not import ${to.name} (${to.stack}): the two stacks meet only in src-shared`;
  if (to.rank > from.rank) return `${from.name} may not import ${to.name}, a layer above it`;
  return null;
}
