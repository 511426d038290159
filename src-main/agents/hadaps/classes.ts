/**
 * HADAPS's asset classes (docs/hadaps.md "Asset classes"): which class each asset of a universe belongs to, plus
 * cash, the safe class with a single asset and no intra-class layer (in this engine cash is the weight the risky
 * assets leave, so it needs no price series).
 *
 * Where the classes come from ({@link HadapsClassing}):
 *   - 'class': the universe meta's `class` field (importable with the prices: docs/data.md), one class per distinct
 *     value; an asset without one is refused;
 *   - 'sector': its `sector` field likewise (the bundled DJIA universe has one class, Equity, and nine sectors);
 *   - 'auto' (default): 'class' when the universe names at least two classes for all its assets, else 'sector'
 *     when it names sectors for all, else one class of every asset ('single').
 * Classes are ordered by name, assets inside a class by their column, so the layout is the same for every run over
 * the same universe whatever the order of its file.
 */
import { HADAPS_CASH_CLASS, type ClassBasis } from '../../../src-shared/domain/decision';
import type { HadapsClassing } from './config';

/** The name the safe class is shown under (one home: src-shared/domain/decision.ts). */
export const CASH_CLASS = HADAPS_CASH_CLASS;

/** One risky class: its name and its assets' column indices in the price matrix. */
export interface RiskyClass {
  name: string;
  members: number[];
}

/** The classes of one universe: risky classes in order, then cash (implicit, always last). */
export interface ClassLayout {
  basis: ClassBasis;
  classes: RiskyClass[];
  /** number of assets */
  nAssets: number;
  /** the class index of each asset */
  classOf: number[];
}

/** The class layout of a universe whose assets carry `assets[i].class` / `.sector` (see the file overview). */
export function classLayout(
  tickers: readonly string[],
  assets: readonly { ticker: string; class: string; sector: string }[] | undefined,
  classing: HadapsClassing,
): ClassLayout {
  const n = tickers.length;
  const meta = new Map((assets ?? []).map((a) => [a.ticker, a]));
  const field = (k: 'class' | 'sector') => tickers.map((t) => (meta.get(t)?.[k] ?? '').trim());
  const complete = (xs: string[]) => xs.every((x) => x !== '');
  const distinct = (xs: string[]) => new Set(xs).size;
  let basis: ClassBasis;
  let names: string[];
  if (classing === 'class' || classing === 'sector') {
    names = field(classing);
    const missing = tickers.filter((_, i) => names[i] === '');
    if (missing.length)
      throw new Error(
        `HADAPS classes by ${classing}: ${missing.length} asset(s) have no ${classing} in the universe meta (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}); import a meta file naming one for every ticker, or use classing 'auto'`,
      );
    basis = classing;
  } else {
    const cls = field('class');
    const sec = field('sector');
    if (complete(cls) && distinct(cls) >= 2) [basis, names] = ['class', cls];
    else if (complete(sec) && distinct(sec) >= 2) [basis, names] = ['sector', sec];
    else [basis, names] = ['single', tickers.map(() => 'Risky assets')];
  }
  if (names.includes(CASH_CLASS))
    throw new Error(
      `HADAPS: a universe class or sector may not be called "${CASH_CLASS}" (the name of the safe class)`,
    );
  const order = [...new Set(names)].sort();
  const classes = order.map((name) => ({ name, members: [] as number[] }));
  const classOf = names.map((nm) => order.indexOf(nm));
  classOf.forEach((c, i) => classes[c]!.members.push(i));
  return { basis, classes, nAssets: n, classOf };
}

/** Number of classes including cash. */
export function classCount(l: ClassLayout): number {
  return l.classes.length + 1;
}
