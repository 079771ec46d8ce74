/**
 * @module api/jobs
 * `/api/jobs`: listing with filters and cursor paging (newest first), a job's detail, rerun.
 */
import type { FastifyInstance } from 'fastify';
import { HookflowError } from '../errors.js';
import { JOB_STATUSES } from '../store/types.js';
import type { JobStatus } from '../store/types.js';
import type { ApiDeps } from './deps.js';

export function registerJobRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get<{ Querystring: Record<string, string | undefined> }>('/jobs', async (request) => {
    const q = request.query;
    const status = q.status;
    if (status !== undefined && !JOB_STATUSES.includes(status as JobStatus)) {
      throw new HookflowError(
        'invalid_request',
        `status must be one of ${JOB_STATUSES.join(', ')}`,
      );
    }
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new HookflowError('invalid_request', 'limit must be a whole number from 1 to 500');
    }
    const page = await deps.store.listJobs({
      limit,
      ...(q.workflow ? { workflow: q.workflow } : {}),
      ...(status ? { status: status as JobStatus } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    return { jobs: page.jobs, next_cursor: page.nextCursor };
  });

  api.get<{ Params: { id: string } }>('/jobs/:id', async (request) => {
    const job = await deps.store.getJob(request.params.id);
    if (!job) throw new HookflowError('not_found', `no job with id '${request.params.id}'`);
    return job;
  });

  api.post<{ Params: { id: string } }>('/jobs/:id/rerun', async (request, reply) => {
    const job = await deps.store.getJob(request.params.id);
    if (!job) throw new HookflowError('not_found', `no job with id '${request.params.id}'`);
    if (!deps.registry.get(job.workflow)) {
      throw new HookflowError('conflict', `workflow '${job.workflow}' is no longer loaded`);
    }
    const id = await deps.store.createJob(job.workflow, job.trigger, { rerunOf: job.id });
    await deps.queue.enqueue(id);
    return reply.code(202).send({ id, rerunOf: job.id, status: 'queued' });
  });
}
