/**
 * The concentration guard on real runs: a backtest flags a run that puts nearly the whole book into one stock on
 * a single day, stores the figures the flag was read from with the run's other metrics, and stores the figures
 * before costs beside the net ones.
 */
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { openDatabase } from '../../src-main/store/db';
import { getRun, getRunMetrics } from '../../src-main/store/runs';
import { registerStrategy } from '../../src-main/strategies/registry';
import type { StrategyDef } from '../../src-main/strategies/types';
import { FLAG_CONCENTRATED } from '../../src-shared/domain';
import { djiaSubset } from '../helpers/data';

const prices = djiaSubset(200, 6);

/** Equal weights every day but one, when 99.99 % goes into the first stock (what issue 15 saw of ddpg-flat). */
const oneBadDay: StrategyDef = {
  id: 'test-one-bad-day',
  label: 'one concentrated day (test)',
  description: 'test-only',
  family: 'learning',
  hindsight: false,
  params: [],
  create: (ctx) => ({
    decide: (v) =>
      Float64Array.from({ length: v.nAssets }, (_, i) =>
        v.t === ctx.testStart + 30 ? (i === 0 ? 0.9999 : 0.0001 / (v.nAssets - 1)) : 1 / v.nAssets,
      ),
  }),
};

describe('the concentration flag of a run', () => {
  it('is set by a single day with 99.99 % in one stock, not by equal weights, and is stored with its figures', async () => {
    const db = openDatabase(':memory:');
    db.prepare(`INSERT INTO universes (id, name, created_at) VALUES (?, ?, ?)`).run('u', 'u', new Date().toISOString());
    const off = registerStrategy(oneBadDay);
    try {
      const res = await runBacktest(
        db,
        { universe: 'u', strategies: ['test-one-bad-day', 'crp'], from: prices.dates[120] },
        { prices },
      );
      const [bad, crp] = res;
      expect(bad!.flags).toContain(FLAG_CONCENTRATED);
      expect(bad!.metrics!.maxWeight).toBe(0.9999);
      expect(bad!.metrics!.minEffectiveN).toBeLessThan(1.001);
      expect(crp!.flags).not.toContain(FLAG_CONCENTRATED);
      expect(crp!.metrics!.maxWeight).toBeCloseTo(1 / 6, 12);
      expect(crp!.metrics!.minEffectiveN).toBeCloseTo(6, 12);
      // stored: the flag on the run, the figures among its metrics, beside the net and gross figures
      expect(getRun(db, bad!.runId!)!.flags).toContain(FLAG_CONCENTRATED);
      const stored = getRunMetrics(db, bad!.runId!);
      expect(stored.maxWeight).toBe(0.9999);
      expect(stored.grossSharpe).toBe(bad!.metrics!.grossSharpe);
      expect(stored.grossSharpe).toBeGreaterThan(stored.sharpe!);
      expect(stored.costDrag).toBeGreaterThan(0);
      expect(stored.annualTurnover).toBeCloseTo(252 * stored.turnover!, 12);
    } finally {
      off();
      db.close();
    }
  });
});
