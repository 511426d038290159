/**
 * The vocabulary of runs shared by the engine, the CLI, the reports and the desk: what makes runs one
 * experiment (settings.ts), mean ± std over seeds (stats.ts), how each metric is named and shown (metrics.ts),
 * whether a learning strategy beats equal weight (verdict.ts) and when a run is too concentrated
 * (concentration.ts). Plain TypeScript, no Node, Electron or DOM: the renderer imports it as '@shared/domain',
 * src-main by relative path.
 *
 * The stored shapes, a run's config (runConfig.ts) and the detail each decision records per strategy family
 * (decision.ts), are zod schemas and are imported by their own path, not from here: the desk needs only their
 * types, and re-exporting them would put zod into every view that uses this vocabulary.
 */
export * from './concentration';
export * from './metrics';
export * from './scenarios';
export * from './settings';
export * from './strategyGroups';
export * from './stats';
export * from './verdict';
