/**
 * @module tracing/spans
 * What every span helper shares: the tracer, and the conversion between a job's stored trace
 * context (the W3C propagator's fields) and an OpenTelemetry context.
 */
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import type { Context, Tracer } from '@opentelemetry/api';
import type { JobTrace } from '../store/types.js';

export function tracer(): Tracer {
  return trace.getTracer('hookflow');
}

/** The context a stored trace context stands for; the root context without one. */
export function contextOf(stored: JobTrace | null | undefined): Context {
  return stored ? propagation.extract(ROOT_CONTEXT, stored) : ROOT_CONTEXT;
}

/** The fields to store for `ctx` (its active span); undefined when it has none. */
export function storedTraceOf(ctx: Context): JobTrace | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  if (carrier.traceparent === undefined) return undefined;
  const stored: JobTrace = { traceparent: carrier.traceparent };
  if (carrier.tracestate) stored.tracestate = carrier.tracestate;
  return stored;
}
