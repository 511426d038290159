/**
 * The news service through the one dispatcher, as the desk reaches it: the browser may preview and import only what
 * it uploaded and may not point the scorer at a model outside the uploads; the desktop window may use the model
 * files its dialog granted; committing and scoring run as jobs; the summary says when the sentiment module is off.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewsImportResult, NewsScoreResult, NewsSummary } from '../../src-shared/contract';
import { dispatch } from '../../src-main/services';
import type { Caller } from '../../src-main/services/types';
import { tempEngine } from '../helpers/engine';
import { buildTinyBert, tinyBertWeights, writeTinyBertDir } from '../helpers/tinyBert';

let engine: ReturnType<typeof tempEngine>;
let modelDir: string;
beforeAll(() => {
  engine = tempEngine();
  modelDir = writeTinyBertDir(path.join(engine.dir, 'model'), buildTinyBert(tinyBertWeights(1)));
});
afterAll(() => {
  engine.close();
  fs.rmSync(engine.dir, { recursive: true, force: true });
});

const HOST: Caller = { shell: 'host' };
async function call<T>(channel: string, payload: unknown, caller?: Caller): Promise<T> {
  const r = await dispatch(engine, channel, payload, caller);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}
async function refusal(channel: string, payload: unknown, caller?: Caller): Promise<string> {
  const r = await dispatch(engine, channel, payload, caller);
  if (r.ok) throw new Error(`${channel} was not refused`);
  return `${r.error.code}: ${r.error.message}`;
}

const CSV = 'date,ticker,sector,source,text\n2000-01-03,IBM,,news,profits rose\n2000-01-04,,Energy,social,oil fell\n';

describe('the news service', () => {
  it('says the module is off while there is no news, and NOT_FOUND for an unknown universe', async () => {
    const s = await call<NewsSummary>('news.summary', { universe: 'djia30' });
    expect(s.sentiment).toEqual({ on: false, reason: 'no news imported for djia30' });
    expect(await refusal('news.summary', { universe: 'nope' })).toBe('NOT_FOUND: universe nope not found');
  });

  it('refuses the browser a path it did not upload, before reading it', async () => {
    const outside = path.join(engine.dir, 'news.csv');
    fs.writeFileSync(outside, CSV);
    for (const ch of ['news.previewImport', 'news.commitImport'])
      expect(await refusal(ch, { path: outside, universe: 'djia30' }, HOST)).toMatch(
        /^INVALID_INPUT: the browser can import only files it uploads/,
      );
    expect(await refusal('news.previewImport', { path: '/etc/passwd', universe: 'djia30' }, HOST)).toMatch(
      /INVALID_INPUT/,
    );
    // the CLI (local caller) may preview it
    expect((await call<{ rows: number }>('news.previewImport', { path: outside, universe: 'djia30' })).rows).toBe(2);
  });

  it('previews an upload, commits it as a job, then undoes it', async () => {
    const pv = await call<{ ok: boolean; newRows: number; uploadedPath: string }>(
      'news.previewImportText',
      { name: '../../evil name.csv', text: CSV, universe: 'djia30' },
      HOST,
    );
    expect(pv).toMatchObject({ ok: true, newRows: 2 });
    expect(path.basename(pv.uploadedPath)).toBe('evil_name.csv');
    const job = await call<{ id: string; kind: string }>(
      'news.commitImport',
      { path: pv.uploadedPath, universe: 'djia30' },
      HOST,
    );
    expect(job.kind).toBe('news-import');
    const done = await engine.jobs.wait(job.id);
    expect(done.status).toBe('succeeded');
    expect(done.result as NewsImportResult).toMatchObject({ added: 2, universe: 'djia30' });
    const s = await call<NewsSummary>('news.summary', { universe: 'djia30' });
    expect(s).toMatchObject({ rows: 2, scored: 0 });
    expect(s.sentiment.on).toBe(false);
    expect(s.sentiment.reason).toMatch(/not scored/);
  });

  it('lets the browser score with no model outside the uploads; the desktop window with the files it was granted', async () => {
    const req = { universe: 'djia30', modelDir };
    expect(await refusal('news.score', req, HOST)).toMatch(
      /^INVALID_INPUT: the browser can import only files it uploads/,
    );
    const onlyModel: Caller = { shell: 'ipc', grantedPaths: new Set([path.join(modelDir, 'model.onnx')]) };
    expect(await refusal('news.score', req, onlyModel)).toMatch(/vocab\.txt/);
    const granted: Caller = {
      shell: 'ipc',
      grantedPaths: new Set([path.join(modelDir, 'model.onnx'), path.join(modelDir, 'vocab.txt')]),
    };
    const job = await call<{ id: string; kind: string }>('news.score', { ...req, batchSize: 2 }, granted);
    expect(job.kind).toBe('news-score');
    const done = await engine.jobs.wait(job.id);
    expect(done.status).toBe('succeeded');
    expect(done.result as NewsScoreResult).toMatchObject({
      scored: 2,
      labels: expect.stringMatching(/no config.json/),
    });
    const s = await call<NewsSummary>('news.summary', { universe: 'djia30' });
    expect(s).toMatchObject({ rows: 2, scored: 2, preScored: 0, sentiment: { on: true } });
    expect(s.models).toEqual([{ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), rows: 2 }]);
    const u = await call<{ undone: { rows: number } | null }>('news.undoLastImport', {});
    expect(u.undone?.rows).toBe(2);
  });

  it('refuses a malformed request by its schema', async () => {
    expect(await refusal('news.score', { universe: 'djia30', modelDir, batchSize: 0 })).toMatch(/^BAD_REQUEST/);
    expect(await refusal('news.commitImport', { path: 'x.csv', universe: 'Bad Name!' })).toMatch(/^BAD_REQUEST/);
  });
});
