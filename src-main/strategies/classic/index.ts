/**
 * The classic baselines of HDRL Desk, each a StrategyDef with documented
 * parameters and a one-paragraph description citing its paper.
 */
import type { StrategyDef } from '../types';
import { anticor } from './anticor';
import { bcrp, beststock, crp, ubah } from './benchmarks';
import { corn } from './corn';
import { cwmr } from './cwmr';
import { eg } from './eg';
import { maxsharpe, meanvar, minvar, momentum, riskparity } from './estimators';
import { ftl, ftrl } from './ftl';
import { olmar } from './olmar';
import { ons } from './ons';
import { pamr } from './pamr';
import { rmr } from './rmr';
import { up } from './up';

export const classicStrategies: StrategyDef[] = [
  ubah,
  crp,
  bcrp,
  beststock,
  momentum,
  meanvar,
  minvar,
  maxsharpe,
  riskparity,
  up,
  eg,
  ons,
  anticor,
  pamr,
  cwmr,
  olmar,
  rmr,
  corn,
  ftl,
  ftrl,
];

export { optimizeStatic, sampleMeanCov } from './optimize';
export { projectToSimplex, normalise } from './simplex';
