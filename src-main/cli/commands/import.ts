/**
 * `hdrl import`: preview and import price files into a universe, all or nothing; `hdrl import --undo` removes the
 * last import. Problems go to stderr as `file:line:col: severity: message`; exit status 2 when the import is
 * rejected (any error), 0 when it was written (or previewed with --dry-run and no error). The consents
 * (--allow-shrink, --allow-implausible), renames (--rename OLD=NEW, repeatable) and --replace are the contract's
 * allowShrink, allowImplausible, rename and replace.
 */
import type { ImportPreview } from '../../../src-shared/contract/data';
import { ImportFormat, FillPolicy } from '../../../src-shared/contract/data';
import { universeIdOf } from '../../data/cells';
import { BadRenameError, renameMap, runImport } from '../../data/importer';
import { formatProblem } from '../../data/problems';
import { undoLastImport } from '../../data/write';
import { UsageError, type CliCommand, type CliIO } from '../types';

function mb(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

/** Print a preview for a person: summary, gaps per ticker, then the problems (stderr). */
export function printPreview(p: ImportPreview, io: CliIO): void {
  const n = (x: number) => x.toLocaleString('en-US');
  const det = p.files.every((f) => f.format === f.detected) ? 'detected' : 'forced';
  io.out(`format:    ${p.format ?? 'unknown'} (${det})`);
  for (const f of p.files)
    io.out(
      `file:      ${f.path} (${n(f.rows)} rows, ${mb(f.bytes)}${f.format && f.format !== f.detected ? `, detected ${f.detected}` : ''})`,
    );
  if (p.meta) io.out(`meta:      ${p.meta.path} (${p.meta.assets} assets)`);
  io.out(
    `universe:  ${p.universe.id} "${p.universe.name}" (${p.universe.exists ? 'exists: members are added' : 'new'})`,
  );
  const fresh = p.tickers.filter((t) => t.isNew).length;
  io.out(`tickers:   ${p.tickers.length} (${fresh} new asset${fresh === 1 ? '' : 's'})`);
  io.out(
    `dates:     ${p.dateRange ? `${p.dateRange.from} .. ${p.dateRange.to}` : '-'}; every ticker has data on ${p.alignedRange ? `${p.alignedRange.from} .. ${p.alignedRange.to}` : 'no common range'}`,
  );
  const range = (r: { from: string; to: string } | null) => (r ? `${r.from} .. ${r.to}` : 'none');
  const ur = p.universeRange;
  io.out(
    `common:    ${p.universe.exists ? `${range(ur.before)} before, ${range(ur.after)} after${ur.shrinks ? ' (SHRINKS)' : ''}` : `${range(ur.after)} (new universe)`}`,
  );
  const replaced = p.tickers.filter((t) => t.replaces);
  if (replaced.length)
    io.out(`replaces:  ${replaced.map((t) => `${t.ticker} (stored ${range(t.stored)})`).join(', ')}`);
  io.out(`rows:      ${n(p.rows)}`);
  const overlap = p.tickers.reduce((s, t) => s + t.overlap, 0);
  io.out(
    `bars:      ${n(p.bars)} to write${overlap ? ` (${n(overlap)} already stored with the same values, kept)` : ''}`,
  );
  io.out(
    `missing:   ${n(p.missingCells)} cell${p.missingCells === 1 ? '' : 's'} inside ticker ranges (fill policy ${p.fill}: ${n(p.filledCells)} filled)`,
  );
  const gappy = p.tickers.filter((t) => t.missing || t.leading || t.trailing || t.jumps);
  if (gappy.length) {
    io.out('gaps:      ticker     first       last        missing  filled  leading  trailing  jumps');
    for (const t of gappy.slice(0, 50))
      io.out(
        `           ${t.ticker.padEnd(10)} ${(t.first ?? '-').padEnd(11)} ${(t.last ?? '-').padEnd(11)} ${String(t.missing).padStart(7)} ${String(t.filled).padStart(7)} ${String(t.leading).padStart(8)} ${String(t.trailing).padStart(9)} ${String(t.jumps).padStart(6)}`,
      );
    if (gappy.length > 50) io.out(`           ... ${gappy.length - 50} more tickers with gaps or jumps`);
  }
  io.out(
    `problems:  ${p.errors} error${p.errors === 1 ? '' : 's'}, ${p.warnings} warning${p.warnings === 1 ? '' : 's'}`,
  );
  for (const pr of p.problems) io.err(formatProblem(pr));
  if (p.problemsOmitted) io.err(`(${p.problemsOmitted} more problems not listed)`);
}

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'import price files (wide, long or per-ticker CSV) into a universe, or undo the last import',
  usage:
    'FILE... --universe NAME [--meta FILE] [--format wide|long|per-ticker] [--fill reject|ffill] [--rename OLD=NEW]... [--replace]\n' +
    '       [--allow-shrink] [--allow-implausible] [--dry-run] [--json] [--progress]\n' +
    '       hdrl import --undo',
  options: {
    universe: { type: 'string' },
    meta: { type: 'string' },
    format: { type: 'string' },
    fill: { type: 'string' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    progress: { type: 'boolean' },
    undo: { type: 'boolean' },
    rename: { type: 'string', multiple: true },
    replace: { type: 'boolean' },
    'allow-shrink': { type: 'boolean' },
    'allow-implausible': { type: 'boolean' },
  },
  async run({ args, positionals, engine, io }) {
    const db = engine!.db;
    if (args.undo) {
      if (positionals.length) throw new UsageError('--undo takes no files');
      const r = undoLastImport(db);
      if (args.json) io.out(JSON.stringify(r, null, 2));
      else io.out(r.message);
      return 0;
    }
    if (!positionals.length) throw new UsageError('no files given');
    if (typeof args.universe !== 'string' || !universeIdOf(args.universe))
      throw new UsageError('--universe NAME is required (letters or digits)');
    const format = args.format === undefined ? undefined : ImportFormat.safeParse(args.format);
    if (format && !format.success)
      throw new UsageError(`--format must be wide, long or per-ticker, not "${String(args.format)}"`);
    const fill = args.fill === undefined ? undefined : FillPolicy.safeParse(args.fill);
    if (fill && !fill.success) throw new UsageError(`--fill must be reject or ffill, not "${String(args.fill)}"`);
    const rename = ((args.rename as string[] | undefined) ?? []).map((r) => {
      const m = /^([^=]+)=([^=]+)$/.exec(r.trim());
      if (!m)
        throw new UsageError(
          `--rename takes OLD=NEW (a ticker of the files and the name to store it under), not "${r}"`,
        );
      return { from: m[1]!.trim(), to: m[2]!.trim() };
    });
    try {
      renameMap(rename);
    } catch (e) {
      if (e instanceof BadRenameError) throw new UsageError(`--rename: ${e.message}`);
      throw e;
    }
    const t0 = Date.now();
    let lastPct = -1;
    const { preview, result } = await runImport(
      db,
      positionals,
      {
        universe: args.universe,
        format: format?.data,
        fill: fill?.data,
        meta: typeof args.meta === 'string' ? args.meta : undefined,
        rename,
        replace: args.replace === true,
        allowShrink: args['allow-shrink'] === true,
        allowImplausible: args['allow-implausible'] === true,
      },
      {
        dryRun: args['dry-run'] === true,
        onProgress: args.progress
          ? (f, m) => {
              const pct = Math.floor(f * 100);
              if (pct !== lastPct) {
                lastPct = pct;
                io.err(`progress ${pct}% ${m}`);
              }
            }
          : undefined,
      },
    );
    if (args.json) io.out(JSON.stringify({ preview, result }, null, 2));
    else printPreview(preview, io);
    if (!preview.ok) {
      io.err(`import rejected: ${preview.errors} error${preview.errors === 1 ? '' : 's'}; nothing written`);
      return 2;
    }
    if (!result) {
      if (!args.json) io.out('dry run: nothing written');
      return 0;
    }
    if (!args.json)
      io.out(
        `imported: batch ${result.batchId}, ${result.bars.toLocaleString('en-US')} bars of ${result.tickers} tickers into ${result.universe}${result.createdUniverse ? ' (new universe)' : ''}` +
          `${result.replacedBars ? `, ${result.replacedBars.toLocaleString('en-US')} stored bars replaced` : ''} in ${((Date.now() - t0) / 1000).toFixed(1)} s; undo with \`hdrl import --undo\``,
      );
    return 0;
  },
};
