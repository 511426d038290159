/**
 * A run's weights over time, seen four ways: by asset (the largest holdings, the rest summed as "Other"), by
 * sector, by the strategy's own groups (SAMP-HDRL's high-quality and ordinary groups, from the grouping in force
 * each day) and cash. Rows are the stored decision vectors: n risky weights in the run's ticker order, cash last.
 */

/** One named weight series, a value per date (fractions of the book). */
export interface WeightSeries {
  name: string;
  values: number[];
}

export interface WeightsOverTime {
  dates: string[];
  /** the `topAssets` largest holdings by mean weight, largest first, then 'Other' (when assets were left out) */
  byAsset: WeightSeries[];
  /** every sector held on some day, largest mean weight first; assets without a sector under 'Unclassified' */
  bySector: WeightSeries[];
  /** the strategy's groups when it records them (each day's grouping), else null */
  byGroup: WeightSeries[] | null;
  cash: number[];
}

/** The groups of a day: group name -> its tickers (e.g. {High-quality: [...], Ordinary: [...]}). */
export type GroupsOfDay = ReadonlyMap<string, readonly string[]>;

/** Assets shown one by one in the by-asset view. */
export const TOP_ASSETS = 10;
export const OTHER = 'Other';
export const UNCLASSIFIED = 'Unclassified';
/** Name of the part of the risky book that no group of the day holds. */
export const UNGROUPED = 'Ungrouped';

function rankByMean(series: Map<string, number[]>, days: number): WeightSeries[] {
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / Math.max(1, days);
  return [...series.entries()]
    .map(([name, values]) => ({ name, values }))
    .sort((a, b) => mean(b.values) - mean(a.values) || a.name.localeCompare(b.name));
}

/**
 * The four views of a run's weights (see the file overview).
 * @param rows per date, n risky weights and the cash weight last
 * @param sectors sector per ticker ('' or missing: unclassified)
 * @param groupsAt the strategy's groups in force on a date, or undefined when it records none (then byGroup is null)
 * @throws RangeError when a row does not have n + 1 entries
 */
export function weightsOverTime(
  dates: readonly string[],
  rows: readonly ArrayLike<number>[],
  tickers: readonly string[],
  sectors: ReadonlyMap<string, string>,
  groupsAt?: (date: string) => GroupsOfDay | undefined,
  topAssets = TOP_ASSETS,
): WeightsOverTime {
  const n = tickers.length;
  const T = rows.length;
  if (dates.length !== T) throw new RangeError(`weights over time: ${dates.length} dates but ${T} weight rows`);
  rows.forEach((w, t) => {
    if (w.length !== n + 1)
      throw new RangeError(
        `weights over time: the row of ${dates[t]} has ${w.length} entries, expected ${n} assets and cash`,
      );
  });
  const perAsset = new Map<string, number[]>(tickers.map((tk, i) => [tk, rows.map((w) => w[i]!)]));
  const ranked = rankByMean(perAsset, T).filter((s) => s.values.some((v) => v > 0));
  const byAsset = ranked.slice(0, topAssets);
  if (ranked.length > topAssets) {
    const rest = ranked.slice(topAssets);
    byAsset.push({ name: OTHER, values: dates.map((_, t) => rest.reduce((s, x) => s + x.values[t]!, 0)) });
  }
  const perSector = new Map<string, number[]>();
  tickers.forEach((tk, i) => {
    const sec = sectors.get(tk) || UNCLASSIFIED;
    const acc = perSector.get(sec) ?? new Array<number>(T).fill(0);
    rows.forEach((w, t) => (acc[t]! += w[i]!));
    perSector.set(sec, acc);
  });
  const bySector = rankByMean(perSector, T).filter((s) => s.values.some((v) => v > 0));

  let byGroup: WeightSeries[] | null = null;
  if (groupsAt && dates.some((d) => groupsAt(d))) {
    const col = new Map(tickers.map((tk, i) => [tk, i]));
    const perGroup = new Map<string, number[]>();
    dates.forEach((d, t) => {
      const g = groupsAt(d);
      let grouped = 0;
      for (const [name, members] of g ?? []) {
        const acc = perGroup.get(name) ?? new Array<number>(T).fill(0);
        for (const tk of members) {
          const i = col.get(tk);
          if (i !== undefined) acc[t]! += rows[t]![i]!;
        }
        grouped += acc[t]!;
        perGroup.set(name, acc);
      }
      let risky = 0;
      for (let i = 0; i < n; i++) risky += rows[t]![i]!;
      if (risky - grouped > 1e-12) {
        const acc = perGroup.get(UNGROUPED) ?? new Array<number>(T).fill(0);
        acc[t] = risky - grouped;
        perGroup.set(UNGROUPED, acc);
      }
    });
    byGroup = [...perGroup.entries()].map(([name, values]) => ({ name, values }));
  }
  return { dates: dates.slice(), byAsset, bySector, byGroup, cash: rows.map((w) => w[n]!) };
}
