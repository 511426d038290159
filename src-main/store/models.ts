/**
 * Trained models as files next to the database (docs/architecture.md "Storage"): `<db dir>/hdrl-data/models/<key>.json`,
 * the serialised SAMP-HDRL artifacts (tfjs-format actor and critic weights, the ONNX policy, their sha256, the
 * config, seed and training window). Writes go to a temporary file renamed into place, so a killed process never
 * leaves half a model; reads verify the checksums (SampPolicy.load) before a model is used. `listStoredModels`
 * describes the folder for the desk (models.list) from each file's head, without loading any weights.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DB } from './db';
import {
  parseSampArtifacts,
  serializeSampArtifacts,
  type SampArtifacts,
  type SampModelStore,
  type SampTrainingSummary,
} from '../agents/samp/artifacts';
import { parseEiieArtifacts, serializeEiieArtifacts, type EiieModelStore } from '../agents/eiie/artifacts';
import { parseHadapsArtifacts, serializeHadapsArtifacts, type HadapsModelStore } from '../agents/hadaps/artifacts';
import { parseLhsArtifacts, serializeLhsArtifacts, type LhsModelStore } from '../agents/lhs/artifacts';

/** The models folder for a database file (none for an in-memory database). */
export function modelsDir(db: DB): string | null {
  if (!db.name || db.name === ':memory:' || db.memory) return null;
  return path.join(path.dirname(path.resolve(db.name)), 'hdrl-data', 'models');
}

export function modelFile(dir: string, key: string): string {
  if (!/^[0-9a-f]{16,128}$/.test(key)) throw new Error(`bad model key ${key.slice(0, 20)}`);
  return path.join(dir, `${key}.json`);
}

/** Write `text` to `file` through a temporary file renamed into place, so a killed process never leaves half a model. */
async function writeWhole(dir: string, file: string, text: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, text);
  await fs.promises.rename(tmp, file);
}

/** A SampModelStore over a folder of artifact files. */
export function fileModelStore(dir: string): SampModelStore {
  return {
    async get(key) {
      const f = modelFile(dir, key);
      if (!fs.existsSync(f)) return undefined;
      return parseSampArtifacts(await fs.promises.readFile(f, 'utf8'));
    },
    async put(key, artifacts) {
      await writeWhole(dir, modelFile(dir, key), serializeSampArtifacts(artifacts));
    },
  };
}

/**
 * A store of one family's models in the same folder, each as `<prefix>-<key>.json` written by `serialize` and read
 * by `parse`: a name the SAMP listing below does not take for one of its models.
 */
function prefixedModelStore<A>(
  dir: string,
  prefix: string,
  serialize: (a: A) => string,
  parse: (text: string) => A,
): { get(key: string): Promise<A | undefined>; put(key: string, artifacts: A): Promise<void> } {
  const file = (key: string) => path.join(dir, `${prefix}-${path.basename(modelFile(dir, key))}`);
  return {
    async get(key) {
      const f = file(key);
      if (!fs.existsSync(f)) return undefined;
      return parse(await fs.promises.readFile(f, 'utf8'));
    },
    async put(key, artifacts) {
      await writeWhole(dir, file(key), serialize(artifacts));
    },
  };
}

/** An EiieModelStore over the same folder: `eiie-<key>.json` (agents/eiie/artifacts.ts). */
export function fileEiieModelStore(dir: string): EiieModelStore {
  return prefixedModelStore(dir, 'eiie', serializeEiieArtifacts, parseEiieArtifacts);
}

/** An LhsModelStore over the same folder: `lhs-<key>.json` (agents/lhs/artifacts.ts), for mlp-lhs and cnn-lhs. */
export function fileLhsModelStore(dir: string): LhsModelStore {
  return prefixedModelStore(dir, 'lhs', serializeLhsArtifacts, parseLhsArtifacts);
}

