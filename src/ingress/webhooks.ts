/**
 * @module ingress/webhooks
 * The webhook route: `/hooks/*` for every method. The hot path reads top to bottom:
 * route → decode → verify → filter → dedupe key → commit and enqueue → answer by delivery mode.
 *
 * Durability: the caller gets a 2xx only after `accept` resolved, which means the event and
 * its queued job are committed. A crash after that loses nothing: start-up resumes
 * every unfinished job. A storage failure is answered 503, never 2xx.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ReplyBus } from '../engine/reply-bus.js';
import type { WorkflowRegistry } from '../registry/index.js';
import { redactHeaders } from '../steps/redact.js';
import type { AcceptResult, NewEvent, Store, TriggerData } from '../store/types.js';
import { newJobId } from '../store/index.js';
import { renderReply } from '../workflow/index.js';
import type { HttpReply, Scope, WebhookTrigger } from '../workflow/types.js';
import { decodeBody, decodeContentEncoding } from './body/index.js';
import {
  DEFAULT_REJECT,
  acceptedAnswer,
  defaultAcknowledge,
  requestResponseAnswer,
} from './delivery.js';
import { errorBody, statusForCode } from './http-errors.js';
import { answerNotStored, reportOutages } from './not-stored.js';
import { isTruthy } from '../engine/engine.js';
import { acceptConnectorEvent } from './connector-webhook.js';
import { capturedAnswer } from './capture.js';
import { checkRateLimit } from './rate-limit.js';
import { traceWebhookRequests, tracingOn, webhookTrace } from '../tracing/index.js';
import type { CaptureHub } from './capture.js';
import type { ConnectorHooks } from './connector-webhook.js';

export interface WebhookDeps {
  registry: WorkflowRegistry;
  /** Reads jobs (answers to duplicates of request_response events). */
  store: Store;
  /**
   * Commits the event and its queued job (checking the dedupe key) and hands the job to the
   * queue; resolves once the event is durable. Ingress answers 2xx only after it resolved.
   */
  accept(event: NewEvent): Promise<AcceptResult>;
  replies: ReplyBus;
  log: Logger;
  /** Limit on a body, counted after its Content-Encoding is undone (HOOKFLOW_MAX_BODY). */
  maxBodyBytes: number;
  /** JSON and XML bodies nested deeper are refused (HOOKFLOW_MAX_DEPTH). */
  maxDepth: number;
  /** The hooks of connector triggers (§7); without them a connector trigger answers 503. */
  connectors?: ConnectorHooks;
  /** Counts an event refused by its workflow's `rate_limit` (metrics). */
  onRateLimited?(workflow: string): void;
  /** Listening for a test event (`/api/workflows/NAME/captures`). */
  captures?: CaptureHub;
}

/** What `filter`, `dedupe`, `reply` and `reject` see. */
export interface RequestScope extends Scope {
  /** The event's id: its job's id, the `id` the caller is answered with (tray's uniqueWebhookID). */
  id: string;
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[]>;
  body: unknown;
  rawBody: string;
}

const PREFIX = '/hooks/';

export function registerWebhooks(app: FastifyInstance, webhookDeps: WebhookDeps): void {
  const deps = { ...webhookDeps, accept: reportOutages(webhookDeps.accept, webhookDeps.log) };
  void app.register(async function webhookRoutes(scope) {
    // Every body is read as bytes: rawBody must be exact, and decoding follows the workflow.
    scope.removeAllContentTypeParsers();
    if (tracingOn()) traceWebhookRequests(scope);
    // gzip, deflate and br are undone while the body is read, so the body limit counts the
    // decoded bytes; requests without Content-Encoding get their own stream back untouched.
    scope.addHook('preParsing', function undoContentEncoding(request, _reply, payload, done) {
      const header = request.headers['content-encoding'];
      if (header === undefined) return done(null, payload);
      try {
        done(null, decodeContentEncoding(payload, header, deps.maxBodyBytes));
      } catch (e) {
        done(e as Error);
      }
    });
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes },
      (_req, body, done) => done(null, body),
    );
    scope.all(
      '/hooks/*',
      { bodyLimit: deps.maxBodyBytes },
      async function handleWebhook(request, reply) {
        await acceptWebhook(deps, request, reply);
      },
    );
  });
}

