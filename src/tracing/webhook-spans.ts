/**
 * @module tracing/webhook-spans
 * The webhook request's span (kind SERVER): a child of the sender's `traceparent` when the
 * request has one, else the root of a new trace. The job the request commits stores this
 * span's context, so the job's spans, wherever they run, are its children.
 *
 * Registered only when tracing is on; then each webhook request costs one span.
 *
 * @example
 *   if (tracingOn()) traceWebhookRequests(scope);
 *   event.trace = webhookTrace(request, { workflow: 'orders', jobId, path: 'shop/:id' });
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JobTrace } from '../store/types.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_JOB_ID,
  ATTR_WORKFLOW,
} from './attributes.js';
import { storedTraceOf, tracer } from './spans.js';
import { tracingOn } from './state.js';

const spans = new WeakMap<FastifyRequest, Span>();

export function traceWebhookRequests(scope: FastifyInstance): void {
  scope.addHook('onRequest', function startWebhookSpan(request, _reply, done) {
    // Only the W3C fields are read from the headers; no header value becomes an attribute.
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer().startSpan(
      `${request.method} /hooks/*`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: request.method,
          // No url.path: a generated webhook path is a secret, and a query may carry a token.
          [ATTR_HTTP_ROUTE]: '/hooks/*',
        },
      },
      parent,
    );
    spans.set(request, span);
    done();
  });
  scope.addHook('onResponse', function endWebhookSpan(request, reply, done) {
    const span = spans.get(request);
    if (span) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
      if (reply.statusCode >= 500) {
        span.setAttribute(ATTR_ERROR_TYPE, String(reply.statusCode));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
      spans.delete(request);
    }
    done();
  });
  scope.addHook('onRequestAbort', function abortWebhookSpan(request, done) {
    const span = spans.get(request);
    if (span) {
      span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      spans.delete(request);
    }
    done();
  });
}

/**
 * Names the request's span after the workflow it reached and the job it commits; returns the
 * trace context to store with that job (undefined when tracing is off).
 */
export function webhookTrace(
  request: FastifyRequest,
  event: { workflow: string; jobId: string; path: string | null },
): JobTrace | undefined {
  if (!tracingOn()) return undefined;
  const span = spans.get(request);
  if (!span) return undefined;
  // The route as written; a generated path (null) is a secret, and stays out.
  const route = `/hooks/${event.path ?? '{generated}'}`;
  span.updateName(`${request.method} ${route}`);
  span.setAttributes({
    [ATTR_HTTP_ROUTE]: route,
    [ATTR_WORKFLOW]: event.workflow,
    [ATTR_JOB_ID]: event.jobId,
  });
  return storedTraceOf(trace.setSpan(ROOT_CONTEXT, span));
}
