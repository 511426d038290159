/** src-shared/domain/metrics.ts: one spec per metric the engine computes, used by every table. */
import { describe, expect, it } from 'vitest';
import { METRIC_IDS, METRIC_SPECS, isMetricId } from '../../src-shared/domain';
import { computeMetrics } from '../../src-main/metrics';
import { metricSpec } from '../../src-main/reports/format';
import { formatMetric } from '../../src-main/backtest/summary';

describe('metric specs', () => {
  it('cover exactly the metrics the engine computes, in display order', () => {
    const m = computeMetrics({
      returns: [0.01, -0.02, 0.03, 0.0, 0.01],
      turnover: [0.1, 0.2, 0.0, 0.1],
      weights: [[0.5, 0.5, 0]],
      nRisky: 2,
    });
    expect(Object.keys(m)).toEqual([...METRIC_IDS]);
    expect(Object.keys(METRIC_SPECS)).toEqual([...METRIC_IDS]);
    for (const id of METRIC_IDS) expect(METRIC_SPECS[id].id).toBe(id);
    expect(isMetricId('sharpe')).toBe(true);
    expect(isMetricId('ewDistance')).toBe(false);
  });

  it('labels and titles tell the metrics apart', () => {
    const specs = METRIC_IDS.map((id) => METRIC_SPECS[id]);
    expect(new Set(specs.map((s) => s.label)).size).toBe(specs.length);
    expect(new Set(specs.map((s) => s.title)).size).toBe(specs.length);
  });

  it('say which way is better and over what horizon; turnover is the mean DAILY ONE-WAY figure, not annualised', () => {
    expect(METRIC_SPECS.turnover).toMatchObject({ unit: 'pct', direction: 'lower', horizon: 'daily' });
    expect(METRIC_SPECS.turnover.help).toMatch(/daily one-way/);
    expect(METRIC_SPECS.annualVolatility).toMatchObject({ direction: 'lower', horizon: 'annualised' });
    // drawdowns and tail losses are negative fractions: closer to zero (higher) is better
    expect(METRIC_SPECS.maxDrawdown.direction).toBe('higher');
    expect(METRIC_SPECS.cvar95).toMatchObject({ direction: 'higher', horizon: 'daily' });
    expect(METRIC_SPECS.cumulativeReturn).toMatchObject({ direction: 'higher', horizon: 'total' });
    expect(METRIC_SPECS.avgHoldings.direction).toBe('none');
  });

  it('are what the reports and the CLI tables show', () => {
    for (const id of METRIC_IDS)
      expect(metricSpec(id)).toEqual({
        key: id,
        label: METRIC_SPECS[id].label,
        unit: METRIC_SPECS[id].unit,
        help: METRIC_SPECS[id].help,
      });
    expect(formatMetric('turnover', 0.01234)).toBe('1.23%'); // pct, 2 digits
    expect(formatMetric('cumulativeReturn', 0.01234)).toBe('1.2%'); // pct, 1 digit
    expect(formatMetric('maxDrawdownDays', 41.6)).toBe('42');
  });
});
