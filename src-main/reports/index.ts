/**
 * Reports (docs/architecture.md "Reports"): the data model, the builders that fill it from the database (the
 * allocation report of one run, the backtest tear sheet of several), the derived tear-sheet parts, and the
 * renderers (HTML, PDF, CSV, XLSX). Import from here.
 */
export * from './model';
export * from './derive';
export { buildAllocationReport, agentSummaries, reboundOf, regimeAt, topDrivers } from './allocation';
export { REGIME_MIN_DATES, REPORT_MAX_EQUITY_BASELINES, REPORT_TOP_DRIVERS } from './allocation';
export { buildBacktestReport } from './tearSheet';
export { equalWeightCaveat, equalWeightComparison, type EqualWeightComparison } from './caveats';
export { ReportInputError, REPORT_MAX_RUNS, type BuildOptions } from './groups';
export { holdingsAt, HIGH_GROUP, ORDINARY_GROUP, type HoldingsAt } from './holdings';
export { fitName, rebalanceWords, REPORT_LABEL_MAX, REPORT_NAME_MAX, settingsDiff, shortLabel } from './names';
export { renderAllocationHtml, renderBacktestHtml, REPORT_CSP } from './render/html';
export { renderAllocationPdf, renderBacktestPdf } from './render/pdf';
export { renderCsv, type CsvKind, type CsvOptions } from './render/csv';
export { renderXlsx } from './render/xlsx';
