/**
 * @module tracing/client-spans
 * An outbound request's span (kind CLIENT), a child of the step that sends it, and the
 * `traceparent` it carries to the server called, so that server's spans join the trace.
 * One span per try; redirects it follows are inside it.
 *
 * `url.full` is the URL without its query and user info: a connection's API key may be a
 * query parameter. No header value and no body becomes an attribute.
 *
 * @example
 *   const result = await traceRequest(req, (traced) => send(traced), (r) => ({ status: r.status }));
 */
import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from './attributes.js';
import { tracer } from './spans.js';
import { tracingOn } from './state.js';

interface Request {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/** What the span records of a try's result: the status, or why there was none. */
export interface TriedRequest {
  status?: number;
  failure?: string;
}

export async function traceRequest<R extends Request, T>(
  req: R,
  send: (traced: R) => Promise<T>,
  result: (r: T) => TriedRequest,
): Promise<T> {
  if (!tracingOn()) return send(req);
  let url: URL | null = null;
  try {
    url = new URL(req.url);
  } catch {
    // sent as is: undici answers an invalid URL with a failure of its own
  }
  const attributes: Record<string, string | number> = { [ATTR_HTTP_REQUEST_METHOD]: req.method };
  if (url) {
    attributes[ATTR_URL_FULL] = `${url.origin}${url.pathname}`;
    attributes[ATTR_SERVER_ADDRESS] = url.hostname;
    attributes[ATTR_SERVER_PORT] = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  }
  const span = tracer().startSpan(req.method, { kind: SpanKind.CLIENT, attributes });
  const headers = { ...req.headers };
  propagation.inject(trace.setSpan(context.active(), span), headers);
  try {
    const r = await send({ ...req, headers });
    const { status, failure } = result(r);
    if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    const error = failure ?? (status !== undefined && status >= 400 ? String(status) : undefined);
    if (error !== undefined) {
      span.setAttribute(ATTR_ERROR_TYPE, error);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    return r;
  } catch (e) {
    span.setAttribute(ATTR_ERROR_TYPE, 'exception');
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw e;
  } finally {
    span.end();
  }
}
