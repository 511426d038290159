/**
 * Compact per-ticker storage of parsed cells: growable typed arrays (numbers only, never the raw text), so a
 * 500-ticker x 20-year file costs tens of megabytes while it is checked and written. The arrays start empty and
 * take memory with their first value, so a ticker costs in proportion to the cells read for it, not a fixed
 * block per column of a header.
 */

/** Capacity of a growable array at its first value; it doubles whenever it is full. */
const FIRST_CAPACITY = 16;
const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);

export class GrowF64 {
  a: Float64Array;
  n = 0;
  constructor(cap = 0) {
    this.a = cap > 0 ? new Float64Array(cap) : EMPTY_F64;
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(Math.max(FIRST_CAPACITY, this.a.length * 2));
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  get(i: number): number {
    return this.a[i]!;
  }
}

export class GrowI32 {
  a: Int32Array;
  n = 0;
  constructor(cap = 0) {
    this.a = cap > 0 ? new Int32Array(cap) : EMPTY_I32;
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(Math.max(FIRST_CAPACITY, this.a.length * 2));
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  get(i: number): number {
    return this.a[i]!;
  }
  set(i: number, v: number): void {
    this.a[i] = v;
  }
}

/** State of one parsed cell (entry) of a ticker. */
export const CELL_VALUE = 0; // a usable price
export const CELL_EMPTY = 1; // missing: empty cell, or no row
export const CELL_NA = 2; // missing: a NA / NaN / null token
export const CELL_BAD = 3; // unparsable or non-positive: already reported as an error
export const CELL_DUPLICATE = 4; // a second entry for the same date: already reported as an error

export type OptionalField = 'adj' | 'open' | 'high' | 'low' | 'volume';
const OPTIONAL: OptionalField[] = ['adj', 'open', 'high', 'low', 'volume'];

/** The cells of one ticker across the import's files, in file order; `date` holds indices into the import's date dictionary. */
export class TickerSeries {
  readonly date = new GrowI32();
  readonly line = new GrowI32();
  readonly file = new GrowI32();
  readonly col = new GrowI32();
  /** CELL_* per entry (Int32 storage keeps the class simple; 4 bytes per cell) */
  readonly state = new GrowI32();
  readonly close = new GrowF64();
  /** optional fields, created on the first value seen (earlier entries NaN) */
  readonly fields: Partial<Record<OptionalField, GrowF64>> = {};
  /** an error already said that this ticker has no prices (empty column) */
  emptyReported = false;

  constructor(
    readonly ticker: string,
    /** order of first appearance in the import (becomes the member position) */
    readonly order: number,
  ) {}

  get length(): number {
    return this.date.n;
  }

  /** Append one entry; NaN for absent values. */
  push(
    date: number,
    line: number,
    file: number,
    col: number,
    state: number,
    close: number,
    opt?: Partial<Record<OptionalField, number>>,
  ): void {
    const i = this.date.n;
    this.date.push(date);
    this.line.push(line);
    this.file.push(file);
    this.col.push(col);
    this.state.push(state);
    this.close.push(close);
    for (const f of OPTIONAL) {
      const v = opt?.[f] ?? NaN;
      let arr = this.fields[f];
      if (!arr && !Number.isNaN(v)) {
        arr = new GrowF64(Math.max(FIRST_CAPACITY, i + 1));
        for (let k = 0; k < i; k++) arr.push(NaN);
        this.fields[f] = arr;
      }
      arr?.push(v);
    }
  }

  /** Value of an optional field at entry i (NaN when absent). */
  opt(f: OptionalField, i: number): number {
    const arr = this.fields[f];
    return arr ? arr.get(i) : NaN;
  }

  /** The price the checks and the matrix use: the adjusted close when the entry has one, else the close. */
  price(i: number): number {
    const a = this.opt('adj', i);
    return Number.isNaN(a) ? this.close.get(i) : a;
  }
}
