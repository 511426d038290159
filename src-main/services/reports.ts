/**
 * Handler of the reports.export channel (contract/reports.ts; docs/architecture.md "Reports"): build the report model from the
 * database (reports/allocation.ts, reports/tearSheet.ts), render it in the asked format (reports/render), save a copy under
 * `<dataDir>/reports/` and return the bytes for the renderer to download. The CLI (`hdrl export`) calls
 * {@link exportReport} directly and writes where it is told.
 */
import path from 'node:path';
import type { ReportFile, ReportsExportRequest } from '../../src-shared/contract/reports';
import type { DB } from '../store/db';
import {
  buildAllocationReport,
  buildBacktestReport,
  ReportInputError,
  type BuildOptions,
  renderAllocationHtml,
  renderAllocationPdf,
  renderBacktestHtml,
  renderBacktestPdf,
  renderCsv,
  renderXlsx,
  type ReportData,
} from '../reports';
import { writeOutputFile } from '../reports/outputFile';
import { invalidInput, notFound, ServiceError } from './errors';
import type { Handlers } from './types';

/** Folder under the engine's data directory where exported reports are kept. */
export const REPORTS_SUBDIR = 'reports';

/** MIME type of each format. */
export const REPORT_MIME: Record<ReportsExportRequest['format'], string> = {
  pdf: 'application/pdf',
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** A rendered report. */
export interface RenderedReport {
  fileName: string;
  mimeType: string;
  bytes: Buffer;
  data: ReportData;
}

/** A name part reduced to letters, digits, '.', '_' and '-' (e.g. 'samp-hdrl/no-dc' -> 'samp-hdrl_no-dc'). */
export function safeNamePart(s: string): string {
  return (
    s
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 60) || 'x'
  );
}

function fileNameOf(req: ReportsExportRequest, data: ReportData): string {
  const ext = req.format;
  const csv = req.format === 'csv' ? `-${req.csvKind ?? 'weights'}` : '';
  if (data.kind === 'allocation') {
    const h = data.header;
    return `allocation-${safeNamePart(h.strategy.id)}-${h.date}-${safeNamePart(h.runId)}${csv}.${ext}`;
  }
  const h = data.header;
  return `backtest-${safeNamePart(h.universe.id)}-${h.window.from}-${h.window.to}-${data.metrics.length}runs${csv}.${ext}`;
}

function toServiceError(e: unknown): unknown {
  if (e instanceof ReportInputError)
    return e.kind === 'not-found' ? notFound(e.message.replace(/ not found$/, '')) : invalidInput(e.message);
  if (e instanceof TypeError && /lastWeights|backtest reports|allocation/.test(e.message))
    return invalidInput(e.message);
  return e;
}

/**
 * Build and render a report.
 * @param db the database
 * @param req a request valid under the contract (kind with runId or runIds, format, csvKind)
 * @returns file name, MIME type, bytes and the report model
 * @throws ServiceError NOT_FOUND (unknown run, no weights on the date) or INVALID_INPUT (incomplete run, mixed universes)
 */
export async function exportReport(
  db: DB,
  req: ReportsExportRequest,
  opts: BuildOptions = {},
): Promise<RenderedReport> {
  try {
    let data: ReportData;
    if (req.kind === 'allocation') {
      if (!req.runId) throw invalidInput('an allocation report needs runId');
      data = await buildAllocationReport(db, req.runId, req.date, opts);
    } else {
      if (!req.runIds?.length) throw invalidInput('a backtest report needs runIds');
      data = await buildBacktestReport(db, req.runIds, opts);
    }
    let bytes: Buffer;
    switch (req.format) {
      case 'pdf':
        bytes = data.kind === 'allocation' ? await renderAllocationPdf(data) : await renderBacktestPdf(data);
        break;
      case 'html':
        bytes = Buffer.from(data.kind === 'allocation' ? renderAllocationHtml(data) : renderBacktestHtml(data), 'utf8');
        break;
      case 'csv':
        bytes = Buffer.from(renderCsv(req.csvKind ?? 'weights', data), 'utf8');
        break;
      case 'xlsx':
        bytes = await renderXlsx(data);
        break;
    }
    return { fileName: fileNameOf(req, data), mimeType: REPORT_MIME[req.format], bytes, data };
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    throw toServiceError(e);
  }
}

/**
 * Write a rendered report to a file by the rule for user-named output paths (reports/outputFile.ts: regular files
 * only, written whole through a temporary file that never stays behind), creating the folder. Returns the
 * absolute path; throws OutputTargetError for a device, FIFO, socket or directory.
 */
export function writeReportFile(file: string, bytes: Buffer): string {
  return writeOutputFile(file, bytes);
}

export const reportHandlers: Handlers<'reports.export'> = {
  async 'reports.export'(req, engine): Promise<ReportFile> {
    const r = await exportReport(engine.db, req);
    const file = writeReportFile(path.join(engine.dataDir, REPORTS_SUBDIR, r.fileName), r.bytes);
    return {
      fileName: r.fileName,
      mimeType: r.mimeType,
      base64: r.bytes.toString('base64'),
      bytes: r.bytes.length,
      path: file,
    };
  },
};
