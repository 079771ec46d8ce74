/**
 * @module api/listen
 * Listening for a test event, and using a sample as a workflow's example (docs/api.md):
 *
 * - `POST /api/workflows/NAME/captures` `{timeout?, run?}` starts a capture: the next request to
 *   the workflow's webhook is kept (no job, unless `run`) → 201 with the capture and the URL.
 * - `GET …/captures/ID?wait=S` answers the capture, waiting up to S seconds while it waits.
 * - `DELETE …/captures/ID` stops a capture that still waits.
 * - `POST /api/workflows/NAME/example` `{capture} | {job} | {example}` sets the trigger's
 *   `example` to that body: saved for a workflow pushed over the API (the rest of its text kept
 *   as written), or, for a file's workflow, the file's text with it set, to paste.
 */
import type { FastifyInstance } from 'fastify';
import { HookflowError } from '../errors.js';
import { DEFAULT_CAPTURE_MS, MAX_CAPTURE_MS } from '../ingress/capture.js';
import type { CaptureHub } from '../ingress/capture.js';
import { setTriggerExample } from '../workflow/set-example.js';
import type { Workflow } from '../workflow/types.js';
import type { ApiDeps } from './deps.js';
import { nameParams, withErrors } from './schemas.js';

type ByName = { Params: { name: string } };
type ById = { Params: { name: string; id: string } };

const MAX_WAIT_S = 120;
const open = { type: 'object', additionalProperties: true } as const;
const capture = {
  ...open,
  required: ['id', 'workflow', 'state', 'run', 'startedAt', 'expiresAt', 'event'],
  properties: {
    id: { type: 'string' },
    workflow: { type: 'string' },
    state: { type: 'string', enum: ['waiting', 'captured', 'expired', 'cancelled'] },
    run: { type: 'boolean' },
    startedAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    event: { description: 'the captured request as `trigger` (headers redacted); null until then' },
    url: { type: 'string', description: 'where to send the test event' },
    method: { type: 'string' },
  },
} as const;
const idParams = {
  type: 'object',
  required: ['name', 'id'],
  properties: { name: { type: 'string' }, id: { type: 'string' } },
} as const;

