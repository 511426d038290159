/**
 * src-shared/domain/decision.ts: the one schema of every strategy family's decision detail. The writers (the SAMP
 * policy, its flat DDPG baseline, the classic strategies that record something) produce exactly that shape: their
 * details, stored as JSON, parse and come back unchanged (nothing left out, nothing added). Rows stored before the
 * `family` field are normalised in one place; anything else that does not match is refused with its path.
 */
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src-main/backtest/run';
import { MarketView } from '../../src-main/market/view';
import { SampAllocator } from '../../src-main/strategies/samp/allocation';
import { toJson } from '../../src-main/store/runs';
import {
  DecisionDetail,
  SampRebound,
  StoredDecisionDetail,
  withFamily,
  type DecisionDetailInput,
} from '../../src-shared/domain/decision';
import { djiaSubset } from '../helpers/data';
import { testSampDetail } from '../helpers/runData';
import { createVariant, CTX, decideAll } from '../strategies/samp/samp-helpers';

/** A detail as the store keeps it: JSON (typed arrays as arrays, non-finite numbers as null). */
const stored = (d: DecisionDetailInput | undefined | null): unknown => JSON.parse(toJson(d));

describe('the writers produce exactly the schema', () => {
  const prices = djiaSubset(300, 6);

  it(
    'SAMP-HDRL, its upper-only and no-rebound ablations and ddpg-flat: every decision parses back unchanged',
    { timeout: 120_000 },
    async () => {
      const families: Record<string, string> = {
        'samp-hdrl': 'samp',
        'samp-hdrl/upper-only': 'samp',
        'samp-hdrl/no-rebound': 'samp',
        'ddpg-flat': 'ddpg-flat',
      };
      for (const [variant, family] of Object.entries(families)) {
        const decisions = decideAll(await createVariant(variant, prices), prices, CTX.testStart, CTX.testStart + 40);
        for (const d of decisions) {
          const json = stored(d.detail);
          const parsed = DecisionDetail.safeParse(json);
          expect(parsed.error?.issues, variant).toBeUndefined();
          // toStrictEqual: a field the schema did not know would have been dropped by the parse
          expect(parsed.data, variant).toStrictEqual(json);
          expect(parsed.data).toMatchObject({ family, variant, model: { key: expect.any(String) } });
        }
      }
    },
  );

  it("the rebound detector's state, flags included, parses back unchanged on every day of a falling and recovering market", () => {
    const m = djiaSubset(2000, 6);
    const a = new SampAllocator({
      grouping: { every: 75, static: false, lookback: 60, init: 'extremes' },
      utility: {},
      rebound: { enabled: true, historyDays: 252 },
      anchor: 60,
      seed: 1,
    });
    let flags = 0;
    for (let t = 260; t < m.dates.length; t += 3) {
      const json = stored({ ...testSampDetail(), rebound: a.at(new MarketView(m, t)).rebound });
      const rebound = (json as { rebound: unknown }).rebound;
      expect(SampRebound.parse(rebound)).toStrictEqual(rebound);
      flags += SampRebound.parse(rebound).flagsToday.length;
    }
    expect(flags).toBeGreaterThan(0); // the flags' own shape was checked, not only empty lists
  });

  it('the classic strategies that record a detail (a static optimiser, the two hindsight references)', async () => {
    const res = await runBacktest(
      null,
      { universe: 'x', strategies: ['minvar', 'bcrp', 'beststock'], from: prices.dates[250] },
      { store: false, prices },
    );
    for (const r of res) {
      expect(r.sim?.details, r.strategy).toBeDefined();
      for (const d of r.sim!.details!) {
        const json = stored(d);
        expect(DecisionDetail.parse(json)).toStrictEqual(json);
        expect(json).toMatchObject({ family: 'classic' });
      }
    }
  });
});

describe('stored details', () => {
  it('rows written before the family field read as the family their writer had', () => {
    const { family: _f, ...oldSamp } = testSampDetail();
    void _f;
    expect(StoredDecisionDetail.parse(oldSamp)).toStrictEqual(testSampDetail());
    expect(StoredDecisionDetail.parse({ variant: 'ddpg-flat', concentration: { flat: 3 } })).toStrictEqual({
      family: 'ddpg-flat',
      variant: 'ddpg-flat',
      concentration: { flat: 3 },
    });
    expect(StoredDecisionDetail.parse({ estimatedAt: '2000-01-03', note: 'fell back' })).toStrictEqual({
      family: 'classic',
      estimatedAt: '2000-01-03',
      note: 'fell back',
    });
    expect(StoredDecisionDetail.parse({ hindsight: true, asset: 'MSFT' })).toEqual({
      family: 'classic',
      hindsight: true,
      asset: 'MSFT',
    });
    // a detail that names its family is left as it is
    expect(withFamily({ family: 'classic', variant: 'samp-hdrl' })).toEqual({
      family: 'classic',
      variant: 'samp-hdrl',
    });
  });

  it('anything else is refused with the path of what is wrong, not guessed', () => {
    const { groups: _g, ...noGroups } = testSampDetail();
    void _g;
    const r = StoredDecisionDetail.safeParse(noGroups);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['groups']);
    // the guesses the readers used to make are gone: a `grouping` is not a `groups`, a `reboundFlags` list is not read
    expect(StoredDecisionDetail.safeParse({ ...noGroups, grouping: testSampDetail().groups }).success).toBe(false);
    expect(DecisionDetail.safeParse({ family: 'hadaps' }).success).toBe(false);
    expect(DecisionDetail.safeParse({ ...testSampDetail(), variant: 'not-a-variant' }).success).toBe(false);
  });

  it('a non-finite figure is stored as null and read as null', () => {
    const d = testSampDetail();
    const inf = {
      ...d,
      utility: { ...d.utility, high: { ...d.utility.high, momentumStrength: Number.POSITIVE_INFINITY } },
    };
    const back = DecisionDetail.parse(stored(inf));
    expect(back.family === 'samp' && back.utility.high.momentumStrength).toBeNull();
  });
});
