/**
 * A trained MPLS model as it is stored next to the database and reused (store/models.ts fileMplsModelStore,
 * `mpls-<key>.json`), one file per training key: the config, the sectors by ticker, which modules were on (and why
 * each off one was off), the fitted modules' artifacts (the volatility and graph modules' parameters; the sentiment
 * module's settings, since it learns nothing and reads the stored news anew), the three agents' decision-time
 * parameters and their exported ONNX policies, the model record every decision carries, and what the training did.
 *
 * The model record's sha256 is that of the agents' ONNX policies concatenated in the order fusion, high, low
 * ({@link onnxDigestBytes}); reading a file checks the format, the shapes and that sha256: a damaged or edited file
 * is refused, never used.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ClassBasis, DecisionModel, MPLS_MODULES, MplsVariant } from '../../../src-shared/domain/decision';
import { deserializeParams, serializeParams, type SerializedParams } from '../../compute/params';
import type { StoredClasses } from '../hadaps/artifacts';
import type { StageSummary } from '../samp/episodes';
import { checkMplsConfig, type MplsConfig } from './config';
import type { GraphArtifact } from './graphModule';
import type { MplsOnnx } from './policy';
import type { SentimentArtifact } from './sentiment';
import type { MplsAgentParams } from './trainer';
import type { VolatilityArtifact } from './volatility';

/** The modules of a model: each one's artifact when it was on, or why it was off. */
export interface StoredModules {
  volatility: VolatilityArtifact | null;
  graph: GraphArtifact | null;
  sentiment: SentimentArtifact | null;
  /** the reason of every module that was off, by name */
  off: Partial<Record<(typeof MPLS_MODULES)[number], string>>;
  /** each module's sector-feature width (MPLS_MODULES order, 0 when off) and the graph's asset width */
  sectorWidths: number[];
  assetWidth: number;
}

/** What the strategy decides with. */
export interface MplsArtifacts {
  variant: MplsVariant;
  cfg: MplsConfig;
  classes: StoredClasses;
  /** the universe's tickers in the order the agents read them */
  tickers: string[];
  modules: StoredModules;
  /** the agents' decision-time policy parameters */
  params: MplsAgentParams;
  onnx: MplsOnnx;
  model: DecisionModel;
  training: StageSummary & { updates: number; envSteps: number; elapsedMs: number; validationDays: number };
}

/** Where trained models are kept between processes (the strategy keeps them in memory within one). */
export interface MplsModelStore {
  get(key: string): Promise<MplsArtifacts | undefined>;
  put(key: string, artifacts: MplsArtifacts): Promise<void>;
}

/** The bytes whose sha256 the model record carries: the agents' ONNX policies, fusion, high, low. */
export function onnxDigestBytes(onnx: MplsOnnx): Uint8Array {
  const parts = [onnx.fusion, onnx.high, onnx.low].filter((p): p is Uint8Array => p !== null);
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const FORMAT = 'mpls-model-v1';

const Params = z.object({ format: z.literal('hdrl-params-v1'), params: z.array(z.unknown()) }).passthrough();

const Stored = z.object({
  format: z.literal(FORMAT),
  variant: MplsVariant,
  cfg: z.record(z.string(), z.unknown()),
  classes: z.object({
    basis: ClassBasis,
    classes: z.array(z.object({ name: z.string(), tickers: z.array(z.string()) })),
  }),
  tickers: z.array(z.string()),
  modules: z.object({
    volatility: z.record(z.string(), z.unknown()).nullable(),
    graph: z.record(z.string(), z.unknown()).nullable(),
    sentiment: z.record(z.string(), z.unknown()).nullable(),
    off: z.record(z.string(), z.string()),
    sectorWidths: z.array(z.number().int().min(0)).length(MPLS_MODULES.length),
    assetWidth: z.number().int().min(0),
  }),
  model: DecisionModel,
  training: z.record(z.string(), z.unknown()),
  params: z.object({ fusion: Params.nullable(), high: Params, low: Params.nullable() }),
  onnx: z.object({ fusion: z.string().nullable(), high: z.string(), low: z.string().nullable() }),
});

const b64 = (x: Uint8Array) => Buffer.from(x).toString('base64');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

export function serializeMplsArtifacts(a: MplsArtifacts): string {
  const ser = (p: ReturnType<typeof deserializeParams> | null) => (p ? serializeParams(p) : null);
  return JSON.stringify({
    format: FORMAT,
    variant: a.variant,
    cfg: a.cfg,
    classes: a.classes,
    tickers: a.tickers,
    modules: a.modules,
    model: a.model,
    training: a.training,
    params: { fusion: ser(a.params.fusion), high: serializeParams(a.params.high), low: ser(a.params.low) },
    onnx: { fusion: a.onnx.fusion && b64(a.onnx.fusion), high: b64(a.onnx.high), low: a.onnx.low && b64(a.onnx.low) },
  });
}

/** @throws Error when the text is not a stored MPLS model, or its policies do not match their recorded sha256 */
export function parseMplsArtifacts(text: string): MplsArtifacts {
  const parsed = Stored.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`not a stored MPLS model: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
  const o = parsed.data;
  const onnx: MplsOnnx = {
    fusion: o.onnx.fusion === null ? null : bytes(o.onnx.fusion),
    high: bytes(o.onnx.high),
    low: o.onnx.low === null ? null : bytes(o.onnx.low),
  };
  const sha = createHash('sha256').update(onnxDigestBytes(onnx)).digest('hex');
  if (sha !== o.model.sha256)
    throw new Error(`stored MPLS model ${o.model.key.slice(0, 12)}: its policies do not match their sha256`);
  const des = (p: unknown) => (p ? deserializeParams(p as SerializedParams) : null);
  return {
    variant: o.variant,
    cfg: checkMplsConfig(o.cfg as unknown as MplsConfig),
    classes: o.classes,
    tickers: o.tickers,
    modules: {
      ...o.modules,
      volatility: o.modules.volatility as unknown as VolatilityArtifact | null,
      graph: o.modules.graph as unknown as GraphArtifact | null,
      sentiment: o.modules.sentiment as unknown as SentimentArtifact | null,
    },
    params: { fusion: des(o.params.fusion), high: des(o.params.high)!, low: des(o.params.low) },
    onnx,
    model: o.model,
    training: o.training as unknown as MplsArtifacts['training'],
  };
}
