import { APP_NAME, APP_VERSION } from '../version';
import { loadTf, onnxRuntimeInfo, trainingEngineInfo } from '../compute/backend';
import { schemaVersion } from '../store/db';
import type { Handlers } from './types';

export const appHandlers: Handlers<'app.info'> = {
  async 'app.info'(_req, engine) {
    const { info } = await loadTf();
    return {
      name: APP_NAME,
      version: APP_VERSION,
      dbPath: engine.dbPath,
      schemaVersion: schemaVersion(engine.db),
      backend: info,
      training: await trainingEngineInfo(),
      onnxRuntime: onnxRuntimeInfo(),
      node: process.versions.node,
      electron: process.versions.electron ?? null,
      shell: engine.shell,
    };
  },
};
