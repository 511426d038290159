/**
 * explain/agents.ts, the PM's reading of a decision: the final book split into the agents' contributions through
 * the fusion (hand-computed), and the plain words built from that split and the stored attributions — numbers in
 * percent of the book, drivers named as a PM names them, no method jargon.
 */
import { describe, expect, it } from 'vitest';
import { explanationWords, portfolioAttribution, type AgentExplanation } from '../../src-main/explain/agents';

const tickers = ['MO', 'KO', 'IBM', 'XOM'];
// a = 0.5; lower split c2 0.6 (high: MO, KO), c1 0.2 (ordinary: IBM, XOM), cash 0.2
const w0 = [0.6, 0.2, 0.1, 0.1];
const w1 = [0, 0, 0.75, 0.25];
const w2 = [0.7, 0.3, 0, 0];
const fusion = { fusionA: 0.5, capital: { c1: 0.2, c2: 0.6, cash: 0.2 } };
const final = tickers.map((_, i) => 0.5 * w0[i]! + 0.5 * (0.2 * w1[i]! + 0.6 * w2[i]!));
const cash = 1 - final.reduce((s, v) => s + v, 0);

describe('portfolioAttribution', () => {
  const a = portfolioAttribution(tickers, { upper: w0, lower1: w1, lower2: w2 }, final, cash, fusion);

  it('gives each agent its part of the book: a·Σw0, (1 − a)c1·Σw1, (1 − a)c2·Σw2, and the cash as held', () => {
    expect(a.agents).toEqual([
      { agent: 'upper', share: expect.closeTo(0.5, 14), multiplier: 0.5 },
      { agent: 'lower1', share: expect.closeTo(0.1, 14), multiplier: expect.closeTo(0.1, 14) },
      { agent: 'lower2', share: expect.closeTo(0.3, 14), multiplier: expect.closeTo(0.3, 14) },
    ]);
    // the book's cash is (1 − a) × the lower agents' cash: 0.5 × 0.2 = 10%, not the 20% of their part
    expect(a.cash).toBeCloseTo(0.1, 14);
    expect(a.agents.reduce((s, g) => s + g.share, 0) + a.cash).toBeCloseTo(1, 14);
  });

  it('splits every asset into contributions that add up to its final weight, largest holding first', () => {
    expect(a.assets.map((r) => r.ticker)).toEqual(['MO', 'KO', 'IBM', 'XOM']);
    const mo = a.assets[0]!;
    // MO: 0.5 × 0.6 = 0.30 from the upper agent, 0.3 × 0.7 = 0.21 from lower agent 2
    expect(mo.weight).toBeCloseTo(0.51, 14);
    expect(mo.parts).toEqual([
      { agent: 'upper', agentWeight: 0.6, contribution: expect.closeTo(0.3, 14) },
      { agent: 'lower1', agentWeight: 0, contribution: 0 },
      { agent: 'lower2', agentWeight: 0.7, contribution: expect.closeTo(0.21, 14) },
    ]);
    for (const r of a.assets) expect(r.parts.reduce((s, p) => s + p.contribution, 0)).toBeCloseTo(r.weight, 14);
  });

  it('a single agent (the flat DDPG policy) owns the whole invested book', () => {
    const f = portfolioAttribution(tickers, { flat: [0.5, 0.3, 0.1, 0] }, [0.5, 0.3, 0.1, 0], 0.1, null);
    expect(f.agents).toEqual([{ agent: 'flat', share: expect.closeTo(0.9, 14), multiplier: 1 }]);
    expect([f.fusionA, f.capital]).toEqual([null, null]);
  });
});

