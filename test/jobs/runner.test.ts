/** Jobs run in their own process, report progress, can be cancelled, and end with a final status. */
import { afterAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../src-shared/contract';
import { tempEngine } from '../helpers/engine';

const engine = tempEngine({ seedDefaultData: false });
afterAll(() => engine.close());

describe('job runner', () => {
  it('runs a job in another process with progress events', async () => {
    const updates: JobInfo[] = [];
    engine.events.on('event', (_n, p: { job: JobInfo }) => updates.push(p.job));
    const job = engine.jobs.start('demo', { steps: 5, delayMs: 20 }, 'demo');
    const done = await engine.jobs.wait(job.id);
    expect(done.status).toBe('succeeded');
    const result = done.result as { counted: number; pid: number };
    expect(result.counted).toBe(5);
    expect(result.pid).not.toBe(process.pid);
    expect(updates.some((u) => u.status === 'running' && (u.fraction ?? 0) > 0)).toBe(true);
  });

  it('cancels a running job', async () => {
    const job = engine.jobs.start('demo', { steps: 1000, delayMs: 20 }, 'long');
    await new Promise((r) => setTimeout(r, 600));
    engine.jobs.cancel(job.id);
    const done = await engine.jobs.wait(job.id);
    expect(done.status).toBe('cancelled');
  });

  it('reports an unknown kind as failed', async () => {
    const job = engine.jobs.start('no-such-kind', {}, 'bad');
    const done = await engine.jobs.wait(job.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/unknown job kind/);
  });
});
