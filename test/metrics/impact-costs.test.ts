/** The cost drag split into commission, spread and impact (src-main/metrics computeMetrics, src-shared/domain/metrics.ts). */
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src-main/metrics';
import { METRIC_IDS, METRIC_SPECS } from '../../src-shared/domain';

const base = {
  returns: [-0.004, 0.01, -0.002, 0.003],
  turnover: [0.1, 0, 0.2],
  weights: [[0.5, 0.5, 0]],
  nRisky: 2,
};

describe('cost drag by part', () => {
  it('each part is its own mean daily cost x 252, and the parts add up to the cost drag', () => {
    const commission = [0.001, 0.0002, 0, 0.0004];
    const spread = [0.0005, 0.0001, 0, 0.0002];
    const impact = [0.002, 0.0003, 0, 0.0001];
    const cost = commission.map((c, k) => c + spread[k]! + impact[k]!);
    const m = computeMetrics({ ...base, cost, costSplit: { commission, spread, impact } });
    expect(m.costCommission).toBeCloseTo((0.0016 / 4) * 252, 14);
    expect(m.costSpread).toBeCloseTo((0.0008 / 4) * 252, 14);
    expect(m.costImpact).toBeCloseTo((0.0024 / 4) * 252, 14);
    expect(m.costCommission + m.costSpread + m.costImpact).toBeCloseTo(m.costDrag, 14);
  });

  it('have no value without the split (as the cost drag has none without the costs)', () => {
    const m = computeMetrics({ ...base, cost: [0.001, 0, 0, 0] });
    expect([m.costCommission, m.costSpread, m.costImpact]).toEqual([NaN, NaN, NaN]);
  });

  it('are metrics of their own, right after the cost drag, annual, lower is better', () => {
    const at = METRIC_IDS.indexOf('costDrag');
    expect(METRIC_IDS.slice(at, at + 4)).toEqual(['costDrag', 'costCommission', 'costSpread', 'costImpact']);
    for (const id of ['costCommission', 'costSpread', 'costImpact'] as const)
      expect(METRIC_SPECS[id]).toMatchObject({ unit: 'pct', direction: 'lower', horizon: 'annualised' });
  });
});
