/** market.regimes on the bundled DJIA universe: fast enough to serve, and labels never depend on later prices. */
import { afterAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/services';
import type { RegimesResponse } from '../../src-shared/contract/explain';
import { tempEngine } from '../helpers/engine';

const engine = tempEngine();
afterAll(() => engine.close());

async function regimes(req: object): Promise<RegimesResponse> {
  const r = await dispatch(engine, 'market.regimes', req);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as RegimesResponse;
}

describe('market.regimes', () => {
  it('labels every DJIA day, with shares summing to one', async () => {
    const r = await regimes({ universe: 'djia30' });
    expect(r.dates.length).toBe(2529);
    expect(r.trend.length).toBe(r.dates.length);
    expect(r.volatility.length).toBe(r.dates.length);
    const s = Object.values(r.shares.trend).reduce((a, b) => a + b, 0);
    expect(s).toBeCloseTo(1, 12);
    expect(r.index[0]).toBe(1);
  });

  it('labels up to a date do not change when later data are added (no look-ahead)', async () => {
    const full = await regimes({ universe: 'djia30' });
    const cut = await regimes({ universe: 'djia30', to: '1996-06-28' });
    const n = cut.dates.length;
    expect(full.dates.slice(0, n)).toEqual(cut.dates);
    expect(full.trend.slice(0, n)).toEqual(cut.trend);
    expect(full.volatility.slice(0, n)).toEqual(cut.volatility);
    expect(full.volForecast.sigma.slice(0, n)).toEqual(cut.volForecast.sigma);
  });

  it('answers an unknown universe with NOT_FOUND', async () => {
    const r = await dispatch(engine, 'market.regimes', { universe: 'nope' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('NOT_FOUND');
  });
});
