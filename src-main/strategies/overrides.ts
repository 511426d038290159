/**
 * The convention every learned family's numeric parameters follow (EIIE, PPN, HADAPS, MPLS): a setting that must be positive is
 * given as 0 to keep its preset's value, a setting that may be 0 is given as -1 to keep it; any other value
 * overrides the preset. One place reads that convention from a strategy's resolved parameters.
 */

/** The preset overrides that `params` asks for among the `positive` and `nonNegative` settings (file overview). */
export function presetOverrides<K extends string>(
  params: Record<string, unknown>,
  positive: readonly K[],
  nonNegative: readonly K[],
): Partial<Record<K, number>> {
  const over: Partial<Record<K, number>> = {};
  const num = (k: K): number | undefined => (typeof params[k] === 'number' ? (params[k] as number) : undefined);
  for (const k of positive) {
    const v = num(k);
    if (v !== undefined && v > 0) over[k] = v;
  }
  for (const k of nonNegative) {
    const v = num(k);
    if (v !== undefined && v >= 0) over[k] = v;
  }
  return over;
}
