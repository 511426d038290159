/** Jobs run in their own process, report progress, can be cancelled, and end with a final status. */
import { fork, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../src-shared/contract';
import type { ChildMessage } from '../../src-main/jobs/protocol';
import { JobRunner, maxJobProcesses } from '../../src-main/jobs/runner';
import { tempEngine } from '../helpers/engine';

const engine = tempEngine({ seedDefaultData: false });
afterAll(() => engine.close());

/** A runner over the test database with its own cap, recording every update. */
function runner(maxProcesses: number) {
  const updates: JobInfo[] = [];
  const r = new JobRunner({ dbPath: engine.dbPath, maxProcesses, onUpdate: (j) => updates.push(j) });
  /** Ids in the order they were reported running. */
  const startOrder = () => [...new Set(updates.filter((u) => u.status === 'running').map((u) => u.id))];
  /** The most jobs (without sub-jobs of their own) reported running at the same time. */
  const peak = (ids?: Set<string>) => {
    const live = new Set<string>();
    let most = 0;
    for (const u of updates) {
      if (ids && !ids.has(u.id)) continue;
      if (u.status === 'running') live.add(u.id);
      else live.delete(u.id);
      most = Math.max(most, live.size);
    }
    return most;
  };
  return { r, updates, startOrder, peak };
}

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
    // every update of the job carries a higher version than the one before, so a view can drop an older copy
    const versions = updates.filter((u) => u.id === job.id).map((u) => u.version);
    expect(versions[0]).toBe(0);
    expect(versions).toContain(job.version);
    expect(versions.every((v, i) => i === 0 || v > versions[i - 1]!)).toBe(true);
    expect(done.version).toBe(versions[versions.length - 1]);
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

describe('job cap', () => {
  it('defaults to the core count; HDRL_MAX_JOBS sets it, and a bad value is refused', () => {
    expect(maxJobProcesses({})).toBe(os.availableParallelism());
    expect(maxJobProcesses({ HDRL_MAX_JOBS: '3' })).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'many'])
      expect(() => maxJobProcesses({ HDRL_MAX_JOBS: bad })).toThrow(
        `HDRL_MAX_JOBS must be a whole number from 1 to 1024, got "${bad}"`,
      );
    expect(new JobRunner({ dbPath: engine.dbPath, onUpdate: () => {} }).maxProcesses).toBe(maxJobProcesses());
    expect(() => new JobRunner({ dbPath: engine.dbPath, onUpdate: () => {}, maxProcesses: 0 })).toThrow(RangeError);
  });

  it('runs at most the cap at once; the rest wait as queued and start in order', async () => {
    const { r, updates, startOrder, peak } = runner(2);
    const jobs = Array.from({ length: 5 }, (_, k) => r.start('demo', { steps: 3, delayMs: 20 }, `job ${k}`));
    expect(jobs.map((j) => j.status)).toEqual(['running', 'running', 'queued', 'queued', 'queued']);
    expect(r.list().filter((j) => j.status === 'queued')).toHaveLength(3);
    expect(jobs[2]!.message).toBe('waiting for a free job slot');
    const ends = await Promise.all(jobs.map((j) => r.wait(j.id)));
    expect(ends.map((j) => j.status)).toEqual(Array(5).fill('succeeded'));
    expect(startOrder()).toEqual(jobs.map((j) => j.id));
    expect(peak()).toBe(2);
    // a queued job started only after one that ran before it had ended
    const firstEnd = updates.findIndex((u) => u.status === 'succeeded');
    const thirdStart = updates.findIndex((u) => u.id === jobs[2]!.id && u.status === 'running');
    expect(thirdStart).toBeGreaterThan(firstEnd);
  });

  it('cancels a queued job at once: it never starts, and the queue moves on', async () => {
    const { r, updates } = runner(1);
    const a = r.start('demo', { steps: 5, delayMs: 20 }, 'a');
    const b = r.start('demo', { steps: 1, delayMs: 0 }, 'b');
    const c = r.start('demo', { steps: 1, delayMs: 0 }, 'c');
    expect(r.cancel(b.id)).toMatchObject({ id: b.id, status: 'cancelled', message: 'cancelled before it started' });
    expect(r.get(b.id)!.endedAt).not.toBeNull();
    expect(await r.wait(b.id)).toMatchObject({ status: 'cancelled', error: null });
    expect(r.cancel(b.id)!.status).toBe('cancelled'); // again: no change
    expect((await r.wait(a.id)).status).toBe('succeeded');
    expect((await r.wait(c.id)).status).toBe('succeeded');
    expect(updates.filter((u) => u.id === b.id).map((u) => u.status)).toEqual(['queued', 'cancelled']);
  });

  it('a job that starts jobs of its own does not deadlock on a cap of one; its jobs go before other queued ones', async () => {
    const { r, updates, startOrder, peak } = runner(1);
    const parent = r.start('demo', { steps: 2, delayMs: 10, children: 3 }, 'parent');
    const other = r.start('demo', { steps: 1, delayMs: 0 }, 'other');
    expect(other.status).toBe('queued');
    const end = await r.wait(parent.id);
    expect(end.status).toBe('succeeded');
    expect((end.result as { children: string[] }).children).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect((await r.wait(other.id)).status).toBe('succeeded');
    const children = r.list().filter((j) => j.parentId === parent.id);
    expect(children.map((j) => j.label).sort()).toEqual([
      'demo child 1 of 3',
      'demo child 2 of 3',
      'demo child 3 of 3',
    ]);
    expect(r.get(parent.id)!.parentId).toBeUndefined();
    // the children ran one at a time, all before the job queued behind their parent
    expect(peak(new Set(children.map((j) => j.id)))).toBe(1);
    expect(startOrder().indexOf(other.id)).toBe(startOrder().length - 1);
    expect(updates.some((u) => u.parentId === parent.id && u.status === 'queued')).toBe(true);
  });

  it('cancelling a job cancels its jobs, running or queued', async () => {
    const { r } = runner(1);
    const parent = r.start('demo', { steps: 1, delayMs: 0, children: 2 }, 'parent');
    // children are requested by the parent process; wait until both are known
    while (r.list().filter((j) => j.parentId === parent.id).length < 2) await new Promise((res) => setTimeout(res, 20));
    const children = r.list().filter((j) => j.parentId === parent.id);
    r.cancel(parent.id);
    expect((await r.wait(parent.id)).status).toBe('cancelled');
    for (const c of children) expect((await r.wait(c.id)).status).toBe('cancelled');
  });
});

