/**
 * @module api/jobs
 * `/api/jobs`: listing with filters and cursor paging (newest first), a job's detail, rerun.
 */
import type { FastifyInstance } from 'fastify';
import { HookflowError } from '../errors.js';
import type { JobStatus } from '../store/types.js';
import { traceIdOf, traceUrl } from '../tracing/index.js';
import type { ApiDeps } from './deps.js';
import {
  idParams,
  jobDetail,
  jobPage,
  jobsQuery,
  rerunAnswer,
  rerunBody,
  withErrors,
} from './schemas.js';

interface JobsQuery {
  workflow?: string;
  status?: JobStatus;
  limit: number;
  cursor?: string;
}

export function registerJobRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get<{ Querystring: JobsQuery }>(
    '/jobs',
    {
      schema: {
        summary: 'List jobs, newest first',
        querystring: jobsQuery,
        response: withErrors({ 200: jobPage }),
      },
    },
    async (request) => {
      const { workflow, status, limit, cursor } = request.query;
      const page = await deps.store.listJobs({
        limit,
        ...(workflow ? { workflow } : {}),
        ...(status ? { status } : {}),
        ...(cursor ? { cursor } : {}),
      });
      return { jobs: page.jobs, next_cursor: page.nextCursor };
    },
  );

  api.get<{ Params: { id: string } }>(
    '/jobs/:id',
    {
      schema: {
        summary: "A job: its trigger data and every step's input, output, error and timing",
        params: idParams,
        response: withErrors({ 200: jobDetail }),
      },
    },
    async (request) => {
      const job = await deps.store.getJob(request.params.id);
      if (!job) throw new HookflowError('not_found', `no job with id '${request.params.id}'`);
      const { trace, ...detail } = job;
      const traceId = traceIdOf(trace);
      return { ...detail, traceId, traceUrl: traceUrl(deps.traceUrl ?? null, traceId) };
    },
  );

  api.post<{ Params: { id: string }; Body: { version?: 'original' | 'current' } | null }>(
    '/jobs/:id/rerun',
    {
      schema: {
        summary: 'A new job from the same trigger data',
        description:
          '`version`: `current` (default) runs the workflow as loaded now; `original` runs the version the job ran with (its stored text).',
        params: idParams,
        body: rerunBody,
        response: withErrors({ 202: rerunAnswer }),
      },
    },
    async (request, reply) => {
      const job = await deps.store.getJob(request.params.id);
      if (!job) throw new HookflowError('not_found', `no job with id '${request.params.id}'`);
      if (!deps.registry.get(job.workflow)) {
        throw new HookflowError('conflict', `workflow '${job.workflow}' is no longer loaded`);
      }
      const original = request.body?.version === 'original';
      if (original && job.version === null) {
        throw new HookflowError(
          'conflict',
          `job '${job.id}' was stored before jobs recorded their workflow version; rerun it with version current`,
        );
      }
      const id = await deps.intake.createJob(job.workflow, job.trigger, {
        rerunOf: job.id,
        ...(original && job.version !== null ? { version: job.version } : {}),
      });
      return reply.code(202).send({ id, rerunOf: job.id, status: 'queued' });
    },
  );
}
