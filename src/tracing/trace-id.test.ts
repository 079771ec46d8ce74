import assert from 'node:assert/strict';
import { test } from 'node:test';
import { traceIdOf, traceUrl } from './trace-id.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

test('a stored traceparent gives its trace id; none gives null', () => {
  assert.equal(traceIdOf({ traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` }), TRACE_ID);
  assert.equal(traceIdOf(null), null);
  assert.equal(traceIdOf({ traceparent: 'garbage' }), null);
});

test('the trace viewer link replaces {traceId} in the template', () => {
  assert.equal(
    traceUrl('http://jaeger:16686/trace/{traceId}', TRACE_ID),
    `http://jaeger:16686/trace/${TRACE_ID}`,
  );
  assert.equal(traceUrl(null, TRACE_ID), null);
  assert.equal(traceUrl('http://x/{traceId}', null), null);
});
