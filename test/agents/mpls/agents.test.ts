/**
 * MPLS's agents against module fixtures written here (agents/mpls env, network, trainer, policy): the episode reward
 * against a hand-computed case, the masked fusion (an off module's weight is exactly 0; none on gives equal sector
 * weights), the final weights = sector weight x weight inside, the exported ONNX policies against the training
 * engine's forward to 1e-5, and reproducibility by seed. The strategy over the real modules is
 * test/strategies/mpls.test.ts's.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import type { MplsModuleName } from '../../../src-shared/domain/decision';
import { classLayout, type ClassLayout } from '../../../src-main/agents/hadaps/classes';
import { resolveMplsConfig, type MplsConfig } from '../../../src-main/agents/mpls/config';
import {
  composeWeights,
  episodeReward,
  fuse,
  maskedSoftmax,
  moduleMask,
  MplsStates,
  softmax,
  type AgentState,
  type OnModules,
} from '../../../src-main/agents/mpls/env';
import type { ModuleDay, MplsModule } from '../../../src-main/agents/mpls/modules';
import {
  fusionModel,
  highModel,
  lowInput,
  lowModel,
  lowSectors,
  type MplsShape,
} from '../../../src-main/agents/mpls/network';
import { exportMplsOnnx, MplsPolicy } from '../../../src-main/agents/mpls/policy';
import { lowFromLogits, trainMpls } from '../../../src-main/agents/mpls/trainer';
import { PortfolioEnv } from '../../../src-main/agents/samp/env';
import { initParams, type ParamSpec } from '../../../src-main/compute/params';
import { OnnxPpo, type PpoModel } from '../../../src-main/compute/train/ppo';
import type { PriceMatrix } from '../../../src-main/market/prices';
import { MarketView } from '../../../src-main/market/view';
import { matrixFromRelatives } from '../../helpers/data';

/** A test-only module: proposal = softmax of each sector's 10-day return, that return as its sector feature. */
class MomentumModule implements MplsModule {
  readonly firstDay = 10;
  constructor(
    readonly name: MplsModuleName,
    private readonly layout: ClassLayout,
    private readonly closes: (d: number) => ArrayLike<number>,
    readonly sectorWidth: number,
    readonly assetWidth: number,
    private readonly sign = 1,
  ) {}
  day(t: number): ModuleDay {
    const a = this.closes(t - 10);
    const b = this.closes(t);
    const r = this.layout.classes.map((c) => c.members.reduce((s, i) => s + b[i]! / a[i]! - 1, 0) / c.members.length);
    const sectorFeatures = new Float32Array(r.length * this.sectorWidth);
    r.forEach((v, c) => sectorFeatures.fill(10 * v, c * this.sectorWidth, (c + 1) * this.sectorWidth));
    const assetFeatures = new Float32Array(this.layout.nAssets * this.assetWidth);
    for (let i = 0; i < this.layout.nAssets; i++)
      assetFeatures.fill(b[i]! / a[i]! - 1, i * this.assetWidth, (i + 1) * this.assetWidth);
    return { proposal: softmax(r.map((v) => this.sign * 20 * v)), sectorFeatures, assetFeatures };
  }
}

/** A market of 6 assets in three sectors (2 + 3 + 1), with seeded noise; sector B drifts up. */
function market(days = 220): PriceMatrix {
  const rng = seedrandom('mpls-market');
  const drift = [0, 0, 0.001, 0.001, 0.001, -0.0005];
  const rel = Array.from({ length: days - 1 }, () => drift.map((d) => 1 + d + 0.012 * (rng() - 0.5) * 2));
  const m = matrixFromRelatives(rel, ['a1', 'a2', 'b1', 'b2', 'b3', 'c1']);
  const sector = (t: string) => t[0]!.toUpperCase();
  return { ...m, assets: m.tickers.map((t) => ({ ticker: t, name: t, class: 'Equity', sector: sector(t) })) };
}

const tiny = (over: Partial<MplsConfig> = {}): MplsConfig =>
  resolveMplsConfig('quick', {
    hidden: [16, 8],
    window: 5,
    volatilityWindow: 10,
    episodeDays: 20,
    validationDays: 0,
    ppo: { ...resolveMplsConfig('quick').ppo, rolloutSteps: 64, minibatch: 32, epochs: 2 },
    ...over,
  });

