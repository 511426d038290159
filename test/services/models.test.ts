/**
 * models.list: the trained models stored next to the database, described from each file's head (no weights
 * loaded), with the stored runs that decided with each; files that are not readable models are named with a
 * reason, never dropped silently; nothing is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/services';
import { runBacktest } from '../../src-main/backtest/run';
import { modelsDir, topLevelKeyAt } from '../../src-main/store/models';
import type { ModelsListResponse } from '../../src-shared/contract/models';
import { tempEngine } from '../helpers/engine';
import { TINY_OVERRIDES } from '../strategies/samp/samp-helpers';

const engine = tempEngine();
afterAll(() => engine.close());

async function list(): Promise<ModelsListResponse> {
  const r = await dispatch(engine, 'models.list', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.value as ModelsListResponse;
}

const request = {
  universe: 'djia30',
  strategies: ['samp-hdrl'],
  from: '1992-06-01',
  to: '1992-07-31',
  lookback: 90,
  params: { 'samp-hdrl': { overrides: TINY_OVERRIDES, regroupEvery: 30 } },
};

describe('models.list', () => {
  it('is empty before anything was trained', async () => {
    expect(await list()).toEqual({ dir: modelsDir(engine.db), models: [], unreadable: [] });
  });

  describe('after a training', () => {
    let runIds: string[] = [];
    beforeAll(async () => {
      // the same model twice: the second run reuses it, so one model has two runs
      const a = await runBacktest(engine.db, request);
      const b = await runBacktest(engine.db, request);
      runIds = [...a, ...b].map((r) => r.runId!);
    }, 240_000);

    it('describes the stored model as trained, with both runs that used it', async () => {
      const { models, unreadable } = await list();
      expect(unreadable).toEqual([]);
      expect(models).toHaveLength(1);
      const m = models[0]!;
      const row = engine.db
        .prepare('SELECT model_path, backend, train_from, train_to FROM runs WHERE id = ?')
        .get(runIds[0]) as { model_path: string; backend: string; train_from: string; train_to: string };
      expect(row.model_path).toBe(`hdrl-data/models/${m.key}.json`);
      expect(m).toMatchObject({
        variant: 'samp-hdrl',
        kind: 'hierarchical',
        seed: 1,
        preset: 'custom',
        assets: 30,
        backend: row.backend,
        trainFrom: row.train_from,
        trainTo: row.train_to,
      });
      expect(m.runs.map((r) => r.id).sort()).toEqual([...runIds].sort());
      expect(m.runs[0]).toMatchObject({ universe: 'djia30', strategy: 'samp-hdrl', seed: 1, windowFrom: '1992-06-01' });
      // the training time and the date are those the file records
      const file = path.join(engine.dir, row.model_path);
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { elapsedMs: number };
      expect(m.trainingMs).toBe(stored.elapsedMs);
      expect(m.trainedAt).toBe(fs.statSync(file).mtime.toISOString());
      expect(m.bytes).toBe(fs.statSync(file).size);
    });

    it('reads a model file laid out in another field order the same way, and names unreadable files', async () => {
      const dir = modelsDir(engine.db)!;
      const [m] = (await list()).models;
      const original = JSON.parse(fs.readFileSync(path.join(dir, `${m!.key}.json`), 'utf8')) as Record<string, unknown>;
      // the weights first: the head holds no description, so the whole file is parsed
      const { params, ...rest } = original;
      const otherKey = 'ab'.repeat(32);
      fs.writeFileSync(path.join(dir, `${otherKey}.json`), JSON.stringify({ params, ...rest }));
      const brokenKey = 'cd'.repeat(32);
      fs.writeFileSync(path.join(dir, `${brokenKey}.json`), '{"format":"samp-artifacts-v1","variant":');
      const foreignKey = 'ef'.repeat(32);
      fs.writeFileSync(path.join(dir, `${foreignKey}.json`), JSON.stringify({ format: 'something-else' }));
      fs.writeFileSync(path.join(dir, `${m!.key}.json.123.tmp`), 'half written');
      const before = fs.readdirSync(dir).sort();
      try {
        const res = await list();
        const other = res.models.find((x) => x.key === otherKey)!;
        expect({ ...other, key: m!.key, trainedAt: m!.trainedAt, bytes: m!.bytes, runs: m!.runs }).toEqual(m);
        expect(other.runs).toEqual([]);
        expect(res.unreadable.map((u) => u.file).sort()).toEqual([`${brokenKey}.json`, `${foreignKey}.json`]);
        expect(res.unreadable.find((u) => u.file === `${foreignKey}.json`)!.reason).toContain(
          'unknown format "something-else"',
        );
        expect(res.unreadable.find((u) => u.file === `${brokenKey}.json`)!.reason).toMatch(/JSON/);
        expect(fs.readdirSync(dir).sort()).toEqual(before); // listing writes nothing
      } finally {
        for (const k of [otherKey, brokenKey, foreignKey]) fs.rmSync(path.join(dir, `${k}.json`));
        fs.rmSync(path.join(dir, `${m!.key}.json.123.tmp`));
      }
    });
  });

  it('finds where the weights start only among the top-level keys', () => {
    const head = '{"format":"x","config":{"a":",\\"params\\":","params":1},"seed":2,"params":{"params":[]}}';
    expect(head.slice(0, topLevelKeyAt(head, 'params'))).toBe(
      '{"format":"x","config":{"a":",\\"params\\":","params":1},"seed":2',
    );
    expect(topLevelKeyAt('{"params":{"params":1}}', 'params')).toBe(-1); // the first key has no comma before it: parsed whole
    expect(topLevelKeyAt('{"a":1,"b":{"params":1}}', 'params')).toBe(-1);
  });

  it('takes no parameters', async () => {
    const r = await dispatch(engine, 'models.list', { all: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('BAD_REQUEST');
  });
});