describe('explanationWords', () => {
  const a = portfolioAttribution(tickers, { upper: w0, lower1: w1, lower2: w2 }, final, cash, fusion);
  const shap = (
    agent: string,
    players: AgentExplanation['players'],
    fx: number,
    baseValue: number,
    values: [string, number][],
  ): AgentExplanation => ({
    agent,
    players,
    ticker: 'MO',
    fx,
    baseValue,
    values: values.map(([player, value]) => ({ player, value })),
    exact: false,
    evaluations: 100,
    efficiencyGap: 4.2e-17,
    window: 20,
  });
  const agents = [
    shap('upper', 'assets', 0.6, 0.25, [
      ['MO', 0.28],
      ['KO', 0.05],
      ['IBM', 0.02],
    ]),
    shap('upper', 'time blocks', 0.6, 0.25, [
      ['last week (1-5 days)', 0.25],
      ['older (22+ days)', 0.1],
    ]),
    shap('lower2', 'assets', 0.7, 0.5, [
      ['KO', -0.1],
      ['MO', 0.3],
    ]),
  ];
  const capital = [
    {
      output: 'high-quality share c2',
      fx: 0.6,
      baseValue: 0.4,
      values: [
        { player: 'high-quality utility (mean − λ·var)', value: 0.15 },
        { player: 'ordinary momentum tilt', value: 0.05 },
      ],
    },
    {
      output: 'cash share',
      fx: 0.2,
      baseValue: 0.05,
      values: [{ player: 'rebound state (downtrend flags)', value: 0.15 }],
    },
  ];
  const w = explanationWords({
    subject: 'MO',
    window: 20,
    attribution: a,
    agents,
    capital,
    capitalBeforeCap: { c1: 0.3, c2: 0.65, cash: 0.05 },
    rebound: { capped: true, reasons: ['market in a downtrend'] },
  });

  it("says where the asset's weight comes from, agent by agent, in percent of the book", () => {
    expect(w.asset[0]).toBe(
      "MO's 51.0% comes mostly from the upper agent's guidance (30.0% of the book: 50% of the book × its 60.0% on MO) and the high-quality-group agent (21.0% of the book: 30% of the book × its 70.0% on MO).",
    );
  });

  it('names the drivers of each agent as a PM reads them: trends and stretches of time, with their points', () => {
    expect(w.asset[1]).toBe(
      "The upper agent's guidance puts 60.0% on MO, above its typical 25.0%, mainly because of its own 20-day trend (+28.0 points) and KO's 20-day trend (+5.0 points); over time, mostly the whole market's last week (+25.0 points).",
    );
    expect(w.asset[2]).toBe(
      "The high-quality-group agent puts 70.0% on MO, above its typical 50.0%, mainly because of its own 20-day trend (+30.0 points) and KO's 20-day trend (−10.0 points).",
    );
    expect(w.asset[3]).toBe(
      "Its group's share of the lower agents' capital is 60.0% (typical 40.0%), mostly because of the high-quality group's utility (recent mean return less λ × variance) (+15.0 points) and the ordinary group's momentum (+5.0 points).",
    );
  });

  it("explains the final book: the agents' parts, the fusion and capital split behind the cash, and the rebound cap", () => {
    expect(w.portfolio[0]).toBe(
      "The book is 50.0% from the upper agent's guidance (largest: MO 30.0%, KO 10.0%, IBM 5.0%); 30.0% from the high-quality-group agent (largest: MO 21.0%, KO 9.0%); 10.0% from the ordinary-group agent (largest: IBM 7.5%, XOM 2.5%); and 10.0% cash.",
    );
    expect(w.portfolio[1]).toBe(
      "The upper agent's guidance is fused at a = 50%; the other 50% goes to the lower agents, split 60.0% high-quality, 20.0% ordinary and 20.0% cash — so the fused book's cash is 50% × 20.0% = 10.0%.",
    );
    expect(w.portfolio[2]).toBe(
      "That cash share is 20.0% against 5.0% on the run's typical day, mostly because of the downtrend flags of the rebound detector (+15.0 points).",
    );
    expect(w.portfolio[3]).toBe(
      "The rebound cap cut the lower agents' risky capital from 95.0% to 80.0% (market in a downtrend).",
    );
  });

  it("leaves out a capital attribution that does not land on the decision's own split (it would explain another split)", () => {
    const off = capital.map((c) => ({ ...c, fx: c.fx + 0.1 }));
    const v = explanationWords({ subject: 'MO', window: 20, attribution: a, agents, capital: off });
    expect(v.asset.join(' ')).not.toContain("Its group's share");
    expect(v.portfolio.join(' ')).not.toContain('That cash share');
    expect(v.portfolio).toHaveLength(2);
  });

  it('keeps method names and checks out of the words', () => {
    const all = [...w.asset, ...w.portfolio].join(' ');
    expect(all).not.toMatch(/SHAP|Shapley|efficiency|e-17|coalition/i);
  });

  it('an asset nobody holds is said to get nothing', () => {
    const z = portfolioAttribution(['AA', 'BB'], { flat: [1, 0] }, [1, 0], 0, null);
    expect(explanationWords({ subject: 'BB', window: 20, attribution: z, agents: [], capital: null }).asset).toEqual([
      'BB gets nothing (0.0%): no agent puts a meaningful weight on it.',
    ]);
  });
});

describe('a policy that trades through a no-trade band', () => {
  it('books what the band left as held as its own part, so the parts still add up to the weight the book takes', () => {
    // the fused target of MO is 0.51, but the trade was too small: the book keeps MO at its held 0.53
    const held = [0.53, ...final.slice(1)];
    const a = portfolioAttribution(
      tickers,
      { upper: w0, lower1: w1, lower2: w2 },
      held,
      1 - held.reduce((s, v) => s + v, 0),
      fusion,
    );
    const mo = a.assets.find((r) => r.ticker === 'MO')!;
    expect(mo.parts.map((p) => p.agent)).toEqual(['upper', 'lower1', 'lower2', 'no-trade band']);
    expect(mo.parts[3]!.contribution).toBeCloseTo(0.02, 14);
    expect(a.assets.find((r) => r.ticker === 'KO')!.parts.map((p) => p.agent)).toEqual(['upper', 'lower1', 'lower2']);
    expect(a.agents.reduce((s, g) => s + g.share, 0) + a.cash).toBeCloseTo(1, 14);
    const w = explanationWords({ subject: 'MO', window: 20, attribution: a, agents: [], capital: null });
    expect(w.asset[1]).toBe(
      "The no-trade band moves it +2.0 points from the agents' target: a trade smaller than the band is not made, so part of the weight stays as held.",
    );
    expect(w.portfolio[0]).toContain(
      '; +2.0% from the no-trade band (trades too small to make, left as held); and 8.0% cash.',
    );
    expect(w.portfolio[1]).toBe(
      "The upper agent's guidance is fused at a = 50%; the other 50% goes to the lower agents, split 60.0% high-quality, 20.0% ordinary and 20.0% cash — so the fused book's cash is 50% × 20.0% = 10.0%, and 8.0% once the no-trade band has left small trades undone.",
    );
  });
});
