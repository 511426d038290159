/**
 * The jobs service: list, read and cancel the jobs of this session, and jobs.demo, the plumbing check. The demo job
 * counts for as long as it is told to, so it is open to local callers only (the CLI and tests, LOCAL_CALLER): the
 * desk's two public shells, the headless host and the Electron window, are refused (types.ts Caller).
 */
import { notFound, ServiceError } from './errors';
import type { Handlers } from './types';

export const jobHandlers: Handlers<'jobs.list' | 'jobs.get' | 'jobs.cancel' | 'jobs.demo'> = {
  'jobs.list': (_req, engine) => engine.jobs.list(),
  'jobs.get'(req, engine) {
    const job = engine.jobs.get(req.id);
    if (!job) throw notFound(`job ${req.id}`);
    return job;
  },
  'jobs.cancel'(req, engine) {
    const job = engine.jobs.cancel(req.id);
    if (!job) throw notFound(`job ${req.id}`);
    return job;
  },
  'jobs.demo'(req, engine, caller) {
    if (caller.shell !== 'cli') {
      const shell = caller.shell === 'host' ? 'headless host' : 'desktop window';
      throw new ServiceError(
        'UNAUTHORIZED',
        `jobs.demo checks the job plumbing from the command line and tests only; the ${shell} may not start it`,
      );
    }
    return engine.jobs.start('demo', req, `demo: count to ${req.steps}`);
  },
};
