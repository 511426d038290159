/**
 * ppo-flat, the flat agent trained on-policy with PPO (docs/drl-baselines.md), as a registered strategy: the cases
 * every flat baseline shares (flat-helpers.ts: registration, training through the on-policy loop with PPO recorded in
 * the artifacts and decisions, reproducibility by seed, reuse keys apart from the other variants' without changing
 * theirs, stored rows, the tfjs refusal) with PPO's own settings, values and messages below, and the count of its
 * updates on the tiny training period. The look-ahead test (test/strategies/lookahead.test.ts) runs it with every
 * other registered strategy.
 */
import { expect } from 'vitest';
import { PPO_DEFAULTS } from '../../src-main/agents/samp/config';
import { describeFlatBaseline } from './flat-helpers';

describeFlatBaseline({
  algorithm: 'ppo',
  // rollouts and minibatches that fit the tiny 59-day training period several times
  small: { rolloutSteps: 16, minibatch: 8 },
  registration: {
    params: ['rolloutSteps', 'epochs', 'minibatch', 'clipEps', 'gamma', 'gaeLambda', 'entCoef', 'vfCoef', 'lr'],
    overridesOnly: { initStd: 0.9, normalizeAdvantages: false },
    set: { clipEps: 0.1, epochs: 8 },
    refused: [
      [{ clipEps: 1 }, /clipEps" must be <= 0.999/],
      [{ epochs: 0 }, /epochs" must be >= 1/],
    ],
  },
  training: {
    sigma: PPO_DEFAULTS.initStd,
    artifacts: (a) => {
      // 59 training days (120..178, validation from 179): rollouts of 16, 16, 16 and 11 steps, 4 passes of two
      // minibatches each (8 + 8, or 8 + 3) -> 32 steps in the one episode
      expect(a.training!.episodes).toBe(1);
      expect(a.training!.updates).toBe(32);
    },
  },
  changesWeights: { params: [{ clipEps: 0.05 }, { epochs: 2 }, { lr: 1e-3 }, { gaeLambda: 0.5 }, { entCoef: 0.5 }] },
  key: {
    changedBy: [
      { rolloutSteps: 64 },
      { clipEps: 0.3 },
      { gamma: 0.99 },
      { initStd: 0.3 },
      { normalizeAdvantages: false },
    ],
    otherVariantsIgnore: { epochs: 7 },
    refused: [
      [{ minibatch: 0 }, /ppo.minibatch must be an integer in \[1, 100000\]/],
      [{ initStd: 10 }, /ppo.initStd must be strictly between/],
      [{ gaeLambda: 1.5 }, /ppo.gaeLambda must be a number in \[0, 1\]/],
    ],
  },
});
