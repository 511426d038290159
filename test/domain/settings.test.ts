/** src-shared/domain/settings.ts: which runs are one experiment, and one run per seed. */
import { describe, expect, it } from 'vitest';
import { experimentIdentity, groupSeeds, marketIdentity, settingsIdentity } from '../../src-shared/domain';

/** A config as backtest/run.ts writes it. */
const CONFIG = {
  universe: 'djia30',
  tickers: ['AA', 'AXP'],
  strategy: 'eg',
  params: { eta: 0.05 },
  seed: 1,
  protocol: null,
  window: {
    label: '2000',
    from: '2000-01-03',
    to: '2000-12-29',
    trainFrom: '1999-01-04',
    trainTo: '1999-12-31',
    validationFrom: null,
    validationTo: null,
    trainTruncated: false,
  },
  lookback: 252,
  cost: 0.001,
  rebalance: 'daily',
  riskFreeRate: 0,
  preset: null,
  ewThreshold: 0.1,
};
const run = (config: Record<string, unknown>, strategy = 'eg', windowFrom = '2000-01-03', windowTo = '2000-12-29') => ({
  strategy,
  config,
  windowFrom,
  windowTo,
});

describe('settings and experiment identity', () => {
  const base = experimentIdentity(run(CONFIG));

  it('ignores the seed, the flag threshold, the request preset, the window label and train dates, and key order', () => {
    expect(experimentIdentity(run({ ...CONFIG, seed: 7 }))).toBe(base);
    expect(experimentIdentity(run({ ...CONFIG, ewThreshold: 0.3 }))).toBe(base);
    expect(experimentIdentity(run({ ...CONFIG, preset: 'quick' }))).toBe(base);
    expect(
      experimentIdentity(run({ ...CONFIG, window: { ...CONFIG.window, label: 'x', trainFrom: '1998-01-02' } })),
    ).toBe(base);
    const reordered = Object.fromEntries(Object.entries(CONFIG).reverse());
    expect(experimentIdentity(run({ ...reordered, params: { eta: 0.05 } }))).toBe(base);
  });

  it('tells apart every field of the strategy, its params and the market, and the test window', () => {
    const changed: Record<string, unknown>[] = [
      { universe: 'other' },
      { tickers: ['AA'] },
      { protocol: 'samp' },
      { lookback: 500 },
      { cost: 0.002 },
      { rebalance: 'weekly' },
      { riskFreeRate: 0.02 },
      { params: { eta: 0.1 } },
      { params: { eta: 0.05, preset: 'quick' } },
    ];
    for (const c of changed) expect(experimentIdentity(run({ ...CONFIG, ...c })), JSON.stringify(c)).not.toBe(base);
    expect(experimentIdentity(run(CONFIG, 'eg/other'))).not.toBe(base);
    expect(experimentIdentity(run(CONFIG, 'eg', '2000-01-04'))).not.toBe(base);
    expect(experimentIdentity(run(CONFIG, 'eg', '2000-01-03', '2000-12-28'))).not.toBe(base);
    // the settings are the same on every window
    expect(settingsIdentity(run(CONFIG, 'eg', '1999-01-04', '1999-12-31'))).toBe(settingsIdentity(run(CONFIG)));
    // a missing field is null, not a different "undefined"
    const { lookback: _l, ...noLookback } = CONFIG;
    expect(settingsIdentity(run(noLookback))).toBe(settingsIdentity(run({ ...CONFIG, lookback: null })));
  });

  it('the market leaves the strategy and its params out', () => {
    expect(marketIdentity({ ...CONFIG, strategy: 'crp', params: {} })).toBe(marketIdentity(CONFIG));
    expect(marketIdentity({ ...CONFIG, cost: 0.002 })).not.toBe(marketIdentity(CONFIG));
  });
});

describe('groupSeeds', () => {
  it('one run per seed, the first given standing for it; groups in order of their first run', () => {
    const rs = [
      { id: 'a3', k: 'A', seed: 3 },
      { id: 'b1', k: 'B', seed: 1 },
      { id: 'a1', k: 'A', seed: 1 },
      { id: 'a3-old', k: 'A', seed: 3 },
      { id: 'a1-old', k: 'A', seed: 1 },
    ];
    const g = groupSeeds(rs, (r) => r.k);
    expect(g.map((x) => [x.key, x.runs.map((r) => r.id), x.repeats.map((r) => r.id)])).toEqual([
      ['A', ['a3', 'a1'], ['a3-old', 'a1-old']],
      ['B', ['b1'], []],
    ]);
    expect(groupSeeds([], (r: { seed: number }) => String(r.seed))).toEqual([]);
  });
});
