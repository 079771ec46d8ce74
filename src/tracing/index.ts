/**
 * @module tracing
 * OpenTelemetry traces (docs/observability.md): off unless the standard `OTEL_*` variables ask
 * for them; then one trace per event, from the sender's `traceparent` through the webhook
 * request, the job and its steps to the outbound requests, which carry it on.
 *
 * @example
 *   const tracing = await startTracing(readTracingSettings(process.env), 'ingress');
 *   const intake = traceIntake(createIntake(store, notify), store);
 */
export { readTracingSettings } from './settings.js';
export type { TracingSettings, OtlpProtocol } from './settings.js';
export { startTracing } from './sdk.js';
export type { Tracing, TracingRole } from './sdk.js';
export { tracingOn } from './state.js';
export { traceWebhookRequests, webhookTrace } from './webhook-spans.js';
export { traceJob, traceStep } from './job-spans.js';
export type { JobEnd } from './job-spans.js';
export { traceRequest } from './client-spans.js';
export type { TriedRequest } from './client-spans.js';
export { traceIntake } from './intake-spans.js';
export { traceIdOf, traceUrl } from './trace-id.js';