async function acceptWebhook(
  deps: WebhookDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const url = request.url;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const match = deps.registry.routes().match(request.method, path.slice(PREFIX.length));
  if (match.kind === 'not_found') {
    return sendError(reply, 'not_found', `no webhook at ${path}`);
  }
  if (match.kind === 'method_not_allowed') {
    reply.header('allow', match.allow.join(', '));
    return sendError(
      reply,
      'method_not_allowed',
      `${request.method} is not allowed here; use ${match.allow.join(', ')}`,
    );
  }
  const { workflow, params } = match;
  if (workflow.trigger.type === 'connector') {
    return acceptConnectorEvent(deps, request, reply, workflow, params, path);
  }
  const trigger = workflow.trigger as WebhookTrigger;

  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  if (trigger.maxBodyBytes !== undefined && raw.length > trigger.maxBodyBytes) {
    return sendError(
      reply,
      'body_too_large',
      `request body is larger than ${trigger.maxBodyBytes} bytes`,
    );
  }
  if (trigger.verifier) {
    const refused = trigger.verifier(request.headers, raw, Date.now());
    if (refused) return sendReply(reply, refused);
  }
  const headers = request.headers as Record<string, string | string[]>;
  const decoded = await decodeBody(raw, request.headers['content-type'], trigger.format, {
    maxDepth: deps.maxDepth,
  });
  // Made before the filter: every expression of the request can read the id it is answered with.
  const id = newJobId();
  const req: RequestScope = {
    id,
    method: request.method,
    path,
    params,
    query: request.query as Record<string, string | string[]>,
    headers,
    body: decoded.body,
    rawBody: decoded.rawBody,
  };

  // Listening for a test event: this request is the sample; it runs only if asked to.
  const captured = deps.captures?.offer(workflow.name, () => triggerData(id, req, decoded));
  if (captured && !captured.run) return sendReply(reply, capturedAnswer(id));

  if (trigger.filter && !isTruthy(await trigger.filter.render(req))) {
    const answer = trigger.reject ? await renderReply(trigger.reject, req) : DEFAULT_REJECT;
    return sendReply(reply, answer);
  }

  if (trigger.rateLimit) {
    let refused: HttpReply | null;
    try {
      refused = await checkRateLimit(deps.store, workflow.name, trigger.rateLimit, req);
    } catch (err) {
      return answerNotStored(reply, err, deps.log, workflow.name);
    }
    if (refused) {
      deps.onRateLimited?.(workflow.name);
      return sendReply(reply, refused);
    }
  }

  const event: NewEvent = { id, workflow: workflow.name, trigger: triggerData(id, req, decoded) };
  const trace = webhookTrace(request, { workflow: workflow.name, jobId: id, path: trigger.path });
  if (trace) event.trace = trace;
  if (trigger.dedupe) {
    const key = await trigger.dedupe.render(req);
    if (key !== undefined && key !== null && key !== '') {
      event.dedupe = {
        key: typeof key === 'string' ? key : JSON.stringify(key),
        expiresAt: Date.now() + trigger.dedupeWindowMs,
      };
    }
  }
  if (trigger.delivery === 'acknowledge') {
    event.answer = trigger.reply ? await renderReply(trigger.reply, req) : defaultAcknowledge(id);
  }

  // request_response: subscribe before the job can run, so its reply cannot be missed.
  const waiter =
    trigger.delivery === 'request_response' ? deps.replies.wait(id, trigger.timeoutMs) : null;
  let result: AcceptResult;
  try {
    result = await deps.accept(event);
  } catch (err) {
    waiter?.cancel();
    return answerNotStored(reply, err, deps.log, workflow.name);
  }

  if (result.kind === 'duplicate') {
    waiter?.cancel();
    return sendReply(reply, await duplicateAnswer(deps, trigger, result.jobId, result.answer));
  }

  switch (trigger.delivery) {
    case 'fire_and_forget':
      // The job's id: the event's own, or a debounced burst's pending job it joined.
      return sendReply(reply, acceptedAnswer(result.jobId));
    case 'acknowledge':
      return sendReply(reply, event.answer!);
    case 'request_response': {
      const outcome = await waiter!.outcome;
      return sendReply(reply, requestResponseAnswer(id, outcome, trigger.timeoutMs));
    }
  }
}

/** A duplicate gets the first event's answer, and no second job. */
export async function duplicateAnswer(
  deps: WebhookDeps,
  trigger: Pick<WebhookTrigger, 'delivery' | 'timeoutMs'>,
  jobId: string,
  answer: HttpReply | null,
): Promise<HttpReply> {
  if (trigger.delivery === 'fire_and_forget') return acceptedAnswer(jobId);
  if (trigger.delivery === 'acknowledge') return answer ?? defaultAcknowledge(jobId);
  // request_response: the first job's reply, waiting for it if it has not come yet.
  const waiter = deps.replies.wait(jobId, trigger.timeoutMs);
  const job = await deps.store.getJob(jobId);
  if (job?.reply) {
    waiter.cancel();
    return job.reply;
  }
  if (job && (job.status === 'succeeded' || job.status === 'failed')) {
    waiter.cancel();
    return requestResponseAnswer(
      jobId,
      { kind: 'finished', status: job.status },
      trigger.timeoutMs,
    );
  }
  const outcome = await waiter.outcome;
  if (outcome.kind === 'finished') {
    // The reply may have been published before this request subscribed; the job's finish
    // commits after its reply, so the stored job has it now.
    const reply = (await deps.store.getJob(jobId))?.reply;
    if (reply) return reply;
  }
  return requestResponseAnswer(jobId, outcome, trigger.timeoutMs);
}

export function triggerData(
  id: string,
  req: RequestScope,
  decoded: { rawBodyEncoding?: 'base64' },
): TriggerData {
  const data: TriggerData = {
    id,
    method: req.method,
    path: req.path,
    params: req.params,
    query: req.query,
    headers: redactHeaders(req.headers),
    body: req.body,
    rawBody: req.rawBody,
    receivedAt: new Date().toISOString(),
  };
  if (decoded.rawBodyEncoding) data.rawBodyEncoding = decoded.rawBodyEncoding;
  return data;
}

export function sendReply(reply: FastifyReply, answer: HttpReply): FastifyReply {
  reply.code(answer.status);
  let hasType = false;
  for (const [k, v] of Object.entries(answer.headers)) {
    if (k.toLowerCase() === 'content-type') hasType = true;
    reply.header(k, v);
  }
  const body = answer.body;
  if (body === null || body === undefined || answer.status === 204 || answer.status === 304) {
    return reply.send();
  }
  if (answer.bodyEncoding === 'base64') {
    if (!hasType) reply.type('application/octet-stream');
    return reply.send(Buffer.from(body as string, 'base64'));
  }
  if (typeof body === 'string') {
    if (!hasType) reply.type('text/plain; charset=utf-8');
    return reply.send(body);
  }
  if (!hasType) reply.type('application/json; charset=utf-8');
  return reply.send(JSON.stringify(body));
}

export function sendError(reply: FastifyReply, code: string, message: string): FastifyReply {
  return reply.code(statusForCode(code)).send(errorBody(code, message));
}
