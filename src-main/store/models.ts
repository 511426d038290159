/**
 * Trained models as files next to the database (docs/architecture.md "Storage"): `<db dir>/hdrl-data/models/<key>.json`,
 * the serialised SAMP-HDRL artifacts (tfjs-format actor and critic weights, the ONNX policy, their sha256, the
 * config, seed and training window). Writes go to a temporary file renamed into place, so a killed process never
 * leaves half a model; reads verify the checksums (SampPolicy.load) before a model is used. `listStoredModels`
 * describes the folder for the desk (models.list) from each file's head, without loading any weights: the SAMP-HDRL
 * files (`<key>.json`) and the other families' (`hadaps-`, `eiie-`, `lhs-`, `ppn-`, `maps-`, `threelevel-` and `mpls-<key>.json`). Those do not record
 * the strategy id, seed or preset they were trained for; the listing takes them from the first stored run that
 * decided with the model.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DB } from './db';
import { MPLS_MODULES } from '../../src-shared/domain/decision';
import {
  parseSampArtifacts,
  serializeSampArtifacts,
  type SampArtifacts,
  type SampModelStore,
  type SampTrainingSummary,
} from '../agents/samp/artifacts';
import type { StageSummary } from '../agents/samp/episodes';
import { parseEiieArtifacts, serializeEiieArtifacts, type EiieModelStore } from '../agents/eiie/artifacts';
import { parsePpnArtifacts, serializePpnArtifacts, type PpnModelStore } from '../agents/ppn/artifacts';
import { parseHadapsArtifacts, serializeHadapsArtifacts, type HadapsModelStore } from '../agents/hadaps/artifacts';
import { parseLhsArtifacts, serializeLhsArtifacts, type LhsModelStore } from '../agents/lhs/artifacts';
import { parseMapsArtifacts, serializeMapsArtifacts, type MapsModelStore } from '../agents/maps/artifacts';
import { parseMplsArtifacts, serializeMplsArtifacts, type MplsModelStore } from '../agents/mpls/artifacts';
import {
  parseThreeLevelArtifacts,
  serializeThreeLevelArtifacts,
  threeLevelKind,
  type ThreeLevelModelStore,
} from '../agents/threelevel/artifacts';

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

/** A PpnModelStore over the same folder: `ppn-<key>.json` (agents/ppn/artifacts.ts); not in the desk's listing yet. */
export function filePpnModelStore(dir: string): PpnModelStore {
  return prefixedModelStore(dir, 'ppn', serializePpnArtifacts, parsePpnArtifacts);
}

/** An LhsModelStore over the same folder: `lhs-<key>.json` (agents/lhs/artifacts.ts), for mlp-lhs and cnn-lhs. */
export function fileLhsModelStore(dir: string): LhsModelStore {
  return prefixedModelStore(dir, 'lhs', serializeLhsArtifacts, parseLhsArtifacts);
}

/** A MapsModelStore over the same folder: `maps-<key>.json` (agents/maps/artifacts.ts); not in the desk's listing yet. */
export function fileMapsModelStore(dir: string): MapsModelStore {
  return prefixedModelStore(dir, 'maps', serializeMapsArtifacts, parseMapsArtifacts);
}

/** A HadapsModelStore over the same folder: `hadaps-<key>.json` (agents/hadaps/artifacts.ts). */
export function fileHadapsModelStore(dir: string): HadapsModelStore {
  return prefixedModelStore(dir, 'hadaps', serializeHadapsArtifacts, parseHadapsArtifacts);
}

/**
 * A ThreeLevelModelStore over the same folder: `threelevel-<key>.json` (agents/threelevel/artifacts.ts), one file per
 * trained level.
 */
export function fileThreeLevelModelStore(dir: string): ThreeLevelModelStore {
  return prefixedModelStore(dir, 'threelevel', serializeThreeLevelArtifacts, parseThreeLevelArtifacts);
}

/** An MplsModelStore over the same folder: `mpls-<key>.json` (agents/mpls/artifacts.ts). */
export function fileMplsModelStore(dir: string): MplsModelStore {
  return prefixedModelStore(dir, 'mpls', serializeMplsArtifacts, parseMplsArtifacts);
}

/** Load stored artifacts by key from the database's models folder, or undefined. */
export async function loadModelArtifacts(db: DB, key: string): Promise<SampArtifacts | undefined> {
  const dir = modelsDir(db);
  return dir ? fileModelStore(dir).get(key) : undefined;
}

/**
 * How a model was trained and chosen, as its file records it: a SAMP-HDRL file's whole summary, or a HADAPS file's
 * one stage (which records neither its day spans nor the validation days it held out: null).
 */
