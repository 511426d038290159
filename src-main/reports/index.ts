/**
 * Reports (docs/architecture.md "Reports"): the data model the services fill, the derived tear-sheet parts, and the
 * renderers (HTML, PDF, CSV, XLSX). Import from here.
 */
export * from './model';
export * from './derive';
export { renderAllocationHtml, renderBacktestHtml, REPORT_CSP } from './render/html';
export { renderAllocationPdf, renderBacktestPdf } from './render/pdf';
export { renderCsv, type CsvKind, type CsvOptions } from './render/csv';
export { renderXlsx } from './render/xlsx';
