/**
 * The vocabulary of runs shared by the engine, the CLI, the reports and the desk: what makes runs one
 * experiment (settings.ts), mean ± std over seeds (stats.ts), how each metric is named and shown (metrics.ts),
 * and whether a learning strategy beats equal weight (verdict.ts). Plain TypeScript, no Node, Electron or DOM:
 * the renderer imports it as '@shared/domain', src-main by relative path.
 */
export * from './metrics';
export * from './settings';
export * from './stats';
export * from './verdict';
