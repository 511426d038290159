/**
 * The bundled data set: resources/data/djia30-1991-2001.csv (wide: date + 30 tickers of daily closes) with its
 * .universe.json (name, source line, assets with ticker/name/class/sector), loaded on the first start as universe
 * `djia30` through the same reader and checks as any import, in one transaction. Two processes opening a new
 * database at once load it once: the write transaction checks again, holding the lock, that `djia30` is absent.
 */
import path from 'node:path';
import type { DB } from '../store/db';
import { resourcePath } from '../version';
import { readMetaFile } from './meta';
import { formatProblem } from './problems';
import { readImportFilesSync } from './reader';
import { commitImportSync } from './write';

/** Id of the bundled universe. */
export const DEFAULT_UNIVERSE_ID = 'djia30';
/** Bundled files, relative to resources/. */
export const DEFAULT_UNIVERSE_FILES = {
  csv: path.join('data', 'djia30-1991-2001.csv'),
  meta: path.join('data', 'djia30-1991-2001.universe.json'),
};

/**
 * Load the bundled DJIA 30 universe when the database has no universe `djia30` yet. Idempotent: on later starts it
 * costs one indexed lookup. Takes the open database; gives true when it loaded the data now. When the bundled
 * files fail their checks (a broken install, or their tickers already stored with different data) nothing is
 * written and the reason is printed to stderr: the app still starts, without the default universe.
 */
export function ensureDefaultUniverse(
  db: DB,
  files: { csv: string; meta: string } = {
    csv: resourcePath(DEFAULT_UNIVERSE_FILES.csv),
    meta: resourcePath(DEFAULT_UNIVERSE_FILES.meta),
  },
): boolean {
  const absent = () => !db.prepare('SELECT 1 FROM universes WHERE id = ?').get(DEFAULT_UNIVERSE_ID);
  if (!absent()) return false;
  const c = readImportFilesSync([files.csv], { format: 'wide' });
  const meta = readMetaFile(files.meta, c.problems);
  const out = commitImportSync(
    db,
    c,
    meta,
    { universe: meta?.name ?? 'DJIA 30', universeId: DEFAULT_UNIVERSE_ID, fill: 'reject' },
    'bundled',
    absent,
  );
  if (out.skipped) return false;
  if (!out.result) {
    const first = out.plan.preview.problems
      .filter((p) => p.severity === 'error')
      .slice(0, 5)
      .map(formatProblem);
    console.warn(`HDRL Desk: the bundled data set could not be loaded:\n${first.join('\n')}`);
    return false;
  }
  return true;
}
