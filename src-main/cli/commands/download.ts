/** `hdrl download`: daily bars from Yahoo Finance (chart()), imported into a universe like a file import. */
import { IsoDate } from '../../../src-shared/contract/define';
import { FillPolicy } from '../../../src-shared/contract/data';
import { universeIdOf } from '../../data/cells';
import { downloadAndImport, OfflineError } from '../../data/download';
import { UsageError, type CliCommand } from '../types';
import { printPreview } from './import';

export const downloadCommand: CliCommand = {
  name: 'download',
  summary: 'download daily bars from Yahoo Finance (needs internet) and import them into a universe',
  usage: 'TICKER... --universe NAME --from YYYY-MM-DD [--to YYYY-MM-DD] [--fill reject|ffill] [--dry-run]',
  options: {
    universe: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    fill: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  async run({ args, positionals, engine, io }) {
    if (!positionals.length) throw new UsageError('no tickers given');
    if (typeof args.universe !== 'string' || !universeIdOf(args.universe))
      throw new UsageError('--universe NAME is required');
    if (!IsoDate.safeParse(args.from).success) throw new UsageError('--from YYYY-MM-DD is required');
    if (args.to !== undefined && !IsoDate.safeParse(args.to).success) throw new UsageError('--to must be YYYY-MM-DD');
    const fill = args.fill === undefined ? undefined : FillPolicy.safeParse(args.fill);
    if (fill && !fill.success) throw new UsageError('--fill must be reject or ffill');
    try {
      const { preview, result } = await downloadAndImport(
        engine!.db,
        positionals,
        { universe: args.universe, from: args.from as string, to: args.to as string | undefined, fill: fill?.data },
        {
          dryRun: args['dry-run'] === true,
          onProgress: (_f, m) => (m.startsWith('downloading') ? io.err(m) : undefined),
        },
      );
      printPreview(preview, io);
      if (!preview.ok) {
        io.err(`import rejected: ${preview.errors} errors; nothing written`);
        return 2;
      }
      io.out(
        result
          ? `imported: batch ${result.batchId}, ${result.bars} bars into ${result.universe}`
          : 'dry run: nothing written',
      );
      return 0;
    } catch (e) {
      if (e instanceof OfflineError) {
        io.err(e.message);
        return 1;
      }
      throw e;
    }
  },
};