describe('a job process', () => {
  const worker = path.resolve(__dirname, '../../src-main/jobs/worker.ts');

  it('exits with code 0 and a clean stderr after a job that fails at once', async () => {
    // the job used to end (and close the channel) while Node was still delivering the start message, which crashed
    // the process with "Cannot set properties of null (setting 'Symbol(kPendingMessages)')"
    const child = fork(worker, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, HDRL_DB: engine.dbPath },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    const messages: ChildMessage[] = [];
    child.on('message', (m: ChildMessage) => messages.push(m));
    const exited = new Promise<[number | null, string | null]>((res) =>
      child.on('exit', (code, signal) => res([code, signal])),
    );
    child.send({ type: 'start', kind: 'no-such-kind', params: {} });
    expect(await exited).toEqual([0, null]);
    expect(messages).toEqual([{ type: 'error', message: 'unknown job kind no-such-kind', cancelled: false }]);
    expect(stderr).toBe('');
  });

  it('whose parent is gone stops its job and exits with code 0, with nothing on stderr', async () => {
    const child = fork(worker, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, HDRL_DB: engine.dbPath },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<[number | null, string | null]>((res) =>
      child.on('exit', (code, signal) => res([code, signal])),
    );
    const progressed = new Promise<void>((res) =>
      child.on('message', (m: ChildMessage) => m.type === 'progress' && res()),
    );
    child.send({ type: 'start', kind: 'demo', params: { steps: 1_000_000, delayMs: 20 } });
    await progressed;
    child.disconnect();
    expect(await exited).toEqual([0, null]);
    expect(stderr).toBe('');
  });

  it('whose host is killed exits cleanly, with no EPIPE or crash trace', async () => {
    const host = spawn(
      process.execPath,
      ['--import', 'tsx', path.resolve(__dirname, 'fixtures/host.ts'), engine.dbPath],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    host.stderr.on('data', (d) => (stderr += String(d)));
    // both pipes close only when every process holding them has ended: the host and the job process it started
    const closed = Promise.all([
      new Promise((res) => host.stdout.on('close', res)),
      new Promise((res) => host.stderr.on('close', res)),
    ]);
    await new Promise<void>((res) =>
      host.stdout.on('data', (d) => {
        stdout += String(d);
        if (stdout.includes('running')) res();
      }),
    );
    host.kill('SIGKILL');
    await closed;
    expect(stderr).toBe('');
  });
});
