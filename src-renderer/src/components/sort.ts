/**
 * Sort state of a table with SortableTh headers: the column and direction, a toggle (the same column flips the
 * direction, another column starts in its natural direction: text ascending, figures descending) and a sorter
 * that puts missing values (NaN, null) last in either direction.
 */
import { ref, type Ref } from 'vue';

export type SortDir = 1 | -1;

/** A sortable column as a table declares it: its key, header text, and whether it holds figures. */
export interface SortColumn<K extends string = string> {
  key: K;
  label: string;
  num: boolean;
}

/** The natural first direction of a table's columns: figures largest first, text and ISO dates ascending. */
export const naturalDirOf =
  (cols: readonly SortColumn[]) =>
  (k: string): SortDir =>
    cols.find((c) => c.key === k)?.num ? -1 : 1;

export function useSort<K extends string>(initial: K, initialDir: SortDir, naturalDir: (k: K) => SortDir = () => -1) {
  const key = ref(initial) as Ref<K>;
  const dir = ref<SortDir>(initialDir);
  function toggle(k: K) {
    if (key.value === k) dir.value = dir.value === 1 ? -1 : 1;
    else {
      key.value = k;
      dir.value = naturalDir(k);
    }
  }
  function sorted<T>(rows: readonly T[], value: (row: T, k: K) => string | number | null): T[] {
    const missing = (v: string | number | null) => v === null || (typeof v === 'number' && Number.isNaN(v));
    return [...rows].sort((a, b) => {
      const x = value(a, key.value);
      const y = value(b, key.value);
      if (missing(x) || missing(y)) return missing(x) === missing(y) ? 0 : missing(x) ? 1 : -1;
      return (x! < y! ? -1 : x! > y! ? 1 : 0) * dir.value;
    });
  }
  return { key, dir, toggle, sorted };
}
