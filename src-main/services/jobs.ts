import { notFound } from './errors';
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
  'jobs.demo': (req, engine) => engine.jobs.start('demo', req, `demo: count to ${req.steps}`),
};
