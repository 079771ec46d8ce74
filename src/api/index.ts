/**
 * @module api
 * The management API (§8): JSON over HTTP under `/api`, a bearer token when
 * `HOOKFLOW_API_TOKEN` is set. Errors use the shape of `ingress/http-errors`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HookflowError } from '../errors.js';
import type { Queue } from '../queue/types.js';
import type { WorkflowRegistry } from '../registry/index.js';
import { JOB_STATUSES } from '../store/types.js';
import type { JobStatus, Store } from '../store/types.js';
import type { Workflow } from '../workflow/types.js';

export interface ApiDeps {
  registry: WorkflowRegistry;
  store: Store;
  queue: Queue;
  apiToken: string | null;
}

export function registerApi(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/healthz', async () => ({ ok: true }));

  void app.register(
    async function apiRoutes(api) {
      if (deps.apiToken) {
        const expected = Buffer.from(deps.apiToken);
        api.addHook('onRequest', async function requireToken(request) {
          if (!tokenMatches(request, expected)) {
            throw new HookflowError(
              'unauthorized',
              'missing or wrong bearer token (HOOKFLOW_API_TOKEN)',
            );
          }
        });
      }

      api.get('/workflows', async (request) => {
        const workflows = await Promise.all(
          deps.registry.list().map(async (wf) => ({
            ...describeWorkflow(deps, wf, request),
            lastJobStatus: await deps.store.lastJobStatus(wf.name),
          })),
        );
        return { workflows };
      });

      api.get<{ Params: { name: string } }>('/workflows/:name', async (request) => {
        const wf = deps.registry.get(request.params.name);
        if (!wf) throw new HookflowError('not_found', `no workflow named '${request.params.name}'`);
        return { ...describeWorkflow(deps, wf, request), source: wf.source };
      });

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
    },
    { prefix: '/api' },
  );
}

function tokenMatches(request: FastifyRequest, expected: Buffer): boolean {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length).trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function describeWorkflow(deps: ApiDeps, wf: Workflow, request: FastifyRequest) {
  const path = deps.registry.pathOf(wf.name) ?? null;
  const t = wf.trigger;
  return {
    name: wf.name,
    enabled: wf.enabled,
    file: wf.file ?? null,
    trigger: {
      type: t.type,
      method: t.method,
      path,
      url: path === null ? null : `${request.protocol}://${request.host}/hooks/${path}`,
      delivery: t.delivery,
    },
    steps: wf.steps.map((s) => ({ id: s.id, type: s.type })),
  };
}
