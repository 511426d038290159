/**
 * A stored SAMP-HDRL decision as an ExplainablePolicy (strategies/types.ts; explain/agents.ts explains it): reloads
 * the run's trained model (by the key every decision records), rebuilds the decision's input window from prices up
 * to that date only, takes background windows from the model's training window, and evaluates the exported ONNX
 * graph in batches.
 */
import type { DB } from '../../store/db';
import { loadModelArtifacts } from '../../store/models';
import { loadPriceMatrix } from '../../store/prices';
import { getRun, getRunWeightsAt } from '../../store/runs';
import { MarketView } from '../../market/view';
import { viewFeatures } from '../../agents/samp/features';
import { driftWeights } from '../../agents/samp/trading';
import type { ExplainablePolicy } from '../types';
import type { SampArtifacts } from '../../agents/samp/artifacts';
import { loadSampPolicy, type SampPolicy } from './model';
import { decisionModel, sampDetail, type DecisionDetail } from '../../../src-shared/domain/decision';

export class NotExplainableError extends Error {}

/** Number of background windows taken, evenly spaced, from the training window. */
export const BACKGROUND_WINDOWS = 8;

export async function sampExplainable(
  db: DB,
  runId: string,
  date?: string,
): Promise<{
  policy: ExplainablePolicy;
  close(): Promise<void>;
  date: string;
  detail: DecisionDetail | null;
  config: SampArtifacts['config'];
}> {
  const run = getRun(db, runId);
  if (!run) throw new NotExplainableError(`run ${runId} not found`);
  const at = getRunWeightsAt(db, runId, date);
  if (!at) throw new NotExplainableError(`run ${runId} has no decision on ${date}`);
  const model = decisionModel(at.detail);
  if (!model)
    throw new NotExplainableError(
      `run ${runId} (${run.strategy}) has no trained model to explain: only learned strategies have agents`,
    );
  const artifacts = await loadModelArtifacts(db, model.key);
  if (!artifacts)
    throw new NotExplainableError(
      `the model of run ${runId} is no longer stored next to the database (key ${model.key.slice(0, 12)})`,
    );
  const policy: SampPolicy = await loadSampPolicy(artifacts);
  const prices = loadPriceMatrix(db, run.universe, { to: at.date });
  if (prices.tickers.join(',') !== artifacts.tickers.join(','))
    throw new NotExplainableError('the universe members changed since the model was trained');
  const t = prices.dates.length - 1;
  const L = artifacts.config.window;
  const n = prices.tickers.length;
  const feat = (day: number) => Float64Array.from(viewFeatures(new MarketView(prices, day), artifacts.config));
  const x = feat(t);
  const first = Math.max(artifacts.train.firstStateDay, L - 1);
  const last = Math.min(artifacts.train.end, t);
  const background = Array.from({ length: BACKGROUND_WINDOWS }, (_, k) =>
    feat(Math.round(first + ((last - first) * k) / Math.max(1, BACKGROUND_WINDOWS - 1))),
  );
  const groups = sampDetail(at.detail)?.groups;
  const high = prices.tickers.map((tk) => groups?.high.includes(tk) ?? false);
  const ordinary = prices.tickers.map((tk) => groups?.ordinary.includes(tk) ?? false);
  const all = prices.tickers.map(() => true);
  const agents =
    artifacts.kind === 'flat'
      ? [{ name: 'flat', mask: all }]
      : artifacts.kind === 'upper-only'
        ? [{ name: 'upper', mask: all }]
        : [
            { name: 'upper', mask: all },
            { name: 'lower1', mask: ordinary },
            { name: 'lower2', mask: high },
          ];
  const outName: Record<string, string> = { flat: 'w', upper: 'w0', lower1: 'w1', lower2: 'w2' };
  const m1 = Float32Array.from(ordinary, (b) => (b ? 1 : 0));
  const m2 = Float32Array.from(high, (b) => (b ? 1 : 0));
  // what the decision held before trading (a holdings-aware policy reads it): the previous decision drifted to this date
  const prevDay = at.previous ? prices.dates.indexOf(at.previous.date) : -1;
  const held =
    prevDay >= 0
      ? Float32Array.from(
          driftWeights(
            at.previous!.weights.subarray(0, n),
            Float64Array.from(prices.close[t]!, (c, i) => c / prices.close[prevDay]![i]!),
          ),
        )
      : new Float32Array(n);
  return {
    date: at.date,
    detail: at.detail,
    config: artifacts.config,
    close: () => policy.dispose(),
    policy: {
      tickers: prices.tickers,
      window: L,
      agents,
      x,
      background,
      evaluate(rows) {
        const B = rows.length;
        const X = new Float32Array(B * n * L);
        rows.forEach((r, b) => X.set(r, b * n * L));
        let M1: Float32Array | undefined;
        let M2: Float32Array | undefined;
        if (artifacts.kind === 'hierarchical') {
          M1 = new Float32Array(B * n);
          M2 = new Float32Array(B * n);
          for (let b = 0; b < B; b++) {
            M1.set(m1, b * n);
            M2.set(m2, b * n);
          }
        }
        const W = new Float32Array(B * n);
        for (let b = 0; b < B; b++) W.set(held, b * n);
        const out = policy.runBatch(X, B, M1, M2, W);
        const res: Record<string, Float64Array[]> = {};
        for (const a of agents) {
          const flat = out[outName[a.name]!]!;
          res[a.name] = Array.from({ length: B }, (_, b) => Float64Array.from(flat.subarray(b * n, (b + 1) * n)));
        }
        return res;
      },
    },
  };
}