export function registerListenRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const captures = deps.captures;
  if (!captures) return;
  // A waiting GET must not hold up a shutdown.
  api.addHook('preClose', (done) => {
    captures.close();
    done();
  });

  api.post<ByName & { Body: { timeout?: number; run?: boolean } | undefined }>(
    '/workflows/:name/captures',
    {
      schema: {
        summary: 'Listen for a test event: capture the next request to the webhook',
        description:
          'The request is verified and decoded like any other, and kept here instead of starting a job (unless `run`). Its sender gets 202 `{"accepted":true,"captured":true,"id"}`. One capture per workflow at a time (409 otherwise).',
        params: nameParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            timeout: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_CAPTURE_MS / 1000,
              description: `seconds to wait for the request (default ${DEFAULT_CAPTURE_MS / 1000})`,
            },
            run: { type: 'boolean', description: 'also run it as usual (default false)' },
          },
        },
        response: withErrors({ 201: capture }),
      },
    },
    async (request, reply) => {
      const wf = webhookWorkflow(deps, request.params.name);
      if (!wf.enabled) {
        throw new HookflowError(
          'conflict',
          `workflow '${wf.name}' is disabled, so its webhook takes no request; enable it first`,
        );
      }
      const body = request.body ?? {};
      const started = captures.start(wf.name, {
        timeoutMs: (body.timeout ?? DEFAULT_CAPTURE_MS / 1000) * 1000,
        run: body.run === true,
      });
      return reply.code(201).send({ ...started, ...target(deps, wf) });
    },
  );

  api.get<ById & { Querystring: { wait?: number } }>(
    '/workflows/:name/captures/:id',
    {
      schema: {
        summary: 'A capture; with `wait`, once it has its event (or after that many seconds)',
        params: idParams,
        querystring: {
          type: 'object',
          properties: { wait: { type: 'integer', minimum: 0, maximum: MAX_WAIT_S } },
        },
        response: withErrors({ 200: capture }),
      },
    },
    async (request, reply) => {
      const { name, id } = request.params;
      // A client that gave up (its connection closed) ends the wait; nothing is left behind.
      const gone = new Promise<null>((resolve) => reply.raw.once('close', () => resolve(null)));
      const wait = (request.query.wait ?? 0) * 1000;
      return (
        (await Promise.race([captures.waitFor(name, id, wait), gone])) ?? captures.get(name, id)
      );
    },
  );

  api.delete<ById>(
    '/workflows/:name/captures/:id',
    {
      schema: {
        summary: 'Stop a capture that still waits',
        params: idParams,
        response: withErrors({ 200: capture }),
      },
    },
    async (request) => captures.cancel(request.params.name, request.params.id),
  );

  api.post<ByName & { Body: { capture?: string; job?: string; example?: unknown } }>(
    '/workflows/:name/example',
    {
      schema: {
        summary: "Use a captured request's or a job's payload as the trigger's example",
        description:
          'Give one of `capture` (an id), `job` (an id) or `example` (the value). A workflow pushed over the API is saved with `trigger.webhook.example` set (the rest of its text as written); for a workflow from a file, the answer has the file text with it set, to paste (`saved: false`).',
        params: nameParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: { capture: { type: 'string' }, job: { type: 'string' }, example: {} },
        },
        response: withErrors({
          200: {
            ...open,
            required: ['workflow', 'saved', 'origin', 'format', 'text'],
            properties: {
              workflow: { type: 'string' },
              saved: { type: 'boolean' },
              origin: { type: 'string', enum: ['file', 'api'] },
              file: { type: ['string', 'null'] },
              format: { type: 'string', enum: ['yaml', 'json'] },
              text: { type: 'string', description: 'the document with the example set' },
            },
          },
        }),
      },
    },
    async (request) => {
      const wf = webhookWorkflow(deps, request.params.name);
      const example = await exampleFrom(deps, captures, wf.name, request.body);
      const { text, format } = setTriggerExample(wf.text, example);
      const origin = deps.catalog.origin(wf.name) ?? 'file';
      if (origin === 'file') {
        return { workflow: wf.name, saved: false, origin, file: wf.file ?? null, format, text };
      }
      const { workflow } = await deps.catalog.put(wf.name, text, format);
      // A new text drops an enable/disable toggle (catalog rule); setting an example keeps it.
      if (workflow.enabled !== wf.enabled) await deps.catalog.setEnabled(wf.name, wf.enabled);
      return { workflow: wf.name, saved: true, origin, file: null, format, text };
    },
  );
}

function webhookWorkflow(deps: ApiDeps, name: string): Workflow {
  const wf = deps.registry.get(name);
  if (!wf) throw new HookflowError('not_found', `no workflow named '${name}'`);
  if (wf.trigger.type !== 'webhook') {
    throw new HookflowError(
      'conflict',
      `workflow '${name}' has a ${wf.trigger.type} trigger; only a webhook trigger takes a test event and an example this way`,
    );
  }
  return wf;
}

/** Where the test event goes: the webhook's method and URL (on the server's public URL). */
function target(deps: ApiDeps, wf: Workflow) {
  return {
    method: wf.trigger.type === 'webhook' ? wf.trigger.method : 'POST',
    url: `${deps.baseUrl()}/hooks/${deps.registry.pathOf(wf.name) ?? ''}`,
  };
}

async function exampleFrom(
  deps: ApiDeps,
  captures: CaptureHub,
  workflow: string,
  body: { capture?: string; job?: string; example?: unknown },
): Promise<unknown> {
  if (body.capture !== undefined) {
    const c = captures.get(workflow, body.capture);
    if (!c.event) {
      throw new HookflowError('conflict', `capture '${c.id}' has no event (it is ${c.state})`);
    }
    return c.event.body;
  }
  if (body.job !== undefined) {
    const job = await deps.store.getJob(body.job);
    if (!job) throw new HookflowError('not_found', `no job with id '${body.job}'`);
    if (job.workflow !== workflow) {
      throw new HookflowError(
        'invalid_request',
        `job '${job.id}' is a job of workflow '${job.workflow}', not '${workflow}'`,
      );
    }
    return (job.trigger as { body?: unknown } | null)?.body ?? null;
  }
  return body.example;
}
