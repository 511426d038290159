/**
 * The non-neural pieces of SAMP-HDRL (SAMP-HDRL steps 1, 3-6), in one import:
 * - sortino.ts / grouping.ts: Sortino scores, K-means grouping into masks m1 (ordinary) / m2 (high-quality),
 *   DynamicGrouping (every 75 days, or once for the `w/o dc` ablation);
 * - utility.ts: momentum-adjusted utility capital split (c1, c2, cash) (`rule: 'equal'` = `w/o utility`), its softmax
 *   temperature fixed or calibrated to the utilities' standard error;
 * - rebound.ts: rebound detector, and the downtrend cap on the capital split or the gate on the utilities (skip both
 *   for `w/o rebound`);
 * - fusion.ts: masked softmax for the lower agents and the convex fusion of the three agents' weights.
 * Typical day t: g = grouping.at(view); a = capitalSplitAt(view, g); st = reboundStateAt(view, g.high, ...);
 * c = applyReboundCap(a.split, {...}); w = fuse(w0, w1, w2, c.split, alpha, g).
 */
export * from './sortino';
export * from './grouping';
export * from './utility';
export * from './rebound';
export * from './fusion';
