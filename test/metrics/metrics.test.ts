import { describe, expect, it } from 'vitest';
import {
  annualReturn,
  annualVolatility,
  avgCash,
  avgHoldings,
  calmar,
  computeMetrics,
  cumulativeReturn,
  cvar95,
  dailyRate,
  drawdownSeries,
  drawdownStats,
  hitRate,
  maxDrawdown,
  maxDrawdownDuration,
  omega,
  sharpe,
  sortino,
  turnover,
  var95,
  varRank,
} from '../../src-main/metrics';

const S252 = Math.sqrt(252); // 15.874507866387544

describe('metrics on a hand-computed series r = [0.01, -0.02, 0.03, 0]', () => {
  const r = [0.01, -0.02, 0.03, 0];
  it('cumulative and annual return', () => {
    // 1.01 * 0.98 * 1.03 * 1 = 1.019494
    expect(cumulativeReturn(r)).toBeCloseTo(0.019494, 12);
    // (1.019494)^(252/4) - 1
    expect(annualReturn(r)).toBeCloseTo(Math.pow(1.019494, 63) - 1, 10);
  });
  it('volatility and sharpe use the sample std (n - 1)', () => {
    // mean 0.005, squared deviations 0.000025 + 0.000625 + 0.000625 + 0.000025 = 0.0013, / 3
    const std = Math.sqrt(0.0013 / 3); // 0.0208166599...
    expect(annualVolatility(r)).toBeCloseTo(std * S252, 12);
    expect(annualVolatility(r)).toBeCloseTo(0.330454, 5);
    expect(sharpe(r)).toBeCloseTo((0.005 / std) * S252, 10);
    expect(sharpe(r)).toBeCloseTo(3.812933, 5);
  });
  it('sortino divides by the downside deviation over ALL days', () => {
    // downside squares: 0.0004 on one day; mean over 4 days = 0.0001 -> DD = 0.01; 0.005 / 0.01 = 0.5
    expect(sortino(r)).toBeCloseTo(0.5 * S252, 10);
    // the common mistake (mean over the losing days only: DD = 0.02) would give half of that
    expect(sortino(r)).not.toBeCloseTo(0.25 * S252, 3);
  });
  it('omega, hit rate', () => {
    expect(omega(r)).toBeCloseTo(0.04 / 0.02, 12);
    expect(hitRate(r)).toBe(0.5); // the 0 day is not a hit
  });
  it('max drawdown, its duration and calmar', () => {
    // values 1, 1.01, 0.9898, 1.019494, 1.019494: peak 1.01 (k=1), trough 0.9898 (k=2), back above at k=3
    const d = drawdownStats(r);
    expect(d.maxDrawdown).toBeCloseTo(-0.02, 12);
    expect(d).toMatchObject({ peak: 1, trough: 2, recovery: 3, recovered: true, duration: 2 });
    expect(calmar(r)).toBeCloseTo((Math.pow(1.019494, 63) - 1) / 0.02, 8);
    expect(Array.from(drawdownSeries(r))).toEqual([0, expect.closeTo(-0.02, 12), 0, 0]);
  });
  it('VaR / CVaR with 4 days: rank ceil(0.05 x 4) = 1, the worst day', () => {
    expect(var95(r)).toBe(-0.02);
    expect(cvar95(r)).toBe(-0.02);
  });
});

describe('historical VaR / CVaR quantile rule', () => {
  it('rank k = ceil(0.05 n): 20 -> 1, 40 -> 2, 100 -> 5, 252 -> 13, 101 -> 6', () => {
    expect([varRank(20), varRank(40), varRank(100), varRank(252), varRank(101), varRank(1)]).toEqual([
      1, 2, 5, 13, 6, 1,
    ]);
  });
  it('40 returns -0.020, -0.019, ... (shuffled): VaR is the 2nd worst, CVaR the mean of the 2 worst', () => {
    const r = Array.from({ length: 40 }, (_, i) => (i - 20) / 1000).reverse();
    expect(var95(r)).toBeCloseTo(-0.019, 12);
    expect(cvar95(r)).toBeCloseTo(-0.0195, 12);
  });
  it('reported as returns: positive when even the worst days gained', () => {
    expect(var95([0.01, 0.02])).toBe(0.01);
  });
});

describe('drawdown edge cases', () => {
  it('not recovered: duration runs to the end', () => {
    // values 1, 1.1, 0.88, 0.924
    const d = drawdownStats([0.1, -0.2, 0.05]);
    expect(d.maxDrawdown).toBeCloseTo(-0.2, 12);
    expect(d).toMatchObject({ peak: 1, trough: 2, recovery: -1, recovered: false, duration: 2 });
  });
  it('the deeper of two drawdowns is reported', () => {
    // values 1, 0.9, 1.08, 0.756, 1.134
    const d = drawdownStats([-0.1, 0.2, -0.3, 0.5]);
    expect(d.maxDrawdown).toBeCloseTo(-0.3, 12);
    expect(d).toMatchObject({ peak: 2, trough: 3, recovery: 4, duration: 2 });
  });
  it('a first-day loss is a drawdown from the starting value', () => {
    expect(maxDrawdown([-0.05])).toBeCloseTo(-0.05, 12);
    expect(maxDrawdownDuration([-0.05])).toBe(1);
  });
  it('no fall: 0 and duration 0', () => {
    expect(drawdownStats([0.01, 0, 0.02])).toMatchObject({ maxDrawdown: 0, duration: 0 });
  });
});

