/**
 * @module ingress/connector-webhook
 * The ingest path of a connector trigger (§7): the webhook's route, body limit, verification
 * and decoding, then the connector's hooks — `filter` → `before` → `split` → `uniqueId` →
 * `reply` — then the same commit-before-answer as a webhook. A plain `webhook` trigger never
 * comes here.
 *
 * One request may make several jobs (`split`, e.g. one per Salesforce notification); their
 * events are committed in the same group commit, each with its own dedupe key, and the caller
 * is answered only once all of them are stored.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHttpClient, noTriggerOf } from '../connectors/index.js';
import type {
  AnyTrigger,
  HttpClientDeps,
  HttpRequest,
  Reply,
  RequestContext,
} from '../connectors/index.js';
import { errorMessage } from '../errors.js';
import { newJobId } from '../store/index.js';
import type { AcceptResult, NewEvent, TriggerData } from '../store/types.js';
import { redactHeaders } from '../steps/redact.js';
import { toStatus } from '../workflow/reply.js';
import type { ConnectorTrigger, HttpReply, Workflow } from '../workflow/types.js';
import { decodeBody } from './body/index.js';
import {
  acceptedAnswer,
  DEFAULT_REJECT,
  defaultAcknowledge,
  requestResponseAnswer,
} from './delivery.js';
import { errorBody } from './http-errors.js';
import { answerNotStored } from './not-stored.js';
import type { RequestScope, WebhookDeps } from './webhooks.js';
import { duplicateAnswer, sendError, sendReply, triggerData } from './webhooks.js';
import { webhookTrace } from '../tracing/index.js';

/** What the ingress needs from the connectors: their hooks, and the state `init` returned. */
export interface ConnectorHooks {
  /** The trigger's definition; undefined when its connector is not loaded. */
  definition(trigger: ConnectorTrigger): AnyTrigger | undefined;
  /** What `init` returned for this workflow; null until it has succeeded. */
  stateOf(workflow: string): unknown;
  /** The outbound path of `ctx.http` in the hooks: connections and the SSRF guard. */
  outbound: HttpClientDeps;
}

export async function acceptConnectorEvent(
  deps: WebhookDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  workflow: Workflow,
  params: Record<string, string>,
  path: string,
): Promise<FastifyReply> {
  const trigger = workflow.trigger as ConnectorTrigger;
  const def = deps.connectors?.definition(trigger);
  if (!def) {
    return sendError(
      reply,
      'connector_unavailable',
      `connector '${trigger.connector}' is not loaded`,
    );
  }
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const limit = trigger.maxBodyBytes;
  if (limit !== undefined && raw.length > limit) {
    return sendError(reply, 'body_too_large', `request body is larger than ${limit} bytes`);
  }
  if (trigger.verifier) {
    const refused = trigger.verifier(request.headers, raw, Date.now());
    if (refused) return sendReply(reply, refused);
  }
  const decoded = await decodeBody(raw, request.headers['content-type'], trigger.format, {
    maxDepth: deps.maxDepth,
  });
  const http: HttpRequest = {
    method: request.method,
    path,
    params,
    query: request.query as Record<string, string | string[]>,
    headers: request.headers as Record<string, string | string[]>,
    body: decoded.body,
    rawBody: raw,
  };
  // The first event's id exists before the hooks run: they can read what the sender hears.
  const firstId = newJobId();
  // The sender waits while the hooks run: their calls end within the trigger's timeout.
  const signal = AbortSignal.timeout(trigger.timeoutMs);
  const ctx: RequestContext<unknown> = {
    workflow: workflow.name,
    id: firstId,
    state: deps.connectors?.stateOf(workflow.name) ?? null,
    connection: trigger.connection,
    http: createHttpClient({
      deps: deps.connectors?.outbound ?? {},
      connection: trigger.connection,
      workflow: workflow.name,
      jobId: firstId,
      signal,
    }),
    signal,
  };

  let prepared: Prepared;
  try {
    const result = await runHooks(def, trigger, http, ctx);
    if (result === 'filtered') return sendReply(reply, DEFAULT_REJECT);
    prepared = result;
  } catch (e) {
    const noTrigger = noTriggerOf(e);
    if (noTrigger) return sendReply(reply, toHttpReply(noTrigger.reply, trigger.key));
    deps.log.error(
      { err: e, workflow: workflow.name, connector: trigger.key },
      'connector hook failed',
    );
    return sendError(reply, 'connector_failed', `connector ${trigger.key}: ${errorMessage(e)}`);
  }

  const req: RequestScope = { ...http, id: firstId, rawBody: decoded.rawBody };
  const trace = webhookTrace(request, {
    workflow: workflow.name,
    jobId: firstId,
    path: trigger.path,
  });
  const events: NewEvent[] = prepared.items.map(({ output, key }, i) => {
    const id = i === 0 ? firstId : newJobId();
    const data = def.before ? outputData(id, output) : triggerData(id, req, decoded);
    const event: NewEvent = { id, workflow: workflow.name, trigger: data };
    if (trace) event.trace = trace;
    if (key) event.dedupe = { key, expiresAt: Date.now() + trigger.dedupeWindowMs };
    return event;
  });
  if (events.length === 0) return sendReply(reply, prepared.answer ?? DEFAULT_REJECT);
  const answer = prepared.answer ?? defaultAcknowledge(events[0]!.id);
  if (trigger.delivery === 'acknowledge') for (const e of events) e.answer = answer;

  // request_response answers with the first event's job: subscribe before it can run.
  const waiter =
    trigger.delivery === 'request_response'
      ? deps.replies.wait(events[0]!.id, trigger.timeoutMs)
      : undefined;
  let results: AcceptResult[];
  try {
    results = await Promise.all(events.map((e) => deps.accept(e)));
  } catch (err) {
    waiter?.cancel();
    return answerNotStored(reply, err, deps.log, workflow.name);
  }

  const [first] = results;
  if (first?.kind === 'duplicate') waiter?.cancel();
  // A request_response caller gets the first job's answer: a duplicate's is the earlier job's.
  if (first?.kind === 'duplicate' && (results.length === 1 || waiter)) {
    return sendReply(reply, await duplicateAnswer(deps, trigger, first.jobId, first.answer));
  }
  switch (trigger.delivery) {
    case 'acknowledge':
      return sendReply(reply, answer);
    case 'fire_and_forget':
      return sendReply(
        reply,
        results.length === 1
          ? acceptedAnswer(first!.jobId)
          : {
              status: 202,
              headers: {},
              body: { accepted: true, ids: results.map((r) => r.jobId) },
            },
      );
    case 'request_response': {
      const outcome = await waiter!.outcome;
      return sendReply(reply, requestResponseAnswer(first!.jobId, outcome, trigger.timeoutMs));
    }
  }
}

