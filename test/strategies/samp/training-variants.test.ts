/**
 * Issue 15's training settings against turnover, each switched off alone as a named variant so the results
 * document can show what each one buys: the config each variant runs differs from samp-hdrl's in exactly that
 * setting, its models are trained apart (own reuse key), and the variant without holdings exports a policy that
 * does not read them.
 */
import { describe, expect, it } from 'vitest';
import {
  configFromParams,
  sampTrainingKey,
  variantConfig,
  type SampVariantId,
} from '../../../src-main/strategies/samp';
import { readsHoldings, sampNets } from '../../../src-main/agents/samp/policy';
import { djiaSubset } from '../../helpers/data';

const CHANGES: [SampVariantId, string, unknown][] = [
  ['samp-hdrl/no-holdings', 'holdingsInput', false],
  ['samp-hdrl/no-band', 'noTradeBand', 0],
  ['samp-hdrl/no-turnover-penalty', 'turnoverPenalty', 0],
  ['samp-hdrl/rebased-features', 'featureScaling', 'rebased'],
];

describe('training variants of issue 15', () => {
  const base = variantConfig('samp-hdrl', configFromParams('samp-hdrl', {}));

  it('the defaults they switch off are on in samp-hdrl', () => {
    expect(base.holdingsInput).toBe(true);
    expect(base.noTradeBand).toBeGreaterThan(0);
    expect(base.turnoverPenalty).toBeGreaterThan(0);
    expect(base.featureScaling).toBe('volatility');
  });

  it.each(CHANGES)('%s differs from samp-hdrl in %s only', (id, field, value) => {
    const cfg = variantConfig(id, configFromParams(id, {})) as unknown as Record<string, unknown>;
    expect(cfg[field]).toEqual(value);
    expect({ ...cfg, [field]: (base as unknown as Record<string, unknown>)[field] }).toEqual(base);
  });

  it('each is trained apart: its reuse key differs from samp-hdrl and from the others', () => {
    const prices = djiaSubset(300, 6);
    const key = (id: SampVariantId) => sampTrainingKey(id, configFromParams(id, {}), 1, prices, 120, 199);
    const keys = [key('samp-hdrl'), ...CHANGES.map(([id]) => key(id))];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('the variant without holdings builds actors that do not read them', () => {
    expect(readsHoldings(sampNets(base))).toBe(true);
    expect(readsHoldings(sampNets(variantConfig('samp-hdrl/no-holdings', configFromParams('samp-hdrl', {}))))).toBe(
      false,
    );
  });
});
