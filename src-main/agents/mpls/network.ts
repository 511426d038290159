/**
 * MPLS's three agents as networks (docs/mpls.md "Agents"), written once against the op vocabulary so the training
 * engine (compute/train/ppo.ts, through the {@link PpoModel}s here) and the exported ONNX policies (policy.ts) are
 * the same definition. Every policy and value network is an MLP (hidden widths `cfg.hidden`, ReLU) and a linear head.
 *
 *   fusion agent    state f = [proposals 3 x S (an off module's row zero), the modules' sector features (modules
 *                   that are on, concatenated), the sector weights held S, the on/off mask 3]
 *                   logits [3] = head(MLP(f)) x mask (an off module's logit is the constant 0, so nothing learns
 *                   through it); module weights = softmax(logits + (mask - 1) 1e9): an off module's weight is 0
 *   high-level      state h = [fused S, each sector's return window S x L, sector weights held S]
 *                   logits [S] = log(fused) + head(MLP(h)) when `residualHigh` (the head starts at zero, so the agent
 *                   starts at the fused allocation), else head(MLP(h)); sector weights = softmax(logits)
 *   low-level       one network per sector of two or more assets (the paper's one agent per sector): state of sector
 *                   c = [its members' price windows m x L, their graph embeddings m x G (none when the graph module
 *                   is off), their weights inside the sector held m x m (scaled so equal weights read 1)]
 *                   logits [m] = head_c(MLP_c(s_c)); weights inside = softmax over the sector's members. A sector of
 *                   one asset has no agent (its weight inside is 1).
 * The low-level networks share one PPO learner: its action is every low-level sector's logits side by side and the
 * softmax is taken per sector outside the Gaussian (the log-probability of the logits is the same either way); its
 * value network reads every sector's state. Policy heads start at zero (fusion: equal module weights; low-level:
 * equal weights inside each sector); value heads are drawn as every layer (Glorot).
 *
 * An off module's sector features are left out of the fusion state rather than fed as zeros: a zero input adds
 * exactly nothing to a linear layer, so the two are the same network; the proposal rows stay, as zeros.
 */
import { MPLS_MODULES } from '../../../src-shared/domain/decision';
import { dense, type Ops } from '../../compute/ops';
import { denseSpecs, type ParamSpec } from '../../compute/params';
import type { PpoModel } from '../../compute/train/ppo';
import type { ClassLayout } from '../hadaps/classes';
import type { MplsConfig } from './config';

/** The number of modules the fusion agent weighs (MPLS_MODULES order: sentiment, volatility, graph). */
export const N_MODULES = MPLS_MODULES.length;

/** The logit an off module gets before the fusion softmax (its weight is exp(-1e9) = 0). */
export const OFF_LOGIT = -1e9;

/** What fixes the networks' shapes. */
export interface MplsShape {
  layout: ClassLayout;
  cfg: Pick<MplsConfig, 'window' | 'hidden' | 'residualHigh'>;
  /** which modules are on, MPLS_MODULES order */
  on: readonly boolean[];
  /** each module's sector-feature width, MPLS_MODULES order (0 for a module that is off) */
  sectorWidths: readonly number[];
  /** the graph module's per-asset embedding width (0 when it is off) */
  assetWidth: number;
}

/** A sector with a low-level agent: its index among the layout's classes and its members. */
export interface LowSector {
  sector: number;
  members: number[];
}

/** The sectors that have a low-level agent (two or more members), in layout order. */
export function lowSectors(sh: Pick<MplsShape, 'layout'>): LowSector[] {
  return sh.layout.classes.map((c, sector) => ({ sector, members: c.members })).filter((c) => c.members.length >= 2);
}

/** Number of sectors. */
export function sectorCount(sh: Pick<MplsShape, 'layout'>): number {
  return sh.layout.classes.length;
}

/** Width of the fusion agent's state vector f. */
export function fusionWidth(sh: MplsShape): number {
  const S = sectorCount(sh);
  const feats = sh.sectorWidths.reduce((a, b) => a + b, 0);
  return N_MODULES * S + S * feats + S + N_MODULES;
}

/** Width of the high-level agent's state vector h. */
export function highWidth(sh: MplsShape): number {
  const S = sectorCount(sh);
  return S + S * sh.cfg.window + S;
}

/** Width of low-level sector c's state vector (m members). */
export function lowWidth(sh: MplsShape, m: number): number {
  return m * (sh.cfg.window + sh.assetWidth + 1);
}

/** The state input name of low-level sector `sector`. */
export const lowInput = (sector: number): string => `s${sector}`;

function mlpSpecs(prefix: string, inDim: number, hidden: readonly number[]): ParamSpec[] {
  const out: ParamSpec[] = [];
  let d = inDim;
  hidden.forEach((h, l) => {
    out.push(...denseSpecs(`${prefix}/l${l}`, d, h));
    d = h;
  });
  return out;
}

/** A linear head whose weights and bias start at zero. */
function zeroHead(prefix: string, inDim: number, outDim: number): ParamSpec[] {
  return [
    { name: `${prefix}/W`, shape: [inDim, outDim], init: { kind: 'zeros' } },
    { name: `${prefix}/b`, shape: [outDim], init: { kind: 'zeros' } },
  ];
}

/** MLP then head: ReLU after every hidden layer, none after the head. */
export function mlpForward<T>(ops: Ops<T>, prefix: string, x: T, layers: number): T {
  let h = x;
  for (let l = 0; l < layers; l++) h = ops.relu(dense(ops, `${prefix}/l${l}`, h));
  return dense(ops, `${prefix}/head`, h);
}

