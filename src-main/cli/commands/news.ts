/**
 * `hdrl news`: news for MPLS's sentiment module (docs/news.md).
 *   hdrl news import FILE --universe U [--preview]   check and store a news CSV (problems as file:line:col on
 *                                                     stderr; exit 2 and nothing written on any error)
 *   hdrl news score --universe U --model DIR          score the unscored rows with a FinBERT ONNX model directory
 *   hdrl news list --universe U                       rows per source and sector, scored or not, date range
 *   hdrl news undo                                    remove the rows of the last news import
 */
import type { NewsCount, NewsPreview } from '../../../src-shared/contract/news';
import { universeIdOf } from '../../data/cells';
import { runNewsImport, undoLastNewsImport } from '../../data/news';
import { scoreNews } from '../../data/newsScore';
import { formatProblem } from '../../data/problems';
import { newsSummary } from '../../store/news';
import { UnknownUniverseError } from '../../store/prices';
import { UsageError, type CliCommand, type CliIO } from '../types';

const n = (x: number) => x.toLocaleString('en-US');

function printCounts(counts: readonly NewsCount[], io: CliIO): void {
  if (!counts.length) return;
  const w = Math.max(6, ...counts.map((c) => c.sector.length));
  io.out(`  ${'source'.padEnd(9)} ${'sector'.padEnd(w)} ${'rows'.padStart(9)} ${'scored'.padStart(9)}`);
  for (const c of counts)
    io.out(`  ${c.source.padEnd(9)} ${c.sector.padEnd(w)} ${n(c.rows).padStart(9)} ${n(c.scored).padStart(9)}`);
}

/** A news preview for a person: the file, the rows, the counts; the problems on stderr. */
export function printNewsPreview(p: NewsPreview, io: CliIO): void {
  io.out(`file:      ${p.file.path} (${n(p.file.rows)} rows, ${n(p.file.bytes)} bytes)`);
  io.out(`universe:  ${p.universe}`);
  io.out(
    `rows:      ${n(p.rows)} readable, ${n(p.newRows)} new, ${n(p.alreadyStored)} stored already; ${n(p.preScored)} pre-scored`,
  );
  io.out(`dates:     ${p.dateRange ? `${p.dateRange.from} .. ${p.dateRange.to}` : '-'}`);
  printCounts(p.counts, io);
  io.out(
    `problems:  ${p.errors} error${p.errors === 1 ? '' : 's'}, ${p.warnings} warning${p.warnings === 1 ? '' : 's'}`,
  );
  for (const pr of p.problems) io.err(formatProblem(pr));
  if (p.problemsOmitted) io.err(`(${p.problemsOmitted} more problems not listed)`);
}

function universeArg(args: Record<string, unknown>): string {
  const u = typeof args.universe === 'string' ? universeIdOf(args.universe) : '';
  if (!u) throw new UsageError('--universe U is required (the universe the news belongs to)');
  return u;
}

function positiveInt(args: Record<string, unknown>, name: string): number | undefined {
  if (args[name] === undefined) return undefined;
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < 1)
    throw new UsageError(`--${name} takes a positive whole number, not "${String(args[name])}"`);
  return v;
}

export const newsCommand: CliCommand = {
  name: 'news',
  summary: "news for MPLS's sentiment module: import a CSV, score it with a FinBERT model, list it, undo",
  usage:
    'import FILE --universe U [--preview] [--json] [--progress]\n' +
    '       hdrl news score --universe U --model DIR [--batch-size N] [--max-length N] [--progress]\n' +
    '       hdrl news list --universe U [--json]\n' +
    '       hdrl news undo',
  options: {
    universe: { type: 'string' },
    preview: { type: 'boolean' },
    model: { type: 'string' },
    'batch-size': { type: 'string' },
    'max-length': { type: 'string' },
    json: { type: 'boolean' },
    progress: { type: 'boolean' },
  },
  async run({ args, positionals, engine, io }) {
    const db = engine!.db;
    const [sub, ...files] = positionals;
    const progress = args.progress
      ? (f: number, m: string) => io.err(`progress ${Math.floor(f * 100)}% ${m}`)
      : undefined;
    try {
      if (sub === 'import') {
        if (files.length !== 1) throw new UsageError('news import takes one FILE');
        const { preview, result } = await runNewsImport(db, files[0]!, universeArg(args), {
          dryRun: args.preview === true,
          onProgress: progress,
        });
        if (args.json) io.out(JSON.stringify({ preview, result }, null, 2));
        else printNewsPreview(preview, io);
        if (!preview.ok) {
          io.err(`news import rejected: ${preview.errors} error${preview.errors === 1 ? '' : 's'}; nothing written`);
          return 2;
        }
        if (!result) {
          if (!args.json) io.out('preview: nothing written');
        } else if (!args.json)
          io.out(
            result.batchId === null
              ? `nothing new: all ${n(result.alreadyStored)} rows are stored already`
              : `imported: news batch ${result.batchId}, ${n(result.added)} rows into ${result.universe}` +
                  `${result.alreadyStored ? ` (${n(result.alreadyStored)} stored already, skipped)` : ''}; undo with \`hdrl news undo\``,
          );
        return 0;
      }
      if (sub === 'score') {
        if (files.length) throw new UsageError('news score takes no files (the model is --model DIR)');
        if (typeof args.model !== 'string' || !args.model)
          throw new UsageError('--model DIR is required (a directory with model.onnx and vocab.txt)');
        const r = await scoreNews(db, universeArg(args), args.model, {
          batchSize: positiveInt(args, 'batch-size'),
          maxLength: positiveInt(args, 'max-length'),
          onProgress: progress,
        });
        if (args.json) io.out(JSON.stringify(r, null, 2));
        else
          io.out(
            `scored ${n(r.scored)} rows of ${r.universe} with model ${r.model.slice(0, 12)} (labels: ${r.labels})`,
          );
        return 0;
      }
      if (sub === 'list') {
        if (files.length) throw new UsageError('news list takes no files');
        const s = newsSummary(db, universeArg(args));
        if (args.json) {
          io.out(JSON.stringify(s, null, 2));
          return 0;
        }
        io.out(`universe:  ${s.universe}`);
        io.out(
          `rows:      ${n(s.rows)}, ${n(s.scored)} scored (${n(s.preScored)} in the file, ${n(s.scored - s.preScored)} by a model), ${n(s.rows - s.scored)} not scored`,
        );
        io.out(`dates:     ${s.dateRange ? `${s.dateRange.from} .. ${s.dateRange.to}` : '-'}`);
        for (const m of s.models) io.out(`model:     ${m.sha256} (${n(m.rows)} rows)`);
        printCounts(s.counts, io);
        io.out(`sentiment: ${s.sentiment.on ? 'on (the module can run)' : `off: ${s.sentiment.reason}`}`);
        return 0;
      }
      if (sub === 'undo') {
        if (files.length) throw new UsageError('news undo takes no arguments');
        const r = undoLastNewsImport(db);
        io.out(args.json ? JSON.stringify(r, null, 2) : r.message);
        return 0;
      }
    } catch (e) {
      if (e instanceof UnknownUniverseError)
        throw new UsageError(`universe ${e.universeId} not found (hdrl universes lists them; import prices first)`);
      throw e;
    }
    throw new UsageError(
      sub === undefined ? 'which news command? import, score, list or undo' : `unknown news command "${sub}"`,
    );
  },
};
