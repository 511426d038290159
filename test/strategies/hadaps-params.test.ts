// HADAPS's strategy parameters read the learned families' "0 or -1 keeps the preset" convention
// (strategies/overrides.ts), with `episodes` setting maxEpisodes, and each id's own change on top of the preset.
import { describe, expect, it } from 'vitest';
import { HADAPS_PRESETS, resolveHadapsConfig } from '../../src-main/agents/hadaps/config';
import { hadapsConfigFromParams } from '../../src-main/strategies/hadaps/params';
import { listStrategies, resolveParams } from '../../src-main/strategies/registry';

describe('hadapsConfigFromParams', () => {
  it('keeps the preset for 0 (positive settings) and -1 (settings that may be 0)', () => {
    const kept = hadapsConfigFromParams('hadaps', {
      preset: 'quick',
      actionScale: 0,
      window: 0,
      updates: 0,
      episodes: 0,
      tradeRate: 0,
      turnoverPenalty: -1,
      noTradeBand: -1,
      validationDays: -1,
      patience: -1,
    });
    expect(kept).toEqual(resolveHadapsConfig('quick', { costRate: HADAPS_PRESETS.standard.costRate }));
  });

  it('overrides the preset with any other value; episodes sets maxEpisodes and 0 is a value for the -1 kind', () => {
    const c = hadapsConfigFromParams('hadaps', {
      preset: 'quick',
      actionScale: 3,
      window: 7,
      updates: 123,
      episodes: 4,
      tradeRate: 0.5,
      turnoverPenalty: 0,
      noTradeBand: 0,
      validationDays: 0,
      patience: 0,
      costRate: 0.002,
      classing: 'sector',
      warmStart: true,
    });
    expect(c).toMatchObject({
      actionScale: 3,
      window: 7,
      updates: 123,
      maxEpisodes: 4,
      tradeRate: 0.5,
      turnoverPenalty: 0,
      noTradeBand: 0,
      validationDays: 0,
      patience: 0,
      costRate: 0.002,
      classing: 'sector',
      warmStart: true,
    });
    expect(c).not.toHaveProperty('episodes');
  });

  it("applies the id's change, which a given parameter overrides in turn", () => {
    expect(hadapsConfigFromParams('hadaps/full-trade', {}).tradeRate).toBe(1);
    expect(hadapsConfigFromParams('hadaps/full-trade', { tradeRate: 0.3 }).tradeRate).toBe(0.3);
    expect(hadapsConfigFromParams('hadaps/full-trade', { tradeRate: 0 }).tradeRate).toBe(1);
    expect(() => hadapsConfigFromParams('hadaps/unknown', {})).toThrow(/not a HADAPS strategy: hadaps\/unknown/);
  });

  it("keeps every id's own change when the parameters come with their defaults, as the registry resolves them", async () => {
    const ids = (await listStrategies()).map((d) => d.id).filter((id) => /^hadaps(\/|-beta\/|$)/.test(id));
    expect(ids).toContain('hadaps/warm-start');
    for (const id of ids) {
      const def = (await listStrategies()).find((d) => d.id === id)!;
      expect(hadapsConfigFromParams(id, resolveParams(def, {})), id).toEqual(hadapsConfigFromParams(id, {}));
    }
    const def = (await listStrategies()).find((d) => d.id === 'hadaps/warm-start')!;
    expect(hadapsConfigFromParams('hadaps/warm-start', resolveParams(def, {})).warmStart).toBe(true);
    expect(hadapsConfigFromParams('hadaps', { warmStart: true }).warmStart).toBe(true);
    expect(hadapsConfigFromParams('hadaps', { warmStart: false }).warmStart).toBe(false);
  });
});