/** A HadapsModelStore over the same folder: `hadaps-<key>.json` (agents/hadaps/artifacts.ts). */
export function fileHadapsModelStore(dir: string): HadapsModelStore {
  return prefixedModelStore(dir, 'hadaps', serializeHadapsArtifacts, parseHadapsArtifacts);
}

/** Load stored artifacts by key from the database's models folder, or undefined. */
export async function loadModelArtifacts(db: DB, key: string): Promise<SampArtifacts | undefined> {
  const dir = modelsDir(db);
  return dir ? fileModelStore(dir).get(key) : undefined;
}

/** What the desk shows of one stored model (read without loading its weights). */
export interface StoredModelInfo {
  key: string;
  /** the strategy id it was trained for: samp-hdrl, one of its ablations, or ddpg-flat */
  variant: string;
  /** the networks it has: hierarchical, upper-only or flat */
  kind: string;
  seed: number;
  /** quick, paper, or custom (a preset with overrides) */
  preset: string;
  /** number of assets it allocates over */
  assets: number;
  trainFrom: string;
  trainTo: string;
  /** the training engine: onnxruntime-cpu, onnxruntime-cuda, or a tfjs backend */
  backend: string;
  /** when the file was written (it is written once, when training ends) */
  trainedAt: string;
  /** wall time of the training, or null where the file does not say */
  trainingMs: number | null;
  /**
   * how it was trained and chosen: training and validation periods, episodes, updates, and per stage the
   * validation curve and the chosen checkpoint (agents/samp/artifacts.ts SampTrainingSummary); null for models
   * of training revisions up to 3, which had no validation
   */
  training: SampTrainingSummary | null;
  bytes: number;
  /** the stored runs that decided with it */
  runs: { id: string; universe: string; strategy: string; seed: number; windowFrom: string; windowTo: string }[];
}

/** A file in the models folder that could not be read as a model, and why. */
export interface UnreadableModel {
  file: string;
  reason: string;
}

/** Bytes read from the start of a file for its description (the weights come after it). */
const HEAD_BYTES = 256 * 1024;
/** Bytes read from the end for the training time (the last field). */
const TAIL_BYTES = 4 * 1024;

/**
 * The description fields of a model file. serializeSampArtifacts writes the artifacts' fields in a fixed order —
 * format, variant, kind, config, seed, tickers, train, backend, training, then the weights — so the description is the
 * head of the file up to `"params":`; a file laid out otherwise is parsed whole (slower, same answer).
 */
interface ModelHead {
  format?: unknown;
  variant?: unknown;
  kind?: unknown;
  config?: { preset?: unknown };
  seed?: unknown;
  tickers?: unknown;
  train?: { startDate?: unknown; endDate?: unknown };
  backend?: unknown;
  training?: unknown;
  elapsedMs?: unknown;
}

/**
 * Index of the comma before the top-level key `key` of the JSON object `text` starts with (-1 when the key is
 * not among the top-level keys in `text`): a scan that skips strings and nested values, so a nested field of the
 * same name is never taken for it.
 */
export function topLevelKeyAt(text: string, key: string): number {
  let depth = 0;
  let lastComma = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (
        depth === 1 &&
        lastComma >= 0 &&
        text.slice(lastComma + 1, start).trim() === '' &&
        text.slice(start + 1, i) === key
      )
        return lastComma;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) lastComma = i;
  }
  return -1;
}

async function readModelHead(file: string, size: number): Promise<{ head: ModelHead; elapsedMs: number | null }> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const headBuf = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await fh.read(headBuf, 0, headBuf.length, 0);
    const text = headBuf.toString('utf8');
    const cut = topLevelKeyAt(text, 'params');
    if (cut > 0) {
      const tailBuf = Buffer.alloc(Math.min(TAIL_BYTES, size));
      await fh.read(tailBuf, 0, tailBuf.length, size - tailBuf.length);
      const m = /"elapsedMs":(-?[0-9.eE+-]+)\}\s*$/.exec(tailBuf.toString('utf8'));
      const elapsed = m ? Number(m[1]) : Number.NaN;
      return {
        head: JSON.parse(text.slice(0, cut) + '}') as ModelHead,
        elapsedMs: Number.isFinite(elapsed) ? elapsed : null,
      };
    }
  } finally {
    await fh.close();
  }
  const whole = JSON.parse(await fs.promises.readFile(file, 'utf8')) as ModelHead;
  return {
    head: whole,
    elapsedMs: typeof whole.elapsedMs === 'number' && Number.isFinite(whole.elapsedMs) ? whole.elapsedMs : null,
  };
}