/** The states of `m` with the named modules on (fixtures). */
function setup(m: PriceMatrix, on: MplsModuleName[], cfg: MplsConfig, lastDay = m.close.length - 1) {
  const layout = classLayout(m.tickers, m.assets, 'auto');
  const view = new MarketView(m, lastDay);
  const closes = (d: number) => view.closes(d);
  const widths: Record<MplsModuleName, [number, number]> = { sentiment: [2, 0], volatility: [1, 0], graph: [1, 3] };
  const modules: OnModules = {};
  for (const name of on)
    modules[name] = new MomentumModule(
      name,
      layout,
      closes,
      widths[name][0],
      widths[name][1],
      name === 'volatility' ? -1 : 1,
    );
  const sh: MplsShape = {
    layout,
    cfg,
    on: moduleMask(modules),
    sectorWidths: (['sentiment', 'volatility', 'graph'] as const).map((k) => modules[k]?.sectorWidth ?? 0),
    assetWidth: modules.graph?.assetWidth ?? 0,
  };
  return { layout, sh, states: new MplsStates(sh, closes, modules, cfg), view };
}

describe('MPLS episode reward', () => {
  it('is 1.2 x Sharpe - 1.0 x annualised volatility of the daily net returns (hand-computed)', () => {
    const r = [0.01, -0.02, 0.03];
    // mean 0.02 / 3; deviations 1/300, -8/300, 7/300; sample sd sqrt(114 / 90000 / 2) = 0.025166
    const mean = 0.02 / 3;
    const sd = Math.sqrt((1 / 300) ** 2 + (8 / 300) ** 2 + (7 / 300) ** 2) / Math.sqrt(2);
    const want = 1.2 * (mean / sd) * Math.sqrt(252) - 1.0 * sd * Math.sqrt(252);
    expect(episodeReward(r, { sharpeCoef: 1.2, volCoef: 1 })).toBeCloseTo(want, 12);
    // daily Sharpe 0.26491, annualised x sqrt(252) = 15.8745; volatility 0.025166 x 15.8745 = 0.39950
    expect(want).toBeCloseTo(1.2 * 0.26491 * 15.8745 - 0.3995, 3);
    expect(episodeReward([0.01], { sharpeCoef: 1.2, volCoef: 1 })).toBe(0);
  });
});

describe('MPLS fusion and composition', () => {
  it('gives an off module exactly 0 and the modules that are on a softmax; none on: equal sectors', () => {
    const a = maskedSoftmax([3, -1, 0.5], [true, false, true]);
    expect(a[1]).toBe(0);
    expect(a[0]! + a[2]!).toBeCloseTo(1, 15);
    expect(a[0]! / a[2]!).toBeCloseTo(Math.exp(2.5), 10);
    expect(Array.from(maskedSoftmax([1, 2, 3], [false, false, false]))).toEqual([0, 0, 0]);
    expect(Array.from(fuse([0, 0, 0], [null, null, null], 4))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(fuse([0.25, 0, 0.75], [[1, 0], null, [0, 1]], 2))).toEqual([0.25, 0.75]);
  });

  it('the exported fusion policy puts exactly 0 on an off module, whatever its network says', async () => {
    const cfg = tiny();
    const { sh, states } = setup(market(), ['sentiment', 'graph'], cfg);
    const params = randomActors(sh, 5);
    const policy = await MplsPolicy.open(exportMplsOnnx(sh, params), sh);
    for (const t of [40, 80, 120]) {
      const w = policy.runAgent('fusion', states.fusion(t, [0.3, 0.5, 0.2]));
      expect(w[1]).toBe(0);
      expect(w[0]! + w[2]!).toBeCloseTo(1, 6);
      expect(w[0]).toBeGreaterThan(0);
    }
    await policy.dispose();
  });

  it('final weight of asset i = sector weight x weight inside its sector', () => {
    const { layout, states } = setup(market(), ['graph'], tiny());
    const w = composeWeights(layout, [0.2, 0.5, 0.3], [[0.25, 0.75], [0.5, 0.3, 0.2], [1]]);
    expect(Array.from(w)).toEqual([0.2 * 0.25, 0.2 * 0.75, 0.5 * 0.5, 0.5 * 0.3, 0.5 * 0.2, 0.3]);
    // the day's decision composes the agents' outputs the same way, and fuses the graph module's proposal alone
    const held = new Float64Array(6).fill(1 / 6);
    const day = states.decide(
      60,
      held,
      {
        fusion: () => Float64Array.of(0, 0, 1),
        high: () => Float64Array.of(0.1, 0.6, 0.3),
        low: () => Float64Array.of(0.4, 0.6, 0.2, 0.2, 0.6),
      },
      null,
    );
    expect(Array.from(day.fused)).toEqual(Array.from(states.moduleDays(60)[2]!.proposal));
    expect(Array.from(day.target)).toEqual([0.1 * 0.4, 0.1 * 0.6, 0.6 * 0.2, 0.6 * 0.2, 0.6 * 0.6, 0.3]);
    expect(day.intra[2]).toEqual(Float64Array.of(1));
  });
});