function policySpecs(prefix: string, inDim: number, outDim: number, hidden: readonly number[]): ParamSpec[] {
  return [...mlpSpecs(prefix, inDim, hidden), ...zeroHead(`${prefix}/head`, hidden[hidden.length - 1]!, outDim)];
}

function valueNetSpecs(prefix: string, inDim: number, hidden: readonly number[]): ParamSpec[] {
  return [...mlpSpecs(prefix, inDim, hidden), ...denseSpecs(`${prefix}/head`, hidden[hidden.length - 1]!, 1)];
}

/** The fusion agent's logits [B, 3] (see the file overview). */
export function fusionLogits<T>(ops: Ops<T>, sh: MplsShape, f: T, mask: T): T {
  return ops.mul(mlpForward(ops, 'fusion/pi', f, sh.cfg.hidden.length), mask);
}

/** The fusion agent's module weights [B, 3]: softmax(logits + (mask - 1) x 1e9). */
export function fusionWeights<T>(ops: Ops<T>, sh: MplsShape, f: T, mask: T): T {
  const bias = ops.mul(ops.sub(mask, ops.scalar(1)), ops.scalar(-OFF_LOGIT));
  return ops.softmax(ops.add(fusionLogits(ops, sh, f, mask), bias));
}

/** The high-level agent's logits [B, S]; `logFused` [B, S] only when residual. */
export function highLogits<T>(ops: Ops<T>, sh: MplsShape, h: T, logFused: T | undefined): T {
  const out = mlpForward(ops, 'high/pi', h, sh.cfg.hidden.length);
  if (!sh.cfg.residualHigh) return out;
  if (logFused === undefined) throw new Error('the residual high-level agent needs log(fused) as an input');
  return ops.add(logFused, out);
}

/** The low-level agents' logits [B, M], every low-level sector's side by side (layout order). */
export function lowLogits<T>(ops: Ops<T>, sh: MplsShape, s: Record<string, T>): T {
  const parts = lowSectors(sh).map((c) => {
    const x = s[lowInput(c.sector)];
    if (x === undefined) throw new Error(`low-level state ${lowInput(c.sector)} missing`);
    return mlpForward(ops, `low${c.sector}/pi`, x, sh.cfg.hidden.length);
  });
  return parts.length === 1 ? parts[0]! : ops.concat(parts, 1);
}

/** The low-level agents' weights inside their sectors [B, M]: a softmax per sector. */
export function lowWeights<T>(ops: Ops<T>, sh: MplsShape, s: Record<string, T>): T {
  const parts = lowSectors(sh).map((c) =>
    ops.softmax(mlpForward(ops, `low${c.sector}/pi`, s[lowInput(c.sector)]!, sh.cfg.hidden.length)),
  );
  return parts.length === 1 ? parts[0]! : ops.concat(parts, 1);
}

/** The fusion agent as the PPO update sees it (none when no module is on: it would have nothing to weigh). */
export function fusionModel(sh: MplsShape): PpoModel | null {
  if (!sh.on.some(Boolean)) return null;
  const w = fusionWidth(sh);
  return {
    actorSpecs: policySpecs('fusion/pi', w, N_MODULES, sh.cfg.hidden),
    valueSpecs: valueNetSpecs('fusion/v', w, sh.cfg.hidden),
    state: { f: [w], mask: [N_MODULES] },
    action: [N_MODULES],
    logits: (ops, s) => fusionLogits(ops, sh, s.f!, s.mask!),
    value: (ops, s) => mlpForward(ops, 'fusion/v', s.f!, sh.cfg.hidden.length),
  };
}

/** The high-level agent as the PPO update sees it. */
export function highModel(sh: MplsShape): PpoModel {
  const w = highWidth(sh);
  const S = sectorCount(sh);
  return {
    actorSpecs: policySpecs('high/pi', w, S, sh.cfg.hidden),
    valueSpecs: valueNetSpecs('high/v', w, sh.cfg.hidden),
    state: sh.cfg.residualHigh ? { h: [w], logFused: [S] } : { h: [w] },
    action: [S],
    logits: (ops, s) => highLogits(ops, sh, s.h!, s.logFused),
    value: (ops, s) => mlpForward(ops, 'high/v', s.h!, sh.cfg.hidden.length),
  };
}

/** The low-level agents as one PPO learner sees them (none when no sector has two or more assets). */
export function lowModel(sh: MplsShape): PpoModel | null {
  const sectors = lowSectors(sh);
  if (!sectors.length) return null;
  const state: Record<string, number[]> = {};
  for (const c of sectors) state[lowInput(c.sector)] = [lowWidth(sh, c.members.length)];
  const all = sectors.reduce((a, c) => a + lowWidth(sh, c.members.length), 0);
  return {
    actorSpecs: sectors.flatMap((c) =>
      policySpecs(`low${c.sector}/pi`, lowWidth(sh, c.members.length), c.members.length, sh.cfg.hidden),
    ),
    valueSpecs: valueNetSpecs('low/v', all, sh.cfg.hidden),
    state,
    action: [sectors.reduce((a, c) => a + c.members.length, 0)],
    logits: (ops, s) => lowLogits(ops, sh, s),
    value: (ops, s) => {
      const xs = sectors.map((c) => s[lowInput(c.sector)]!);
      return mlpForward(ops, 'low/v', xs.length === 1 ? xs[0]! : ops.concat(xs, 1), sh.cfg.hidden.length);
    },
  };
}
