/**
 * Report exports (docs/architecture.md "Reports"): an allocation report of one run at a date, or a backtest tear sheet over
 * chosen runs, as PDF, self-contained HTML, CSV (weights, trades or metrics) or XLSX. The engine returns the
 * file's bytes (base64) for the renderer to download and keeps a copy under its data folder (`path`).
 */
import { z } from 'zod';
import { Id, IsoDate, method } from './define';

/** Most runs one backtest report takes (the engine's REPORT_MAX_RUNS). */
export const MAX_REPORT_RUNS = 50;

export const ReportKind = z.enum(['allocation', 'backtest']);
export type ReportKind = z.infer<typeof ReportKind>;
export const ReportFormat = z.enum(['pdf', 'html', 'csv', 'xlsx']);
export type ReportFormat = z.infer<typeof ReportFormat>;
export const ReportCsvKind = z.enum(['weights', 'trades', 'metrics']);
export type ReportCsvKind = z.infer<typeof ReportCsvKind>;

export const ReportsExportRequest = z
  .object({
    kind: ReportKind,
    /** allocation report: the run */
    runId: Id.optional(),
    /** backtest report: the runs (one universe) */
    runIds: z.array(Id).min(1).max(MAX_REPORT_RUNS).optional(),
    /** allocation report: the decision date (default: the run's last) */
    date: IsoDate.optional(),
    format: ReportFormat,
    /** with format 'csv': which table (default 'weights') */
    csvKind: ReportCsvKind.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.kind === 'allocation') {
      if (!r.runId) ctx.addIssue({ code: 'custom', path: ['runId'], message: 'an allocation report needs runId' });
      if (r.runIds) ctx.addIssue({ code: 'custom', path: ['runIds'], message: 'runIds belongs to a backtest report' });
    } else {
      if (!r.runIds) ctx.addIssue({ code: 'custom', path: ['runIds'], message: 'a backtest report needs runIds' });
      if (r.runId) ctx.addIssue({ code: 'custom', path: ['runId'], message: 'runId belongs to an allocation report' });
      if (r.date) ctx.addIssue({ code: 'custom', path: ['date'], message: 'date belongs to an allocation report' });
    }
    if (r.csvKind && r.format !== 'csv')
      ctx.addIssue({ code: 'custom', path: ['csvKind'], message: 'csvKind goes with format csv' });
  });
export type ReportsExportRequest = z.infer<typeof ReportsExportRequest>;

export const ReportFile = z.object({
  /** suggested file name (letters, digits, . _ - only) */
  fileName: z.string().max(200),
  mimeType: z.string().max(120),
  /** the file's bytes, base64 */
  base64: z.string(),
  /** size of the file in bytes */
  bytes: z.number().int().min(0),
  /** where the engine saved its copy */
  path: z.string().max(4096),
});
export type ReportFile = z.infer<typeof ReportFile>;

export const reportMethods = {
  'reports.export': method(
    'Build an allocation report (one run, one date) or a backtest tear sheet (runs of one universe) as PDF, HTML, CSV or XLSX',
    ReportsExportRequest,
    ReportFile,
  ),
};
