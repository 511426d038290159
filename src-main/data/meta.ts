/**
 * Universe metadata files: per-ticker name, asset class and sector, as CSV (ticker,name,class,sector; header
 * aliases symbol / asset_class / gics_sector...) or JSON shaped like the bundled .universe.json
 * ({name?, source?, assets: [{ticker, name?, class?, sector?}]}, or a bare array of assets).
 */
import { parse as parseSync } from 'csv-parse/sync';
import { z } from 'zod';
import { TICKER_ALIASES, clip, normalizeHeader, normalizeTicker } from './cells';
import { readUserFile, UserFileError } from './files';
import type { ProblemSink } from './problems';
import { MAX_META_FILE_BYTES } from './settings';

export interface AssetMeta {
  ticker: string;
  name: string;
  class: string;
  sector: string;
  /** 1-based line in a CSV meta file (null for JSON) */
  line: number | null;
}

export interface UniverseMeta {
  path: string;
  name?: string;
  source?: string;
  assets: Map<string, AssetMeta>;
}

/** Default asset class when a meta file gives none. */
export const DEFAULT_ASSET_CLASS = 'Equity';

const MetaText = z.string().max(256);
const JsonAsset = z
  .object({
    ticker: z.string().min(1).max(64),
    name: MetaText.optional(),
    class: MetaText.optional(),
    sector: MetaText.optional(),
  })
  .passthrough();
const JsonMeta = z.union([
  z
    .object({ name: MetaText.optional(), source: z.string().max(2000).optional(), assets: z.array(JsonAsset) })
    .passthrough(),
  z.array(JsonAsset),
]);

const NAME_ALIASES = new Set(['name', 'company', 'companyname', 'security', 'description', 'longname', 'comnam']);
const CLASS_ALIASES = new Set(['class', 'assetclass', 'type', 'assettype']);
const SECTOR_ALIASES = new Set(['sector', 'gicssector', 'industry', 'gicsindustry']);

/**
 * Read a universe metadata file (a regular file of at most MAX_META_FILE_BYTES). Takes its path (problems are
 * reported under it), the problem sink and the import's renames (old ticker -> new, applied to the file's
 * tickers as to the price files'); gives the metadata, or null when the file cannot be used (every reason
 * reported as an error).
 */
export function readMetaFile(file: string, P: ProblemSink, rename?: ReadonlyMap<string, string>): UniverseMeta | null {
  let text: string;
  try {
    text = readUserFile(file, MAX_META_FILE_BYTES, 'meta file').toString('utf8');
  } catch (e) {
    if (!(e instanceof UserFileError)) throw e;
    P.error(e.code, file, null, null, e.message);
    return null;
  }
  const assets = new Map<string, AssetMeta>();
  const add = (
    raw: { ticker: string; name?: string; class?: string; sector?: string },
    line: number | null,
    col: number | null,
    where: string,
  ) => {
    const read = normalizeTicker(raw.ticker);
    if (!read) return P.error('bad-ticker', file, line, col, `${where}bad ticker "${clip(raw.ticker)}"`);
    const t = rename?.get(read) ?? read;
    if (assets.has(t)) return P.error('duplicate-ticker', file, line, col, `${where}ticker ${t} listed twice`);
    assets.set(t, {
      ticker: t,
      name: (raw.name ?? '').trim(),
      class: (raw.class ?? '').trim() || DEFAULT_ASSET_CLASS,
      sector: (raw.sector ?? '').trim(),
      line,
    });
  };
  if (/\.json$/i.test(file) || /^\s*[[{]/.test(text)) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      const pos = /position (\d+)/.exec((e as Error).message);
      const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : null;
      P.error('bad-meta', file, line, null, `not valid JSON: ${(e as Error).message.slice(0, 200)}`);
      return null;
    }
    const r = JsonMeta.safeParse(json);
    if (!r.success) {
      const i = r.error.issues[0]!;
      P.error(
        'bad-meta',
        file,
        null,
        null,
        `unexpected shape at ${i.path.join('.') || '(root)'}: ${i.message} (expected {name?, source?, assets: [{ticker, name, class, sector}]})`,
      );
      return null;
    }
    const list = Array.isArray(r.data) ? r.data : r.data.assets;
    list.forEach((a, i) => add(a, null, null, `assets[${i}]: `));
    return { path: file, ...(Array.isArray(r.data) ? {} : { name: r.data.name, source: r.data.source }), assets };
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseSync(text, {
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as typeof records;
  } catch (e) {
    const err = e as { message: string; lines?: number };
    P.error(
      'malformed-csv',
      file,
      err.lines ?? null,
      null,
      `malformed CSV: ${err.message.replace(/\s+/g, ' ').slice(0, 200)}`,
    );
    return null;
  }
  if (!records.length) {
    P.error('empty-file', file, null, null, 'the meta file is empty');
    return null;
  }
  const header = records[0]!.record.map(normalizeHeader);
  const col = (aliases: ReadonlySet<string>) => header.findIndex((h) => aliases.has(h));
  const tc = col(TICKER_ALIASES);
  if (tc < 0) {
    P.error(
      'no-ticker-column',
      file,
      records[0]!.info.lines,
      null,
      'no ticker column in the meta file (ticker,name,class,sector)',
    );
    return null;
  }
  const nc = col(NAME_ALIASES);
  const cc = col(CLASS_ALIASES);
  const sc = col(SECTOR_ALIASES);
  for (const { record, info } of records.slice(1)) {
    if (record.length !== header.length) {
      P.error('ragged-row', file, info.lines, null, `${record.length} fields, the header has ${header.length}`);
      continue;
    }
    const cell = (c: number) => (c >= 0 ? record[c]! : undefined);
    if (record[tc]! === '') {
      P.error('bad-ticker', file, info.lines, tc + 1, 'empty ticker');
      continue;
    }
    add({ ticker: record[tc]!, name: cell(nc), class: cell(cc), sector: cell(sc) }, info.lines, tc + 1, '');
  }
  return { path: file, assets };
}