/** Actor parameters with every head drawn (not zero), so the parity test compares networks that say something. */
function randomActors(sh: MplsShape, seed: number) {
  const drawn = (m: PpoModel | null) =>
    m
      ? initParams(
          m.actorSpecs.map((s): ParamSpec =>
            s.init.kind === 'zeros' ? { ...s, init: { kind: 'uniform', limit: 0.5 } } : s,
          ),
          seed,
        )
      : null;
  return { fusion: drawn(fusionModel(sh)), high: drawn(highModel(sh))!, low: drawn(lowModel(sh)) };
}

describe('MPLS ONNX export', () => {
  it('every agent decides as the training engine forward does, to 1e-5', async () => {
    const cfg = tiny();
    const { sh, states } = setup(market(), ['sentiment', 'volatility', 'graph'], cfg);
    const params = randomActors(sh, 11);
    const policy = await MplsPolicy.open(exportMplsOnnx(sh, params), sh);
    const learner = (m: PpoModel, init: typeof params.high) =>
      new OnnxPpo(m, { kind: 'ppo', clipEps: 0.2 }, cfg.ppo, 0.5, 1, { init: { actor: init } });
    const lf = learner(fusionModel(sh)!, params.fusion!);
    const lh = learner(highModel(sh), params.high);
    const ll = learner(lowModel(sh)!, params.low!);
    const mean = (l: OnnxPpo, s: AgentState) => l.sample(s, new Float32Array(l.model.action[0]!)).u;
    const held = Float64Array.of(0.1, 0.2, 0.3, 0.1, 0.1, 0.2);
    let worst = 0;
    for (const t of [30, 90, 150]) {
      const sectors = [0.3, 0.5, 0.2];
      const sf = states.fusion(t, sectors);
      const sh2 = states.high(t, [0.2, 0.5, 0.3], sectors);
      const sl = states.low(t, held, sectors);
      const pairs: [ArrayLike<number>, ArrayLike<number>][] = [
        [policy.runAgent('fusion', sf), maskedSoftmax(mean(lf, sf), sh.on)],
        [policy.runAgent('high', sh2), softmax(mean(lh, sh2))],
        [policy.runAgent('low', sl), lowFromLogits(sh, mean(ll, sl))],
      ];
      for (const [a, b] of pairs) {
        expect(a.length).toBe(b.length);
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      }
    }
    expect(worst).toBeLessThan(1e-5);
    // the weights are not trivially equal: the drawn heads move them away from the starting point
    expect(
      Math.max(...policy.runAgent('high', states.high(90, [1 / 3, 1 / 3, 1 / 3], [0.3, 0.5, 0.2]))),
    ).toBeGreaterThan(0.34);
    for (const l of [lf, lh, ll]) l.dispose();
    await policy.dispose();
  });

  it('has one low-level state per sector of two or more assets, and none for a one-asset sector', () => {
    const { sh } = setup(market(), ['graph'], tiny());
    expect(lowSectors(sh).map((c) => c.sector)).toEqual([0, 1]);
    expect(Object.keys(lowModel(sh)!.state)).toEqual([lowInput(0), lowInput(1)]);
    expect(lowModel(sh)!.action).toEqual([5]);
  });
});

describe('MPLS training', () => {
  async function train(seed: number, on: MplsModuleName[] = ['sentiment', 'volatility', 'graph']) {
    const m = market();
    const cfg = tiny({ iterations: 2 });
    const { sh, states } = setup(m, on, cfg, 200);
    const envOpts = { costRate: cfg.costRate, noTradeBand: cfg.noTradeBand, tradeRate: cfg.tradeRate };
    const env = new PortfolioEnv(new MarketView(m, 160), { ...envOpts, firstDay: 20, lastDay: 160 });
    const validation = new PortfolioEnv(new MarketView(m, 200), { ...envOpts, firstDay: 160, lastDay: 200 });
    return trainMpls({ sh, cfg, states, rule: null, env, validation, seed });
  }

  it('is reproducible by seed (bit-identical agents) and differs for another seed', async () => {
    const a = await train(3);
    const b = await train(3);
    const c = await train(4);
    const flat = (r: Awaited<ReturnType<typeof train>>) =>
      [r.actors.fusion!, r.actors.high, r.actors.low!].flatMap((p) =>
        [...p.values()].flatMap((v) => Array.from(v.data)),
      );
    expect(flat(a)).toEqual(flat(b));
    expect(flat(a)).not.toEqual(flat(c));
    expect(a.summary.validation).toHaveLength(2);
    expect(a.summary.chosenEpisode).not.toBeNull();
    // whole episodes of 20 days, at least 64 steps per rollout: 4 episodes = 80 steps per iteration
    expect(a.envSteps).toBe(160);
    expect(a.updates).toBe(2 * 2 * Math.ceil(80 / 32));
  });

  it('trains without a fusion agent when every module is off (the fused allocation is equal)', async () => {
    const r = await train(3, []);
    expect(r.actors.fusion).toBeNull();
    expect(r.actors.high.size).toBeGreaterThan(0);
  });
});
