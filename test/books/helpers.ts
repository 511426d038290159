/**
 * A test database whose DJIA prices stop at a date, fed one more day at a time through the public import
 * (data/importer.ts runImport), the way a PM appends each morning's prices; and a replaying strategy that lets
 * market/simulate.ts book what a book held, to compare its track record with a backtest.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runImport } from '../../src-main/data/importer';
import { dispatch } from '../../src-main/services';
import type { Channel, Request, Response } from '../../src-shared/contract';
import type { StrategyInstance } from '../../src-main/strategies/types';
import { DJIA_CSV } from '../helpers/data';
import { tempEngine } from '../helpers/engine';

export const DJIA_META = path.join(path.dirname(DJIA_CSV), 'djia30-1991-2001.universe.json');

const lines = () => fs.readFileSync(DJIA_CSV, 'utf8').trim().split(/\r?\n/);

/** The dates of the bundled file in (from, to], ascending. */
export function djiaDates(from: string, to: string): string[] {
  return lines()
    .slice(1)
    .map((l) => l.slice(0, 10))
    .filter((d) => d > from && d <= to);
}

/** An engine on a new database holding the DJIA closes up to `upTo`, with `append(date)` adding one more day. */
export async function cutEngine(upTo: string) {
  const engine = tempEngine({ seedDefaultData: false });
  const all = lines();
  const write = (name: string, rows: string[]) => {
    const f = path.join(engine.dir, name);
    fs.writeFileSync(f, [all[0], ...rows].join('\n') + '\n');
    return f;
  };
  const first = await runImport(
    engine.db,
    [
      write(
        'upto.csv',
        all.slice(1).filter((l) => l.slice(0, 10) <= upTo),
      ),
    ],
    { universe: 'djia30', meta: DJIA_META },
  );
  if (!first.result) throw new Error(`import failed: ${JSON.stringify(first.preview.problems?.slice(0, 3))}`);
  return Object.assign(engine, {
    async append(date: string) {
      const row = all.find((l) => l.startsWith(date));
      if (!row) throw new Error(`no row for ${date}`);
      const r = await runImport(engine.db, [write(`day-${date}.csv`, [row])], { universe: 'djia30' });
      if (!r.result) throw new Error(`append of ${date} failed: ${JSON.stringify(r.preview.problems?.slice(0, 3))}`);
    },
    /** a channel call that must succeed */
    async call<C extends Channel>(channel: C, req: Request<C>): Promise<Response<C>> {
      const r = await dispatch(engine, channel, req);
      if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
      return r.value as Response<C>;
    },
    /** a channel call that must fail; gives the error */
    async refused<C extends Channel>(channel: C, req: Request<C>) {
      const r = await dispatch(engine, channel, req);
      if (r.ok) throw new Error(`${channel} was accepted`);
      return r.error;
    },
  });
}

/**
 * Weights (n risky + cash last) held over a day whose price relatives are `x`, after that day's close: each
 * risky weight grows with its price, cash stays, all divided by the gross growth (cash earns nothing).
 */
export function drift(held: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  const n = held.length - 1;
  const d = new Float64Array(n + 1);
  let g = held[n]!;
  for (let i = 0; i < n; i++) g += d[i] = held[i]! * x[i]!;
  d[n] = held[n]!;
  for (let i = 0; i <= n; i++) d[i] = d[i]! / g;
  return d;
}

/**
 * A strategy replaying approved targets on their dates and, on the other days, its own held weights drifted with
 * the prices (no trade), so simulate() books exactly what the book holds.
 */
export function replay(targets: ReadonlyMap<string, Float64Array>): StrategyInstance {
  let held: Float64Array | null = null;
  return {
    decide(view) {
      if (held) held = drift(held, view.relatives());
      const w = targets.get(view.date);
      if (w) held = Float64Array.from(w);
      if (!held) throw new Error(`nothing held on ${view.date}`);
      return held.slice(0, view.nAssets);
    },
  };
}