export type StoredTraining =
  SampTrainingSummary | { validationDays: number | null; episodes: number; updates: number; stages: StageSummary[] };

/** What the desk shows of one stored model (read without loading its weights). */
export interface StoredModelInfo {
  key: string;
  /**
   * the strategy id it was trained for: samp-hdrl, one of its ablations, or a flat agent; for the families whose
   * files do not say, the strategy of the first run that used it, else the family's name
   */
  variant: string;
  /** the networks it has: hierarchical, upper-only or flat; eiie; mlp or cnn classifier */
  kind: string;
  /** null where neither the file nor a run that used it says */
  seed: number | null;
  /** quick, paper, or custom (a preset with overrides); 'unknown' where neither the file nor a run says */
  preset: string;
  /** number of assets it allocates over; null where the file does not say */
  assets: number | null;
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
   * of training revisions up to 3, which had no validation, and for the families whose files keep no record
   */
  training: StoredTraining | null;
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
  /** the other families' config, model record and classes (`cfg`, `model`, `tickers`, `training` above) */
  cfg?: { policy?: unknown; model?: unknown; agents?: unknown; network?: unknown };
  /** PPN's asset count */
  nAssets?: unknown;
  /** a three-level file's level: 'execution' (Level 3), 'tactical' (Level 2) or 'strategic' (the learned Level 1) */
  level?: unknown;
  /** an MPLS file's modules: the reason of every module that was off, by name */
  modules?: { off?: unknown };
  model?: { backend?: unknown; trainedFrom?: unknown; trainedTo?: unknown };
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

/**
 * The description of a model file: its head up to the top-level key `weightsKey` where the weights start ('params'
 * in a SAMP-HDRL file, 'onnx' in the others; null: the whole file), and the training time a SAMP-HDRL file writes
 * last.
 */
async function readModelHead(
  file: string,
  size: number,
  weightsKey: string | null,
): Promise<{ head: ModelHead; elapsedMs: number | null }> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const headBuf = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await fh.read(headBuf, 0, headBuf.length, 0);
    const text = headBuf.toString('utf8');
    const cut = weightsKey === null ? -1 : topLevelKeyAt(text, weightsKey);
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

/** A MAPS file's networks in words: "8 mlp Q-agents". */
function mapsKind(cfg: { agents?: unknown; network?: unknown }): string {
  const n = typeof cfg.agents === 'number' && Number.isInteger(cfg.agents) ? String(cfg.agents) : 'several';
  return `${n} ${text(cfg.network) ? `${cfg.network} ` : ''}Q-agents`;
}

/** An MPLS file's modules in words: "volatility + graph modules" (the ones on, MPLS_MODULES order). */
function mplsKind(modules: ModelHead['modules']): string {
  const off = modules?.off && typeof modules.off === 'object' ? Object.keys(modules.off) : [];
  const on = MPLS_MODULES.filter((m) => !off.includes(m));
  return on.length ? `${on.join(' + ')} module${on.length === 1 ? '' : 's'}` : 'no module on';
}

/** The families whose files carry a name prefix (`<prefix>-<key>.json`), with the format each file names. */
const PREFIXED_FORMATS = {
  hadaps: 'hadaps-model-v1',
  eiie: 'eiie-model-v1',
  lhs: 'lhs-model-v1',
  ppn: 'ppn-model-v1',
  maps: 'maps-model-v1',
  threelevel: 'threelevel-model-v1',
  mpls: 'mpls-model-v1',
} as const;
type PrefixedFamily = keyof typeof PREFIXED_FORMATS;
/** A model file's name: the family prefix (none for SAMP-HDRL) and the key. */
const MODEL_FILE = /^(?:(hadaps|eiie|lhs|ppn|maps|threelevel|mpls)-)?([0-9a-f]{16,128})\.json$/;

/** What a run that decided with a model says of it: its strategy, seed and preset. */
interface ModelUse {
  strategy: string;
  seed: number;
  preset: string | null;
}

/**
 * The description of a HADAPS, EIIE, PPN, MAPS, Long/Hold/Short classifier, three-level or MPLS file (its head up to
 * the weights): the window and engine from its model record, the training record of a HADAPS or MPLS file, and what
 * the file does not say (strategy, seed, preset; an MPLS file names its strategy) from the first run that used it.
 * @throws Error when the file is not of its family's format or lacks its model record
 */
function describePrefixed(
  family: PrefixedFamily,
  head: ModelHead,
  use: ModelUse | undefined,
): Omit<StoredModelInfo, 'key' | 'trainedAt' | 'bytes' | 'runs'> {
  if (head.format !== PREFIXED_FORMATS[family])
    throw new Error(`unknown format ${JSON.stringify(head.format ?? null)} for a ${family}- file`);
  const m = head.model;
  if (!m || !text(m.trainedFrom) || !text(m.trainedTo))
    throw new Error('the description lacks its model record (training window)');
  const cfg = head.cfg ?? {};
  const t = head.training as (StageSummary & { elapsedMs?: unknown }) | undefined;
  // HADAPS and MPLS record their one stage (MPLS with the validation days it held out)
  const stage = (family === 'hadaps' || family === 'mpls') && Array.isArray(t?.validation) ? t! : null;
  const held = (t as { validationDays?: unknown } | undefined)?.validationDays;
  return {
    variant:
      (family === 'mpls' && text(head.variant) ? head.variant : undefined) ??
      use?.strategy ??
      (family === 'lhs' && text(cfg.model) ? `${cfg.model}-lhs` : family === 'threelevel' ? 'three-level' : family),
    kind:
      family === 'hadaps'
        ? text(cfg.policy)
          ? cfg.policy
          : 'hierarchical'
        : family === 'lhs'
          ? `${text(cfg.model) ? cfg.model : 'unknown'} classifier`
          : family === 'maps'
            ? mapsKind(cfg)
            : family === 'threelevel'
              ? threeLevelKind(head.level)
              : family === 'mpls'
                ? mplsKind(head.modules)
                : family,
    seed: use?.seed ?? null,
    preset: use?.preset ?? 'unknown',
    assets: Array.isArray(head.tickers)
      ? head.tickers.length
      : typeof head.nAssets === 'number' && Number.isInteger(head.nAssets)
        ? head.nAssets
        : null,
    trainFrom: m.trainedFrom,
    trainTo: m.trainedTo,
    backend: text(m.backend) ? m.backend : 'unknown',
    trainingMs:
      (stage ?? (family === 'threelevel' ? t : null)) && typeof t?.elapsedMs === 'number' ? t.elapsedMs : null,
    training: stage
      ? {
          validationDays: family === 'mpls' && typeof held === 'number' && Number.isInteger(held) ? held : null,
          episodes: stage.episodes,
          updates: stage.updates,
          stages: [
            {
              stage: stage.stage,
              episodes: stage.episodes,
              updates: stage.updates,
              endedBy: stage.endedBy,
              chosenEpisode: stage.chosenEpisode,
              chosen: stage.chosen,
              validation: stage.validation,
            },
          ],
        }
      : null,
  };
}

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
  const useByKey = new Map<string, ModelUse>();
  const rows = db
    .prepare(
      `SELECT id, universe_id, strategy, seed, window_from, window_to, model_path, COALESCE(json_extract(config, '$.params.preset'), json_extract(config, '$.preset')) AS preset FROM runs WHERE model_path IS NOT NULL AND status = 'complete' ORDER BY window_from, strategy, seed`,
    )
    .all() as {
    id: string;
    universe_id: string;
    strategy: string;
    seed: number;
    window_from: string;
    window_to: string;
    model_path: string;
    preset: unknown;
  }[];
  for (const r of rows) {
    const key = /([0-9a-f]{16,128})\.json$/.exec(r.model_path)?.[1];
    if (!key) continue;
    if (!useByKey.has(key))
      useByKey.set(key, { strategy: r.strategy, seed: r.seed, preset: text(r.preset) ? r.preset : null });
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
    const named = MODEL_FILE.exec(name);
    if (!named) continue; // temporary files of a write in progress, and anything else that is not a model
    const family = named[1] as PrefixedFamily | undefined;
    const key = named[2]!;
    const file = path.join(dir, name);
    try {
      const st = await fs.promises.stat(file);
      if (!st.isFile()) continue;
      if (family) {
        // a three-level file writes its model record after the policy bytes: it is read whole (a few kilobytes)
        // an MPLS file's agents' parameters come before its policy bytes: its description ends at them
        const weightsKey = family === 'threelevel' ? null : family === 'mpls' ? 'params' : 'onnx';
        const { head } = await readModelHead(file, st.size, weightsKey);
        models.push({
          key,
          ...describePrefixed(family, head, useByKey.get(key)),
          trainedAt: st.mtime.toISOString(),
          bytes: st.size,
          runs: runsByKey.get(key) ?? [],
        });
        continue;
      }
      const { head, elapsedMs } = await readModelHead(file, st.size, 'params');
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