const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * Every model stored next to the database, newest first, with the runs that used it (runs.model_path names the
 * model's file), and the files of the folder that are not readable models. Reads only each file's description,
 * never its weights; writes nothing.
 */
export async function listStoredModels(
  db: DB,
): Promise<{ dir: string | null; models: StoredModelInfo[]; unreadable: UnreadableModel[] }> {
  const dir = modelsDir(db);
  if (!dir || !fs.existsSync(dir)) return { dir, models: [], unreadable: [] };
  const runsByKey = new Map<string, StoredModelInfo['runs']>();
  const rows = db
    .prepare(
      `SELECT id, universe_id, strategy, seed, window_from, window_to, model_path FROM runs WHERE model_path IS NOT NULL AND status = 'complete' ORDER BY window_from, strategy, seed`,
    )
    .all() as {
    id: string;
    universe_id: string;
    strategy: string;
    seed: number;
    window_from: string;
    window_to: string;
    model_path: string;
  }[];
  for (const r of rows) {
    const key = /([0-9a-f]{16,128})\.json$/.exec(r.model_path)?.[1];
    if (!key) continue;
    const list = runsByKey.get(key) ?? [];
    list.push({
      id: r.id,
      universe: r.universe_id,
      strategy: r.strategy,
      seed: r.seed,
      windowFrom: r.window_from,
      windowTo: r.window_to,
    });
    runsByKey.set(key, list);
  }
  const models: StoredModelInfo[] = [];
  const unreadable: UnreadableModel[] = [];
  for (const name of (await fs.promises.readdir(dir)).sort()) {
    const key = /^([0-9a-f]{16,128})\.json$/.exec(name)?.[1];
    if (!key) continue; // temporary files of a write in progress, and anything else that is not a model
    const file = path.join(dir, name);
    try {
      const st = await fs.promises.stat(file);
      if (!st.isFile()) continue;
      const { head, elapsedMs } = await readModelHead(file, st.size);
      if (head.format !== 'samp-artifacts-v1') throw new Error(`unknown format ${JSON.stringify(head.format ?? null)}`);
      const seed = head.seed;
      if (
        !text(head.variant) ||
        !text(head.kind) ||
        typeof seed !== 'number' ||
        !Array.isArray(head.tickers) ||
        !text(head.train?.startDate) ||
        !text(head.train?.endDate)
      ) {
        throw new Error('the description lacks its variant, kind, seed, tickers or training window');
      }
      models.push({
        key,
        variant: head.variant,
        kind: head.kind,
        seed,
        preset: text(head.config?.preset) ? head.config.preset : 'unknown',
        assets: head.tickers.length,
        trainFrom: head.train.startDate,
        trainTo: head.train.endDate,
        backend: text(head.backend) ? head.backend : 'unknown',
        trainedAt: st.mtime.toISOString(),
        trainingMs: elapsedMs,
        training:
          head.training &&
          typeof head.training === 'object' &&
          Array.isArray((head.training as { stages?: unknown }).stages)
            ? (head.training as SampTrainingSummary)
            : null,
        bytes: st.size,
        runs: runsByKey.get(key) ?? [],
      });
    } catch (e) {
      unreadable.push({ file: name, reason: (e as Error).message });
    }
  }
  models.sort((a, b) => b.trainedAt.localeCompare(a.trainedAt) || a.key.localeCompare(b.key));
  return { dir, models, unreadable };
}
