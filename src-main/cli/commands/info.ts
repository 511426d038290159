import { dispatch } from '../../services';
import type { AppInfo } from '../../../src-shared/contract';
import type { CliCommand } from '../types';

export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'version, database, schema, training engine, compute backend and ONNX Runtime',
  usage: '[--json]',
  options: { json: { type: 'boolean' } },
  async run({ args, engine, io }) {
    const r = await dispatch(engine!, 'app.info', {});
    if (!r.ok) {
      io.err(r.error.message);
      return 1;
    }
    const info = r.value as AppInfo;
    if (args.json) {
      io.out(JSON.stringify(info, null, 2));
      return 0;
    }
    io.out(`${info.name} ${info.version}`);
    io.out(`database:        ${info.dbPath}`);
    io.out(`schema version:  ${info.schemaVersion}`);
    const t = info.training;
    io.out(
      `training engine: ${t.name}: ${t.detail} (${t.name === 'onnx' ? 'execution providers' : 'backend'}: ${t.providers.join(', ')})`,
    );
    for (const s of t.skipped) io.out(`  not ${s.name}: ${s.reason}`);
    io.out(
      `tfjs backend:    ${info.backend.name}${t.name === 'tfjs' ? '' : ' (reference engine; HDRL_TRAIN_ENGINE=tfjs trains with it)'}`,
    );
    for (const s of info.backend.skipped) io.out(`  not ${s.name}: ${s.reason}`);
    io.out(
      `ONNX Runtime:    ${info.onnxRuntime.version} (providers: ${info.onnxRuntime.providers.join(', ') || 'none'})`,
    );
    io.out(`node:            ${info.node}${info.electron ? `, electron ${info.electron}` : ''}`);
    return 0;
  },
};
