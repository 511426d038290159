/** models.list: the trained models next to the database (store/models.ts listStoredModels). */
import { listStoredModels } from '../store/models';
import type { Handlers } from './types';

export const modelHandlers: Handlers<'models.list'> = {
  'models.list': (_req, engine) => listStoredModels(engine.db),
};
