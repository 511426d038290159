/**
 * A hand-built universe for the sector-scenario tests (src-main/market/scenarios.ts): four sectors whose order of
 * volatility is known by construction.
 */
import type { PriceMatrix } from '../../src-main/market/prices';

/**
 * Each member moves up by its amplitude a one day and back down by the same factor the next, so its daily returns
 * alternate +a and 1/(1+a) - 1: a larger amplitude is a larger volatility. Sector sizes 6, 5, 3 and 2 (Tech's six
 * make the five-stock rule pick; Rates has fewer than five).
 */
export const MEMBERS: { ticker: string; sector: string; amp: number }[] = [
  // Tech: the most volatile sector (mean 0.035); T6 is its calmest member
  { ticker: 'T1', sector: 'Tech', amp: 0.04 },
  { ticker: 'T2', sector: 'Tech', amp: 0.045 },
  { ticker: 'T3', sector: 'Tech', amp: 0.035 },
  { ticker: 'T4', sector: 'Tech', amp: 0.03 },
  { ticker: 'T5', sector: 'Tech', amp: 0.038 },
  { ticker: 'T6', sector: 'Tech', amp: 0.022 },
  // Mining: second (0.025)
  { ticker: 'M1', sector: 'Mining', amp: 0.025 },
  { ticker: 'M2', sector: 'Mining', amp: 0.02 },
  { ticker: 'M3', sector: 'Mining', amp: 0.03 },
  { ticker: 'M4', sector: 'Mining', amp: 0.024 },
  { ticker: 'M5', sector: 'Mining', amp: 0.026 },
  // Utilities: third (0.01)
  { ticker: 'U1', sector: 'Utilities', amp: 0.01 },
  { ticker: 'U2', sector: 'Utilities', amp: 0.012 },
  { ticker: 'U3', sector: 'Utilities', amp: 0.008 },
  // Rates: the calmest (0.004), two members
  { ticker: 'R1', sector: 'Rates', amp: 0.003 },
  { ticker: 'R2', sector: 'Rates', amp: 0.005 },
];
export const DAYS = 200;
export const TRAIN = { trainStart: 0, trainEnd: 119, label: 'test window' };

/** The hand-built universe, members interleaved so the column order is not the sector order. */
export function handBuiltSectors(): PriceMatrix {
  const order = [...MEMBERS].sort((a, b) => (a.ticker.slice(1) + a.ticker < b.ticker.slice(1) + b.ticker ? -1 : 1));
  const close: Float64Array[] = [];
  for (let t = 0; t < DAYS; t++) close.push(Float64Array.from(order, (m) => 50 * (t % 2 === 1 ? 1 + m.amp : 1)));
  const dates = Array.from({ length: DAYS }, (_, t) => new Date(Date.UTC(2020, 0, 1 + t)).toISOString().slice(0, 10));
  return {
    universe: 'hand',
    dates,
    tickers: order.map((m) => m.ticker),
    close,
    assets: order.map((m) => ({ ticker: m.ticker, name: m.ticker, class: 'Equity', sector: m.sector })),
  };
}
