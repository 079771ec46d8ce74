/**
 * @module api/replays
 * Bulk replay: `POST /api/jobs/replay` (a dry run, or a replay created and run in the
 * background), `GET /api/replays`, `GET /api/replays/ID` (progress), `POST /api/replays/ID/cancel`.
 *
 * @example
 *   curl -X POST localhost:8080/api/jobs/replay -d '{"workflow":"orders","since":"2h","dry_run":true}'
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HookflowError } from '../errors.js';
import { readFilter } from '../replay/index.js';
import type { ReplayRequest } from '../replay/index.js';
import { newJobId } from '../store/index.js';
import type { ReplayVersion } from '../store/index.js';
import type { ApiDeps } from './deps.js';
import {
  replayAnswer,
  replayBody,
  replayDryRun,
  replayIdParams,
  replayList,
  replaysQuery,
  withErrors,
} from './schemas.js';

interface ReplayBody extends ReplayRequest {
  dry_run: boolean;
  sample: number;
  version: ReplayVersion;
  rate?: number;
}

const KNOWN_KEYS = new Set(Object.keys(replayBody.properties));

/**
 * The validator drops keys the schema does not list; here a misspelt filter key would widen
 * the filter to every failed job, so it is refused instead.
 */
async function refuseUnknownKeys(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  const unknown = Object.keys(body).filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length > 0) {
    throw new HookflowError(
      'invalid_request',
      `body has unknown ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.map((k) => `'${k}'`).join(', ')}; known: ${[...KNOWN_KEYS].join(', ')}`,
    );
  }
}

export function registerReplayRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.post<{ Body: ReplayBody }>(
    '/jobs/replay',
    {
      schema: {
        summary: 'Replay the jobs a filter matches (or count them: dry_run)',
        description:
          'Each matched job gets one new job from its trigger data (`rerunOf`: the job, `replay`: the replay), made in the background at `rate` jobs per second. Without `dry_run` the answer is 202 with the replay; watch it at `/api/replays/ID`.',
        body: replayBody,
        response: withErrors({ 200: replayDryRun, 202: replayAnswer }),
      },
      preValidation: refuseUnknownKeys,
    },
    async (request, reply) => {
      const body = request.body;
      const filter = readFilter(body, Date.now());
      if (filter.workflow !== undefined && !deps.registry.get(filter.workflow)) {
        throw new HookflowError('not_found', `no workflow '${filter.workflow}' is loaded`);
      }
      if (body.dry_run) {
        const { count, sample } = await deps.store.matchJobs(filter, body.sample);
        return { dry_run: true, count, sample };
      }
      const replay = await deps.store.createReplay({
        id: newJobId(),
        filter,
        version: body.version,
        rate: body.rate ?? deps.replays?.defaultRate ?? 20,
      });
      deps.replays?.created();
      return reply.code(202).header('location', `/api/replays/${replay.id}`).send(replay);
    },
  );

  api.get<{ Querystring: { limit: number } }>(
    '/replays',
    {
      schema: {
        summary: 'Bulk replays, newest first',
        querystring: replaysQuery,
        response: withErrors({ 200: replayList }),
      },
    },
    async (request) => ({ replays: await deps.store.listReplays(request.query.limit) }),
  );

  api.get<{ Params: { id: string } }>(
    '/replays/:id',
    {
      schema: {
        summary: "A replay's progress: matched, created, skipped, and its new jobs by status",
        params: replayIdParams,
        response: withErrors({ 200: replayAnswer }),
      },
    },
    async (request) => {
      const replay = await deps.store.getReplay(request.params.id);
      if (!replay) throw new HookflowError('not_found', `no replay with id '${request.params.id}'`);
      return replay;
    },
  );

  api.post<{ Params: { id: string } }>(
    '/replays/:id/cancel',
    {
      schema: {
        summary: 'Stop a running replay: it makes no job after this answer',
        description: 'The jobs it made already stay. Cancelling a finished replay is a 409.',
        params: replayIdParams,
        response: withErrors({ 200: replayAnswer }),
      },
    },
    async (request) => {
      const replay = await deps.store.cancelReplay(request.params.id);
      if (!replay) throw new HookflowError('not_found', `no replay with id '${request.params.id}'`);
      if (replay.status !== 'cancelled') {
        throw new HookflowError('conflict', `replay '${replay.id}' is ${replay.status} already`);
      }
      return replay;
    },
  );
}
