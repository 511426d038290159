/**
 * models.list: the trained models next to the database (store/models.ts listStoredModels), each with the record of
 * how training chose it (its validation curve and checkpoint per stage) checked against the contract model by
 * model: one file whose record does not fit (written by another revision, or edited by hand) keeps its place in
 * the list with the reason, and never fails the whole list.
 */
import { ModelTraining, type ModelInfo, type ModelsListResponse } from '../../src-shared/contract/models';
import { listStoredModels, type StoredModelInfo } from '../store/models';
import type { Handlers } from './types';

/** A stored model's training record as the contract carries it, or why it cannot be carried. */
function trainingRecord(m: StoredModelInfo): Pick<ModelInfo, 'training' | 'trainingError'> {
  if (m.training == null) return { training: null, trainingError: null };
  const r = ModelTraining.safeParse(m.training);
  if (r.success) return { training: r.data, trainingError: null };
  const where = (path: PropertyKey[]) => (path.length ? path.map(String).join('.') : '(the record)');
  const issues = r.error.issues.slice(0, 3).map((i) => `${where(i.path)}: ${i.message}`);
  const more = r.error.issues.length > 3 ? ` (and ${r.error.issues.length - 3} more)` : '';
  return { training: null, trainingError: `the training record does not fit: ${issues.join('; ')}${more}` };
}

export const modelHandlers: Handlers<'models.list'> = {
  'models.list': async (_req, engine): Promise<ModelsListResponse> => {
    const listed = await listStoredModels(engine.db);
    return { ...listed, models: listed.models.map((m) => ({ ...m, ...trainingRecord(m) })) };
  },
};