describe('edge cases of the ratios', () => {
  it('no losing day: sortino, omega, calmar are +Infinity', () => {
    const r = [0.01, 0.02, 0.005];
    expect(sortino(r)).toBe(Infinity);
    expect(omega(r)).toBe(Infinity);
    expect(calmar(r)).toBe(Infinity);
    expect(Number.isFinite(sharpe(r))).toBe(true);
  });
  it('constant positive series: volatility 0, sharpe +Infinity', () => {
    const r = [0.01, 0.01, 0.01];
    expect(annualVolatility(r)).toBe(0);
    expect(sharpe(r)).toBe(Infinity);
    expect(sortino(r)).toBe(Infinity);
  });
  it('constant negative series: sharpe -Infinity, sortino -sqrt(252)', () => {
    const r = [-0.01, -0.01];
    expect(sharpe(r)).toBe(-Infinity);
    expect(sortino(r)).toBeCloseTo(-S252, 10); // mean -0.01 over DD 0.01
  });
  it('all-zero series: the 0/0 ratios are NaN', () => {
    const r = [0, 0, 0];
    expect(sharpe(r)).toBeNaN();
    expect(sortino(r)).toBeNaN();
    expect(omega(r)).toBeNaN();
    expect(calmar(r)).toBeNaN();
    expect(hitRate(r)).toBe(0);
    expect(cumulativeReturn(r)).toBe(0);
  });
  it('one day', () => {
    expect(cumulativeReturn([0.05])).toBeCloseTo(0.05, 15);
    expect(annualReturn([0.05])).toBeCloseTo(Math.pow(1.05, 252) - 1, 6);
    expect(annualVolatility([0.05])).toBeNaN();
    expect(sharpe([0.05])).toBeNaN();
    expect(sortino([0.05])).toBe(Infinity);
    expect(hitRate([0.05])).toBe(1);
    expect(var95([0.05])).toBe(0.05);
  });
  it('empty series', () => {
    expect(cumulativeReturn([])).toBe(0);
    for (const f of [annualReturn, annualVolatility, sharpe, sortino, omega, calmar, var95, cvar95, hitRate, turnover])
      expect(f([])).toBeNaN();
  });
  it('a NaN return makes every metric NaN (nothing is filtered)', () => {
    const r = [0.01, Number.NaN, -0.01];
    for (const f of [
      cumulativeReturn,
      annualReturn,
      annualVolatility,
      sharpe,
      sortino,
      omega,
      calmar,
      maxDrawdown,
      var95,
      cvar95,
      hitRate,
    ])
      expect(f(r)).toBeNaN();
  });
  it('wiped out: annual return -1', () => {
    expect(annualReturn([0.1, -1])).toBe(-1);
  });
});

describe('risk-free rate', () => {
  it('daily equivalent of an annual rate', () => {
    expect(dailyRate(0)).toBe(0);
    expect(dailyRate(0.1)).toBeCloseTo(0.0003782865, 10); // exp(ln(1.1) / 252) - 1 = exp(0.000378215) - 1
  });
  it('sharpe and sortino subtract the daily rate', () => {
    const r = [0.01, -0.02, 0.03, 0];
    const rf = 0.05;
    const d = dailyRate(rf);
    expect(sharpe(r, { riskFree: rf })).toBeCloseTo(sharpe(r.map((x) => x - d)), 12);
    // excess: 0.01-d, -0.02-d, 0.03-d, -d: two days below target now
    const e = r.map((x) => x - d);
    const dd = Math.sqrt(((0.02 + d) ** 2 + d ** 2) / 4);
    expect(sortino(r, { riskFree: rf })).toBeCloseTo((e.reduce((a, b) => a + b) / 4 / dd) * S252, 10);
  });
});

describe('turnover and holdings', () => {
  it('turnover is the mean daily one-way turnover', () => {
    expect(turnover([0.2, 0.4])).toBeCloseTo(0.3, 15);
  });
  it('avgHoldings counts risky weights above 1e-4, cash excluded', () => {
    const w = [
      [0.5, 0.5, 0, 0], // 2
      [1, 0, 0, 0], // 1
      [0.00005, 0.99995, 0, 0], // 1 (0.00005 is below the threshold)
      [0.3, 0.3, 0, 0.4], // 2, the 0.4 is cash
    ];
    expect(avgHoldings(w, 3)).toBe(1.5);
    expect(avgHoldings(w)).toBe(1.75); // without nRisky the last column counts
  });
  it('avgCash is the mean uninvested share: 1 - the risky weights, never below 0', () => {
    const w = [
      [0.5, 0.5, 0], // 0
      [0.2, 0.3, 0.5], // 0.5 (the last column is cash, not counted as invested)
      [0.6, 0.5, 0], // rounding above 1: 0, not -0.1
      [0, 0, 1], // all cash: 1
    ];
    expect(avgCash(w, 2)).toBeCloseTo((0 + 0.5 + 0 + 1) / 4, 15);
    expect(avgCash([[0.25, 0.25]])).toBeCloseTo(0.5, 15); // rows of risky weights only
    expect(avgCash([])).toBeNaN();
  });
});

describe('computeMetrics', () => {
  it('gathers every metric', () => {
    const m = computeMetrics({
      returns: [0.01, -0.02, 0.03, 0],
      turnover: [0.1, 0.3],
      weights: [[1, 0, 0]],
      nRisky: 2,
    });
    expect(m.sortino).toBeCloseTo(0.5 * S252, 10);
    expect(m.maxDrawdown).toBeCloseTo(-0.02, 12);
    expect(m.maxDrawdownDays).toBe(2);
    expect(m.turnover).toBeCloseTo(0.2, 15);
    expect(m.avgHoldings).toBe(1);
    expect(m.avgCash).toBe(0);
    expect(m.hitRate).toBe(0.5);
  });
});