interface Prepared {
  items: Array<{ output: unknown; key: string | null }>;
  /** The acknowledge answer, when the connector computes one. */
  answer?: HttpReply;
}

/**
 * filter → before → split → uniqueId → reply; NoTrigger and failures are thrown. `filter` is
 * awaited too: a tray connector may answer with a rejected promise there.
 */
async function runHooks(
  def: AnyTrigger,
  trigger: ConnectorTrigger,
  http: HttpRequest,
  ctx: RequestContext<unknown>,
): Promise<Prepared | 'filtered'> {
  const params = trigger.params;
  if (def.filter && !(await def.filter(params, http, ctx))) return 'filtered';
  const output: unknown = def.before ? await def.before(params, http, ctx) : undefined;
  const list: unknown = def.split ? def.split(output, params) : [output];
  if (!Array.isArray(list)) throw new Error('split must return a list');
  const items = list.map((item: unknown) => {
    const key: unknown = def.uniqueId ? def.uniqueId(params, http, item, ctx) : null;
    return {
      output: item,
      key: key === undefined || key === null || key === '' ? null : String(key),
    };
  });
  const prepared: Prepared = { items };
  if (trigger.delivery === 'acknowledge' && def.reply) {
    prepared.answer = toHttpReply(
      (await def.reply(params, http, output, ctx)) as Reply,
      trigger.key,
    );
  }
  return prepared;
}

/** `before`'s output as the job's trigger data: an object, with `id` and `receivedAt` added. */
function outputData(id: string, output: unknown): TriggerData {
  const fields: Record<string, unknown> =
    typeof output === 'object' && output !== null && !Array.isArray(output)
      ? { ...(output as Record<string, unknown>) }
      : { body: output };
  // Signatures and credentials the connector passed through stay out of job history.
  const headers = fields.headers;
  if (typeof headers === 'object' && headers !== null) {
    fields.headers = redactHeaders(headers as Record<string, string | string[]>);
  }
  return { ...fields, id, receivedAt: new Date().toISOString() } as unknown as TriggerData;
}

function toHttpReply(r: Reply, key: string): HttpReply {
  const status = toStatus(r.status ?? 200);
  if (status === undefined) {
    return {
      status: 500,
      headers: {},
      body: errorBody(
        'connector_failed',
        `connector ${key} answered with status ${String(r.status)}`,
      ),
    };
  }
  const headers = r.headers ?? {};
  // Bytes (a Buffer) are sent exactly; as base64, since replies are stored as JSON.
  if (r.body instanceof Uint8Array) {
    return {
      status,
      headers,
      body: Buffer.from(r.body).toString('base64'),
      bodyEncoding: 'base64',
    };
  }
  return { status, headers, body: r.body ?? null };
}
