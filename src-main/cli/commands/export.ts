/**
 * `hdrl export`: write an allocation report of one run (at a date, default its last decision) or a backtest tear
 * sheet over several runs, as PDF, HTML, CSV (weights, trades or metrics) or XLSX (docs/architecture.md "Reports"). The request
 * goes through the same contract schema and service as the reports.export channel; prints the absolute path.
 * --out must be a regular file or a new name (reports/outputFile.ts); anything else exits 2 before any work.
 */
import { ReportsExportRequest, ReportCsvKind, ReportFormat } from '../../../src-shared/contract/reports';
import { exportReport, writeReportFile } from '../../services/reports';
import { ServiceError } from '../../services/errors';
import { checkOutputTarget, OutputTargetError } from '../../reports/outputFile';
import { UsageError, type CliCommand } from '../types';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'export an allocation report (--run) or a backtest tear sheet (--runs) as pdf, html, csv or xlsx',
  usage:
    '--run ID [--date YYYY-MM-DD] --format pdf|html|csv|xlsx --out FILE [--csv weights|trades|metrics]\n' +
    '       hdrl export --runs ID,ID,... --format pdf|html|csv|xlsx --out FILE [--csv weights|trades|metrics]',
  options: {
    run: { type: 'string' },
    runs: { type: 'string' },
    date: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    csv: { type: 'string' },
  },
  async run({ args, engine, io }) {
    const run = args.run as string | undefined;
    const runs = args.runs as string | undefined;
    if ((run === undefined) === (runs === undefined))
      throw new UsageError('give either --run ID (allocation report) or --runs ID,ID,... (backtest report)');
    if (typeof args.out !== 'string' || !args.out) throw new UsageError('--out FILE is required');
    const format = ReportFormat.safeParse(args.format);
    if (!format.success) throw new UsageError(`--format must be one of ${ReportFormat.options.join(', ')}`);
    if (args.csv !== undefined && format.data !== 'csv') throw new UsageError('--csv goes with --format csv');
    const csvKind = args.csv === undefined ? undefined : ReportCsvKind.safeParse(args.csv);
    if (csvKind && !csvKind.success) throw new UsageError(`--csv must be one of ${ReportCsvKind.options.join(', ')}`);
    if (runs !== undefined && args.date !== undefined) throw new UsageError('--date goes with --run');
    const req = ReportsExportRequest.safeParse({
      kind: run !== undefined ? 'allocation' : 'backtest',
      ...(run !== undefined ? { runId: run } : {}),
      ...(runs !== undefined
        ? {
            runIds: runs
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          }
        : {}),
      ...(args.date !== undefined ? { date: args.date } : {}),
      format: format.data,
      ...(csvKind?.success ? { csvKind: csvKind.data } : {}),
    });
    if (!req.success)
      throw new UsageError(req.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '));
    try {
      checkOutputTarget(args.out); // refuse a device, FIFO or directory before the work of rendering
      const r = await exportReport(engine!.db, req.data);
      const file = writeReportFile(args.out, r.bytes);
      io.err(`wrote ${r.data.kind} report, ${r.bytes.length} bytes`);
      io.out(file);
      return 0;
    } catch (e) {
      if (
        e instanceof OutputTargetError ||
        (e instanceof ServiceError && (e.code === 'NOT_FOUND' || e.code === 'INVALID_INPUT'))
      ) {
        io.err(e.message);
        return 2;
      }
      throw e;
    }
  },
};
