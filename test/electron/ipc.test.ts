/** The IPC handler validates the sender frame and the payload, and answers typed errors without throwing. */
import { afterAll, describe, expect, it } from 'vitest';
import { handleInvoke, registerIpc, INVOKE_CHANNEL } from '../../src-main/electron/wiring';
import { tempEngine } from '../helpers/engine';

const engine = tempEngine({ seedDefaultData: false });
afterAll(() => engine.close());

const win = { webContents: { id: 7, send: () => {} }, isDestroyed: () => false };
const good = { sender: { id: 7 }, senderFrame: { url: 'app://desk/index.html#/data', parent: null } };

describe('IPC', () => {
  it('answers a valid call', async () => {
    const r = await handleInvoke(engine, good, win, undefined, 'jobs.list', {});
    expect(r).toEqual({ ok: true, value: [] });
  });

  it('refuses other senders: another webContents, a subframe, a remote page, a local file, another app host', async () => {
    for (const ev of [
      { ...good, sender: { id: 8 } },
      { ...good, senderFrame: { url: good.senderFrame.url, parent: {} } },
      { ...good, senderFrame: { url: 'https://evil.example/', parent: null } },
      { ...good, senderFrame: { url: 'file:///tmp/evil.html', parent: null } },
      { ...good, senderFrame: { url: 'file://host/share/x.html', parent: null } },
      { ...good, senderFrame: { url: 'file:///app/out/renderer/index.html', parent: null } },
      { ...good, senderFrame: { url: 'app://evil/', parent: null } },
      { ...good, senderFrame: null },
    ]) {
      const r = await handleInvoke(engine, ev, win, undefined, 'jobs.list', {});
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('answers malformed payloads with typed errors and keeps serving', async () => {
    const cases: [unknown, unknown, string][] = [
      ['jobs.get', { id: 42 }, 'BAD_REQUEST'],
      ['jobs.get', {}, 'BAD_REQUEST'],
      ['jobs.get', { id: 'x'.repeat(2_000_000) }, 'BAD_REQUEST'],
      ['jobs.get', { id: 'ok', extra: 'y' }, 'BAD_REQUEST'],
      ['jobs.demo', { steps: -1, delayMs: 0 }, 'BAD_REQUEST'],
      ['jobs.get', 'not an object', 'BAD_REQUEST'],
      ['no.such', {}, 'UNKNOWN_CHANNEL'],
      [{ toString: 1 }, {}, 'UNKNOWN_CHANNEL'],
      ['jobs.get', { id: 'missing' }, 'NOT_FOUND'],
    ];
    for (const [ch, payload, code] of cases) {
      const r = await handleInvoke(engine, good, win, undefined, ch, payload);
      expect(r.ok, JSON.stringify([ch, String(payload).slice(0, 20)])).toBe(false);
      if (!r.ok) expect(r.error.code).toBe(code);
    }
    expect(await handleInvoke(engine, good, win, undefined, 'jobs.list', {})).toEqual({ ok: true, value: [] });
  });

  it('registers one handler on the invoke channel', () => {
    const registered: string[] = [];
    registerIpc({ handle: (c) => registered.push(c), removeHandler: () => {} }, engine, () => win, undefined);
    expect(registered).toContain(INVOKE_CHANNEL);
  });
});
