import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startHost } from '../../host/server';
import { APP_ROOT } from '../../version';
import type { CliCommand } from '../types';

/** Build the renderer if it has not been built yet (first run after install). */
export function ensureRendererBuilt(io: { out(l: string): void }): string {
  const dir = path.join(APP_ROOT, 'out', 'renderer');
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    io.out('building the app (first run)...');
    const r = spawnSync(
      process.execPath,
      [path.join(APP_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
      { cwd: APP_ROOT, stdio: 'inherit' },
    );
    if (r.status !== 0) throw new Error('the build failed; run `npm run build` to see why');
  }
  return dir;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'serve the full app headless on 127.0.0.1 (open the printed URL, which carries a token, in a browser)',
  usage: '[--port N]',
  options: { port: { type: 'string' } },
  async run({ args, engine, io }) {
    const rendererDir = ensureRendererBuilt(io);
    const port = args.port ? Number(args.port) : 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${String(args.port)}`);
    const host = await startHost(engine!, { rendererDir, port });
    // the link carries the token: the first visit trades it for a session cookie (see src-main/host/server.ts)
    io.out(`HDRL Desk is serving at ${host.loginUrl}`);
    io.out('open that link in a browser on this machine; anyone with the link can use the desk until you stop it');
    io.out(`database: ${engine!.dbPath}`);
    io.out('press Ctrl+C to stop');
    const stop = () => {
      void host.close().then(() => {
        engine!.close();
        process.exit(0);
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1; // keep running
  },
};
