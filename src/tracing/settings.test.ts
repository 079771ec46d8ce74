import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTracingSettings } from './settings.js';

test('tracing is off without any OTEL_ variable', () => {
  assert.deepEqual(readTracingSettings({}), { exporter: 'none' });
});

test('an OTLP endpoint alone turns tracing on, over http/protobuf by default', () => {
  assert.deepEqual(readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }), {
    exporter: 'otlp',
    protocol: 'http/protobuf',
  });
  assert.equal(
    readTracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }).exporter,
    'otlp',
  );
});

test('OTEL_TRACES_EXPORTER=otlp turns tracing on; the traces protocol wins over the general one', () => {
  assert.deepEqual(
    readTracingSettings({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    }),
    { exporter: 'otlp', protocol: 'http/json' },
  );
});

test('OTEL_TRACES_EXPORTER=none and OTEL_SDK_DISABLED=true turn tracing off whatever else is set', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
  assert.equal(readTracingSettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).exporter, 'none');
  assert.equal(readTracingSettings({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).exporter, 'none');
});

test('an exporter or protocol Hookflow does not ship is a configuration error naming the variable', () => {
  assert.throws(
    () => readTracingSettings({ OTEL_TRACES_EXPORTER: 'zipkin' }),
    /OTEL_TRACES_EXPORTER/,
  );
  assert.throws(
    () =>
      readTracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    /OTEL_EXPORTER_OTLP_PROTOCOL: .*grpc/,
  );
});
