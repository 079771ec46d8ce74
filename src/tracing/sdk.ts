/**
 * @module tracing/sdk
 * Sets up the OpenTelemetry SDK in this thread or process: a NodeTracerProvider with a batch
 * processor and the OTLP/HTTP (or console) exporter, registered as the global tracer provider
 * with the W3C trace-context propagator. Each thread that makes spans calls it: the main thread
 * (ingress) and the worker thread each have their own.
 *
 * With tracing off nothing of the SDK is loaded (its modules are imported only here, only when
 * on); the rest of Hookflow calls the OpenTelemetry API, whose no-op tracer then does nothing.
 *
 * @example
 *   const tracing = await startTracing(readTracingSettings(process.env), 'ingress');
 *   await tracing.shutdown(); // flushes what is left
 */
import { context, propagation, trace } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OtlpProtocol, TracingSettings } from './settings.js';
import { setTracingOn } from './state.js';

export interface Tracing {
  /** Exports what is buffered, then unregisters the provider. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { shutdown: async () => {} };

/** The thread's part: the resource attribute `hookflow.role` tells them apart. */
export type TracingRole = 'ingress' | 'worker';

// One provider per thread, shared by the apps of the thread (tests run two at once): the
// last one to shut down shuts it down.
let shared: { users: number; shutdown(): Promise<void> } | null = null;

export async function startTracing(settings: TracingSettings, role: TracingRole): Promise<Tracing> {
  if (settings.exporter === 'none') return OFF;
  if (!shared) shared = { users: 0, shutdown: await registerProvider(settings, role) };
  const current = shared;
  current.users++;
  let done = false;
  return {
    async shutdown() {
      if (done) return;
      done = true;
      if (--current.users > 0) return;
      if (shared === current) shared = null;
      await current.shutdown();
    },
  };
}

async function registerProvider(
  settings: Exclude<TracingSettings, { exporter: 'none' }>,
  role: TracingRole,
): Promise<() => Promise<void>> {
  const [{ NodeTracerProvider, BatchSpanProcessor, ConsoleSpanExporter }, resources, semconv] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
    ]);
  const exporter =
    settings.exporter === 'console'
      ? new ConsoleSpanExporter()
      : await otlpExporter(settings.protocol);
  // Defaults first, then ours, then OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES over both.
  const resource = resources
    .defaultResource()
    .merge(
      resources.resourceFromAttributes({
        [semconv.ATTR_SERVICE_NAME]: 'hookflow',
        'hookflow.role': role,
      }),
    )
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  setTracingOn(true);
  return async () => {
    setTracingOn(false);
    try {
      await provider.shutdown();
    } finally {
      trace.disable();
      context.disable();
      propagation.disable();
    }
  };
}

async function otlpExporter(protocol: OtlpProtocol): Promise<SpanExporter> {
  // Each reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT and _COMPRESSION itself.
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter();
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter();
}
