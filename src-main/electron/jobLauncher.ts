/**
 * Job processes of the desktop app: Electron's utilityProcess instead of child_process.fork. The packaged app's
 * RunAsNode fuse is off (scripts/fuses.mjs), so its executable cannot be started as Node.js; a utility process is
 * Electron's own way to run Node code in a child process. The worker (jobs/worker.ts) talks through
 * process.parentPort there, and stays alive while the port is open, so the launcher ends it once its final message
 * (done or error) is in. Written against the slice of utilityProcess it uses, so a test can drive it.
 */
import { workerEntry, type JobLauncher } from '../jobs/launch';
import type { ChildMessage, ParentMessage } from '../jobs/protocol';

interface UtilityProcessLike {
  postMessage(message: ParentMessage): void;
  kill(): boolean;
  on(event: 'message', listener: (message: ChildMessage) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

export interface UtilityProcessApi {
  fork(
    modulePath: string,
    args: string[],
    options: { env: NodeJS.ProcessEnv; stdio: 'inherit'; serviceName: string },
  ): UtilityProcessLike;
}

/** A JobLauncher over utilityProcess.fork of `file` (default: the built worker beside the main bundle). */
export function utilityProcessLauncher(utilityProcess: UtilityProcessApi, file = workerEntry().file): JobLauncher {
  return (env) => {
    const child = utilityProcess.fork(file, [], { env, stdio: 'inherit', serviceName: 'HDRL Desk job' });
    let exited = false;
    let onMessage: ((m: ChildMessage) => void) | undefined;
    let onExit: ((code: number | null, signal: string | null) => void) | undefined;
    child.on('message', (m) => {
      onMessage?.(m);
      if (m.type === 'done' || m.type === 'error') child.kill();
    });
    child.on('exit', (code) => {
      exited = true;
      onExit?.(code, null);
    });
    return {
      send(message) {
        if (!exited) child.postMessage(message);
      },
      kill() {
        if (!exited) child.kill();
      },
      onMessage: (listener) => void (onMessage = listener),
      onExit: (listener) => void (onExit = listener),
    };
  };
}
