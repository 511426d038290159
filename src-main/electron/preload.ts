/**
 * The preload (sandboxed, context-isolated): exposes exactly the contract as `window.api` —
 * `window.api.<service>.<method>(request)` for every channel, `window.api.events.on(name, cb)` for events,
 * and `window.api.desktop.openFiles()` (the native file dialog, desktop only). Nothing else crosses.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { channels, eventNames } from '../../src-shared/contract';

const INVOKE_CHANNEL = 'api:invoke';
const EVENT_CHANNEL = 'api:event';
const DIALOG_CHANNEL = 'api:open-files';

const api: Record<string, Record<string, (req?: unknown) => Promise<unknown>>> = {};
for (const ch of channels) {
  const [service, method] = ch.split('.') as [string, string];
  (api[service] ??= {})[method] = (req?: unknown) => ipcRenderer.invoke(INVOKE_CHANNEL, ch, req ?? {});
}

contextBridge.exposeInMainWorld('api', {
  ...api,
  events: {
    on(name: string, cb: (payload: unknown) => void): () => void {
      if (!(eventNames as string[]).includes(name)) throw new Error(`unknown event ${name}`);
      const listener = (_e: unknown, n: string, payload: unknown) => {
        if (n === name) cb(payload);
      };
      ipcRenderer.on(EVENT_CHANNEL, listener);
      return () => ipcRenderer.removeListener(EVENT_CHANNEL, listener);
    },
  },
  desktop: {
    openFiles: (): Promise<string[]> => ipcRenderer.invoke(DIALOG_CHANNEL),
  },
});
