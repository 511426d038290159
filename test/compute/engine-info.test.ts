/**
 * `app.info` and `hdrl info` name the training engine, its execution providers, and why a faster one was not used
 * (issue 14): ONNX Runtime by default, on the CPU provider where CUDA cannot run (with the reason), and tfjs with
 * its backend when HDRL_TRAIN_ENGINE=tfjs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../src-main/services';
import { infoCommand } from '../../src-main/cli/commands/info';
import { AppInfo } from '../../src-shared/contract';
import { loadTf, onnxRuntimeInfo, trainingEngineChoice } from '../../src-main/compute/backend';
import type { Engine } from '../../src-main/engine';
import { tempEngine } from '../helpers/engine';

let engine: Engine;
beforeAll(() => {
  engine = tempEngine({ seedDefaultData: false });
});
afterAll(() => engine.close());
afterEach(() => vi.unstubAllEnvs());

async function cliInfo(): Promise<string[]> {
  const lines: string[] = [];
  const code = await infoCommand.run({
    args: {},
    positionals: [],
    engine,
    io: { out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`) },
  });
  expect(code).toBe(0);
  return lines;
}

describe('training engine in app.info and hdrl info', () => {
  it('ONNX Runtime by default: providers, and why CUDA was not used where it was not', async () => {
    const r = await dispatch(engine, 'app.info', {});
    if (!r.ok) throw new Error(r.error.message);
    const info = AppInfo.parse(r.value);
    const choice = trainingEngineChoice();
    expect(info.training.name).toBe('onnx');
    expect(info.training.detail).toContain(`ONNX Runtime ${onnxRuntimeInfo().version}`);
    expect(info.training.providers).toEqual(choice.provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu']);
    expect(info.training.skipped).toEqual(choice.skipped);
    const lines = await cliInfo();
    const at = lines.findIndex((l) => l.startsWith('training engine: onnx: ONNX Runtime'));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines[at]).toContain(`(execution providers: ${info.training.providers.join(', ')})`);
    if (choice.provider === 'cpu') expect(lines[at + 1]).toBe(`  not cuda: ${choice.skipped[0]!.reason}`);
    const backend = (await loadTf()).info.name;
    expect(lines).toContain(`tfjs backend:    ${backend} (reference engine; HDRL_TRAIN_ENGINE=tfjs trains with it)`);
  });

  it('tfjs when chosen: its backend, and that ONNX Runtime was set aside by the setting', async () => {
    vi.stubEnv('HDRL_TRAIN_ENGINE', 'tfjs');
    const r = await dispatch(engine, 'app.info', {});
    if (!r.ok) throw new Error(r.error.message);
    const backend = (await loadTf()).info.name;
    expect(AppInfo.parse(r.value).training).toEqual({
      name: 'tfjs',
      detail: `TensorFlow.js, ${backend} backend (the reference engine)`,
      providers: [backend],
      skipped: [{ name: 'onnx', reason: 'HDRL_TRAIN_ENGINE=tfjs' }],
    });
    const lines = await cliInfo();
    expect(lines).toContain(
      `training engine: tfjs: TensorFlow.js, ${backend} backend (the reference engine) (backend: ${backend})`,
    );
    expect(lines).toContain('  not onnx: HDRL_TRAIN_ENGINE=tfjs');
  });

  it('an unknown engine setting is an error that names it', async () => {
    vi.stubEnv('HDRL_TRAIN_ENGINE', 'torch');
    const r = await dispatch(engine, 'app.info', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('HDRL_TRAIN_ENGINE=torch is not one of onnx, tfjs');
  });
});
