/**
 * @module tracing/settings
 * Whether this process traces, read from the standard OpenTelemetry variables (the OTel
 * specification's names and values; docs/observability.md lists them). Off unless asked:
 * `OTEL_TRACES_EXPORTER=otlp|console`, or an OTLP endpoint set while `OTEL_TRACES_EXPORTER`
 * is unset. `OTEL_SDK_DISABLED=true` and `OTEL_TRACES_EXPORTER=none` turn it off. Everything
 * else (endpoint, headers, timeout, sampler, batch sizes, service name) the SDK reads itself.
 *
 * @example
 *   readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
 *   // → { exporter: 'otlp', protocol: 'http/protobuf' }
 */
import { ConfigError } from '../config/index.js';

export type TracingSettings =
  { exporter: 'none' } | { exporter: 'console' } | { exporter: 'otlp'; protocol: OtlpProtocol };

export type OtlpProtocol = 'http/protobuf' | 'http/json';
const PROTOCOLS: readonly string[] = ['http/protobuf', 'http/json'];

type Env = Record<string, string | undefined>;

export function readTracingSettings(env: Env): TracingSettings {
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  if (get('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return { exporter: 'none' };

  const named = get('OTEL_TRACES_EXPORTER')
    ?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  let exporter: string;
  if (named === undefined || named.length === 0) {
    const endpoint =
      get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? get('OTEL_EXPORTER_OTLP_ENDPOINT');
    exporter = endpoint === undefined ? 'none' : 'otlp';
  } else if (named.length > 1) {
    throw new ConfigError(
      'OTEL_TRACES_EXPORTER',
      `Hookflow exports traces to one place; got '${named.join(',')}': pick one of otlp, console, none`,
    );
  } else {
    exporter = named[0]!;
  }
  if (exporter === 'none' || exporter === 'console') return { exporter };
  if (exporter !== 'otlp') {
    throw new ConfigError(
      'OTEL_TRACES_EXPORTER',
      `expected otlp, console or none, got '${exporter}' (send to Zipkin or Jaeger through their OTLP endpoint)`,
    );
  }
  const protocolName = get('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = get(protocolName) ?? 'http/protobuf';
  if (!PROTOCOLS.includes(protocol)) {
    throw new ConfigError(
      protocolName,
      `expected http/protobuf or http/json, got '${protocol}' (Hookflow exports OTLP over HTTP; a collector's port 4318 takes both)`,
    );
  }
  return { exporter: 'otlp', protocol: protocol as OtlpProtocol };
}
