/**
 * Trained models as files next to the database (design.md "Storage"): `<db dir>/hdrl-data/models/<key>.json`,
 * the serialised SAMP-HDRL artifacts (tfjs-format actor and critic weights, the ONNX policy, their sha256, the
 * config, seed and training window). Writes go to a temporary file renamed into place, so a killed process never
 * leaves half a model; reads verify the checksums (SampPolicy.load) before a model is used.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DB } from './db';
import type { SampArtifacts, SampModelStore } from '../strategies/samp';

// the SAMP code (ONNX Runtime) loads only when a model is actually read or written
const samp = () => import('../strategies/samp');

/** The models folder for a database file (none for an in-memory database). */
export function modelsDir(db: DB): string | null {
  if (!db.name || db.name === ':memory:' || db.memory) return null;
  return path.join(path.dirname(path.resolve(db.name)), 'hdrl-data', 'models');
}

export function modelFile(dir: string, key: string): string {
  if (!/^[0-9a-f]{16,128}$/.test(key)) throw new Error(`bad model key ${key.slice(0, 20)}`);
  return path.join(dir, `${key}.json`);
}

/** A SampModelStore over a folder of artifact files. */
export function fileModelStore(dir: string): SampModelStore {
  return {
    async get(key) {
      const f = modelFile(dir, key);
      if (!fs.existsSync(f)) return undefined;
      return (await samp()).parseSampArtifacts(await fs.promises.readFile(f, 'utf8'));
    },
    async put(key, artifacts) {
      fs.mkdirSync(dir, { recursive: true });
      const f = modelFile(dir, key);
      const tmp = `${f}.${process.pid}.tmp`;
      await fs.promises.writeFile(tmp, (await samp()).serializeSampArtifacts(artifacts));
      await fs.promises.rename(tmp, f);
    },
  };
}

/** Load stored artifacts by key from the database's models folder, or undefined. */
export async function loadModelArtifacts(db: DB, key: string): Promise<SampArtifacts | undefined> {
  const dir = modelsDir(db);
  return dir ? fileModelStore(dir).get(key) : undefined;
}
