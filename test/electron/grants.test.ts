/**
 * The files the desktop file dialog returned are the window's grant: every later IPC call carries them in its
 * Caller ({ shell: 'ipc', grantedPaths }), and only the dialog adds to them.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Caller } from '../../src-main/services/types';
import { DIALOG_CHANNEL, INVOKE_CHANNEL, registerIpc } from '../../src-main/electron/wiring';
import { tempEngine } from '../helpers/engine';

const seen = vi.hoisted(() => [] as unknown[]);
vi.mock('../../src-main/services', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src-main/services')>();
  return {
    ...actual,
    dispatch: (...args: Parameters<typeof actual.dispatch>) => {
      seen.push(args[3]);
      return actual.dispatch(...args);
    },
  };
});

const engine = tempEngine({ seedDefaultData: false });
afterAll(() => engine.close());

const win = { webContents: { id: 7, send: () => {} }, isDestroyed: () => false };
const good = { sender: { id: 7 }, senderFrame: { url: 'app://desk/index.html', parent: null } };
const evil = { sender: { id: 7 }, senderFrame: { url: 'file:///tmp/evil.html', parent: null } };

function register(picks: string[][]) {
  const handlers: Record<string, (event: unknown, ...args: unknown[]) => Promise<unknown>> = {};
  const dialog = {
    showOpenDialog: vi.fn(async () => {
      const p = picks.shift();
      return p ? { canceled: false, filePaths: p } : { canceled: true, filePaths: [] };
    }),
  };
  registerIpc(
    { handle: (c, l) => (handlers[c] = l as never), removeHandler: () => {} },
    engine,
    () => win,
    undefined,
    dialog,
  );
  const invoke = async () => {
    seen.length = 0;
    expect(await handlers[INVOKE_CHANNEL]!(good, 'jobs.list', {})).toEqual({ ok: true, value: [] });
    const caller = seen[0] as Caller;
    expect(caller.shell).toBe('ipc');
    return [...(caller.grantedPaths ?? [])].sort();
  };
  return { open: (ev: unknown) => handlers[DIALOG_CHANNEL]!(ev), invoke, dialog };
}

describe('paths granted by the file dialog', () => {
  it('start empty, grow with each dialog pick, ignore cancels and untrusted senders, and belong to one registration', async () => {
    const s = register([['/home/pm/a.csv', '/home/pm/b.csv'], ['/data/c.json']]);
    expect(await s.invoke()).toEqual([]);
    expect(await s.open(evil)).toEqual([]);
    expect(s.dialog.showOpenDialog).not.toHaveBeenCalled();
    expect(await s.open(good)).toEqual(['/home/pm/a.csv', '/home/pm/b.csv']);
    expect(await s.invoke()).toEqual(['/home/pm/a.csv', '/home/pm/b.csv']);
    expect(await s.open(good)).toEqual(['/data/c.json']);
    expect(await s.open(good)).toEqual([]); // cancelled
    expect(await s.invoke()).toEqual(['/data/c.json', '/home/pm/a.csv', '/home/pm/b.csv']);
    // a new window session starts with no grant
    expect(await register([]).invoke()).toEqual([]);
  });
});
