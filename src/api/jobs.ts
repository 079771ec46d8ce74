/**
 * @module api/jobs
 * `/api/jobs`: listing with filters and cursor paging (newest first), a job's detail, rerun.
 */
import type { FastifyInstance } from 'fastify';
import { HookflowError } from '../errors.js';
import { searchIndexed } from '../queue/index.js';
import { parseMatches } from '../search/index.js';
import type { JobFilter, JobStatus } from '../store/types.js';
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
  match?: string[];
}

/** `match` parsed (400 invalid_match when bad), with the paths the workflow's jobs index. */
function searchFilter(
  deps: ApiDeps,
  workflow: string | undefined,
  texts: string[],
): Pick<JobFilter, 'match' | 'indexedPaths'> {
  if (texts.length === 0) return {};
  const match = parseMatches(texts);
  if (!workflow) {
    throw new HookflowError(
      'invalid_match',
      'match needs workflow: jobs are searched one workflow at a time (add workflow=NAME)',
    );
  }
  const loaded = deps.registry.get(workflow);
  const indexedPaths =
    loaded?.search && searchIndexed(loaded) ? loaded.search.map((p) => p.text) : [];
  return { match, indexedPaths };
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
        ...searchFilter(deps, workflow, request.query.match ?? []),
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
