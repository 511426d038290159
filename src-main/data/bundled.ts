/** Loads the bundled DJIA 30 universe on first start (placeholder until the importer lands). */
import type { DB } from '../store/db';
export function ensureDefaultUniverse(_db: DB): void {}
