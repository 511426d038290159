/**
 * models.list: the trained models stored next to the database, described from each file's head (no weights
 * loaded), with the stored runs that decided with each and the record of how training chose each (validation
 * curve and checkpoint per stage; null for models trained before validation, a reason for a record that does not
 * fit); files that are not readable models are named with a reason, never dropped silently; nothing is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/services';
import { runBacktest } from '../../src-main/backtest/run';
import { fileModelStore, modelsDir, topLevelKeyAt } from '../../src-main/store/models';
import type { SampTrainingSummary } from '../../src-main/agents/samp/artifacts';
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

    it('gives the training record the file holds: periods, episodes, updates, and per stage the validation curve and the chosen checkpoint', async () => {
      const [m] = (await list()).models;
      const file = path.join(modelsDir(engine.db)!, `${m!.key}.json`);
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { training: SampTrainingSummary };
      expect(m!.trainingError).toBeNull();
      expect(m!.training).toEqual(stored.training);
      // the tiny config validates on its last 20 days; a hierarchical model trains the upper, then the lower agents
      const t = m!.training!;
      expect(t.validationDays).toBe(20);
      expect(t.stages.map((s) => s.stage)).toEqual(['upper', 'lower']);
      for (const s of t.stages) {
        expect(s.validation.map((p) => p.episode)).toEqual([1]);
        expect(s.chosenEpisode).toBe(1);
        expect(s.chosen!.sharpe).toBe(s.validation[0]!.sharpe);
      }
    });

    it('carries a synthetic training record whole, says when a model has none, and names a record that does not fit', async () => {
      const dir = modelsDir(engine.db)!;
      const store = fileModelStore(dir);
      const [m] = (await list()).models;
      const artifacts = (await store.get(m!.key))!;
      const point = (episode: number, sharpe: number) => ({
        episode,
        updates: episode * 40,
        sharpe,
        netReturn: sharpe / 20,
        turnover: 0.01 * episode,
      });
      const summary: SampTrainingSummary = {
        trainDays: { first: 40, last: 120, startDate: '1992-01-02', endDate: '1992-04-28' },
        validationDays: 20,
        validation: { first: 120, last: 140, startDate: '1992-04-28', endDate: '1992-05-27' },
        episodes: 8,
        updates: 320,
        stages: [
          {
            stage: 'upper',
            episodes: 6,
            updates: 240,
            endedBy: 'patience',
            chosenEpisode: 2,
            chosen: { sharpe: 1.4, netReturn: 0.07, turnover: 0.02 },
            // an episode whose scores were not numbers (the file writes them as null)
            validation: [
              point(1, 0.3),
              point(2, 1.4),
              point(3, Number.NaN),
              point(4, 0.9),
              point(5, 1.1),
              point(6, 0.2),
            ],
          },
          {
            stage: 'lower',
            episodes: 2,
            updates: 80,
            endedBy: 'budget',
            chosenEpisode: 2,
            chosen: { sharpe: 1.6, netReturn: 0.08, turnover: 0.02 },
            validation: [point(1, 1.2), point(2, 1.6)],
          },
        ],
      };
      const keys = { synthetic: '12'.repeat(32), old: '34'.repeat(32), odd: '56'.repeat(32) };
      await store.put(keys.synthetic, { ...artifacts, key: keys.synthetic, training: summary });
      const { training: _none, ...old } = artifacts;
      await store.put(keys.old, { ...old, key: keys.old });
      const odd = structuredClone(summary) as unknown as { stages: { stage: string; validation: unknown[] }[] };
      odd.stages[0]!.stage = 'middle';
      odd.stages[1]!.validation[0] = { episode: 1, sharpe: 'high' };
      await store.put(keys.odd, { ...artifacts, key: keys.odd, training: odd as unknown as SampTrainingSummary });
      try {
        const res = await list();
        expect(res.unreadable).toEqual([]);
        const get = (k: string) => res.models.find((x) => x.key === k)!;

        const synthetic = get(keys.synthetic);
        expect(synthetic.trainingError).toBeNull();
        const nanAsNull = structuredClone(summary) as unknown as {
          stages: { validation: { sharpe: unknown; netReturn: unknown }[] }[];
        };
        Object.assign(nanAsNull.stages[0]!.validation[2]!, { sharpe: null, netReturn: null });
        expect(synthetic.training).toEqual(nanAsNull);

        // trained before validation was added: no record, and nothing wrong with that
        expect(get(keys.old)).toMatchObject({ training: null, trainingError: null, variant: m!.variant });

        // a record that does not fit the contract: the model is still listed, with the reason
        const wrong = get(keys.odd);
        expect(wrong).toMatchObject({ training: null, variant: m!.variant, seed: m!.seed });
        expect(wrong.trainingError).toMatch(/^the training record does not fit: /);
        expect(wrong.trainingError).toContain('stages.0.stage');
        expect(wrong.trainingError).toContain('stages.1.validation.0.sharpe');
      } finally {
        for (const k of Object.values(keys)) fs.rmSync(path.join(dir, `${k}.json`));
      }
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
