/**
 * a2c-flat, the flat agent trained on-policy with A2C (docs/drl-baselines.md), as a registered strategy: the cases
 * every flat baseline shares (flat-helpers.ts: registration, training through the on-policy loop with A2C recorded in
 * the artifacts and decisions, reproducibility by seed, reuse keys apart from the other variants' without changing
 * theirs, stored rows, the tfjs refusal) with A2C's own settings, values and messages below: one update per rollout,
 * no PPO parameters, and every A2C setting, parameter or not, reaching the training. The loop's A2C pass is tested in
 * test/agents/onpolicy.test.ts; the look-ahead test (test/strategies/lookahead.test.ts) runs it with every other
 * registered strategy.
 */
import { expect } from 'vitest';
import { describeFlatBaseline } from './flat-helpers';

describeFlatBaseline({
  algorithm: 'a2c',
  // rollouts that fit the tiny 59-day training period several times
  small: { rolloutSteps: 10 },
  registration: {
    params: ['rolloutSteps', 'gamma', 'gaeLambda', 'entCoef', 'vfCoef', 'lr', 'gradClipNorm'],
    overridesOnly: { initStd: 0.9, normalizeAdvantages: true },
    set: { rolloutSteps: 32, gradClipNorm: 0 },
    refused: [
      [{ gradClipNorm: -1 }, /gradClipNorm" must be >= 0/],
      [{ rolloutSteps: 0 }, /rolloutSteps" must be >= 1/],
      // PPO's passes and clip are not A2C's
      [{ epochs: 2 }, /unknown parameter "epochs"/],
    ],
  },
  training: {
    how: 'one update per rollout',
    artifacts: (a) => {
      // 59 training days (120..178, validation from 179): rollouts of 10 (x5) and 9 steps, one update each (PPO's
      // passes would make 8 of the same rollouts)
      expect(a.training!.episodes).toBe(1);
      expect(a.training!.updates).toBe(6);
    },
  },
  changesWeights: {
    params: [
      { rolloutSteps: 12 },
      { gamma: 0.5 },
      { gaeLambda: 0.5 },
      { entCoef: 0.5 },
      { vfCoef: 2 },
      { lr: 1e-2 },
      { gradClipNorm: 0 },
    ],
    overrides: [{ initStd: 0.3 }, { normalizeAdvantages: true }],
  },
  key: {
    changedBy: [
      { rolloutSteps: 64 },
      { gamma: 0.99 },
      { gaeLambda: 0.95 },
      { entCoef: 0 },
      { vfCoef: 1 },
      { lr: 3e-4 },
      { gradClipNorm: 5 },
      { initStd: 0.3 },
      { normalizeAdvantages: true },
    ],
    otherVariantsIgnore: { rolloutSteps: 7 },
    refused: [
      [{ gradClipNorm: 101 }, /a2c.gradClipNorm must be a number in \[0, 100\], got 101/],
      [{ rolloutSteps: 2.5 }, /a2c.rolloutSteps must be an integer in \[1, 100000\]/],
      [{ initStd: 10 }, /a2c.initStd must be strictly between/],
      [{ lr: 0 }, /a2c.lr must be a number in \(0, 1\]/],
    ],
  },
});
