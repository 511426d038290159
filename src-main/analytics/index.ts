/**
 * Tear-sheet analytics (issue 17): the computations in plain functions (relative figures, rolling volatility,
 * the return distribution, trading over time, weights over time, risk contribution, stress windows, the stitched
 * out-of-sample record) and the one reader that applies them to stored runs (./gather) for the desk and the
 * reports.
 */
export * from './relative';
export * from './series';
export * from './weights';
export * from './risk';
export * from './stress';
export * from './stitch';
export * from './gather';
