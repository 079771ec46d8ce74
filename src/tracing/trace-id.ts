/**
 * @module tracing/trace-id
 * The trace id of a stored trace context, for the API and the UI, and the link to a trace
 * viewer built from `HOOKFLOW_TRACE_URL` (`{traceId}` replaced). Reads the W3C `traceparent`
 * format (`00-<trace id>-<span id>-<flags>`) without loading the SDK.
 *
 * @example
 *   traceIdOf({ traceparent: '00-4bf9…4736-00f0…02b7-01' }); // '4bf9…4736'
 *   traceUrl('http://jaeger:16686/trace/{traceId}', '4bf9…4736');
 */
import type { JobTrace } from '../store/types.js';

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}/;

export function traceIdOf(stored: JobTrace | null | undefined): string | null {
  const m = stored?.traceparent ? TRACEPARENT.exec(stored.traceparent) : null;
  return m ? m[1]! : null;
}

export function traceUrl(template: string | null, traceId: string | null): string | null {
  if (template === null || traceId === null) return null;
  return template.replaceAll('{traceId}', traceId);
}
