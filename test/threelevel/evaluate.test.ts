/**
 * The execution evaluation's pieces (agents/threelevel/evaluate.ts, targets.ts, config.ts, cli/commands/execution.ts):
 * the figures of the baselines on a real window, the paired test, the momentum targets, the settings check and the
 * document's markers.
 */
import { describe, expect, it } from 'vitest';
import { baselinePolicy } from '../../src-main/agents/threelevel/baselines';
import { resolveExecutionConfig } from '../../src-main/agents/threelevel/config';
import { ExecutionEnv } from '../../src-main/agents/threelevel/env';
import { pairedMeanTest, runExecution } from '../../src-main/agents/threelevel/evaluate';
import { momentumTarget } from '../../src-main/agents/threelevel/targets';
import { replaceExecutionSection } from '../../src-main/cli/commands/execution';
import { ExecutionCosts } from '../../src-main/market/costs';
import { djiaSubset } from '../helpers/data';

describe('execution figures', () => {
  it('trade-at-once has no tracking error and a shortfall equal to its cost; linear pays less per unit traded', async () => {
    const m = djiaSubset(400, 6, 1000);
    const cfg = resolveExecutionConfig('quick');
    const env = () => new ExecutionEnv(m, new ExecutionCosts(m, 0.001, {}), cfg);
    const starts = [200, 221, 242, 263, 284];
    const first = Float64Array.of(...momentumTarget(m, 179), 0);
    const at = (t: number) => momentumTarget(m, t);
    const once = await runExecution(env(), baselinePolicy('trade-at-once'), starts, at, first);
    const lin = await runExecution(env(), baselinePolicy('linear'), starts, at, first);
    expect(once.figures.trackingErrorBp).toBe(0);
    once.periodShortfallBp.forEach((x, k) => expect(x).toBeCloseTo(once.periodObjectiveBp[k]!, 8));
    expect(lin.figures.trackingErrorBp).toBeGreaterThan(0);
    expect(lin.figures.costPerTradedBp).toBeLessThan(once.figures.costPerTradedBp);
    expect(once.periodObjectiveBp).toHaveLength(5);
  });
});

describe('paired test of per-period differences', () => {
  it('gives p = 1 for identical series and a small p for a clear, consistent difference', () => {
    const a = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];
    const same = pairedMeanTest(a, a);
    expect(same.meanDifference).toBe(0);
    expect(same.p).toBe(1);
    const lower = pairedMeanTest(
      a.map((x, i) => x - 2 + 0.1 * (i % 3)),
      a,
    );
    expect(lower.meanDifference).toBeCloseTo(-1.9, 12);
    expect(lower.p).toBeLessThan(0.01);
    expect(lower.high).toBeLessThan(0);
    expect(() => pairedMeanTest([1, 2], [1, 2])).toThrow(/too few/);
    expect(() => pairedMeanTest([1, 2, 3], [1, 2])).toThrow(/3 and 2 periods/);
  });
});

describe('momentum targets', () => {
  it('tilt equal weight by rank, sum to 1, and read closes up to the day only', () => {
    const m = djiaSubset(300, 5, 0);
    const t = 200;
    const w = momentumTarget(m, t, { lookback: 126, tilt: 0.5 });
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    const ret = m.tickers.map((_, i) => m.close[t]![i]! / m.close[t - 126]![i]!);
    const best = ret.indexOf(Math.max(...ret));
    const worst = ret.indexOf(Math.min(...ret));
    expect(w[best]).toBeCloseTo(1.5 / 5, 14);
    expect(w[worst]).toBeCloseTo(0.5 / 5, 14);
    const later = { ...m, close: m.close.map((r, u) => (u > t ? r.map((p) => p * 3) : r)) };
    expect(Array.from(momentumTarget(later, t))).toEqual(Array.from(momentumTarget(m, t)));
    expect(() => momentumTarget(m, 50)).toThrow(/126 closes/);
  });
});

describe('execution settings and the document', () => {
  it('refuses a setting out of range, naming it', () => {
    expect(() => resolveExecutionConfig('quick', { horizon: 1 })).toThrow(/horizon/);
    expect(() => resolveExecutionConfig('quick', { riskAversion: -1 })).toThrow(/riskAversion/);
    expect(() => resolveExecutionConfig('quick', { hidden: [] })).toThrow(/hidden/);
    expect(() => resolveExecutionConfig('fast' as never)).toThrow(/unknown execution preset/);
  });

  it('replaces what lies between the markers and nothing else, and refuses a document without them', () => {
    const doc =
      '# T\n\n## Execution level\n\n<!-- execution-level:begin -->\nold\n<!-- execution-level:end -->\n\nrest\n';
    expect(replaceExecutionSection(doc, 'new table', 'doc.md')).toBe(
      '# T\n\n## Execution level\n\n<!-- execution-level:begin -->\nnew table\n<!-- execution-level:end -->\n\nrest\n',
    );
    expect(() => replaceExecutionSection('# T\n', 'x', 'doc.md')).toThrow(/markers/);
  });
});
