/**
 * What the desk shows first when the PM has not chosen: the learned strategy under review, never a hindsight
 * reference. One rule for every view that opens on a run (the run pickers of Today, Agents, Regimes, Rebounds and
 * Reports) or on one of several selected runs (the monthly-returns heatmap of Backtests).
 *
 * The order: the full hierarchical method (samp-hdrl), then one of its variants (samp-hdrl/...), then another
 * learned strategy (those `learned` names), then the first tradable item. Items keep the caller's order within each
 * step, so a newest-first list gives the newest run of the preferred strategy. Hindsight references (BCRP, best
 * stock) see the test window in advance and are never chosen: with nothing else, the answer is undefined.
 */

/** The strategy id of the full hierarchical method. */
export const HIERARCHICAL = 'samp-hdrl';

export interface Preferable {
  strategy: string;
  hindsight: boolean;
}

export function preferLearned<T extends Preferable>(
  items: readonly T[],
  learned: (strategy: string) => boolean = () => false,
): T | undefined {
  const tradable = items.filter((x) => !x.hindsight);
  return (
    tradable.find((x) => x.strategy === HIERARCHICAL) ??
    tradable.find((x) => x.strategy.startsWith(`${HIERARCHICAL}/`)) ??
    tradable.find((x) => learned(x.strategy)) ??
    tradable[0]
  );
}
