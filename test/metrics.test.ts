/**
 * `/metrics` (Prometheus, prom-client) over real HTTP, and the structured JSON logs: requests by
 * route and status, jobs by workflow and status, step durations, queue depth, store latency.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { parseWorkflow } from '../src/workflow/index.js';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const OK = `
name: counted
trigger:
  webhook: {path: counted}
steps:
  - id: a
    set: {x: 1}
`;
const FAILS = `
name: fails
trigger:
  webhook: {path: fails}
steps:
  - id: boom
    set: {x: "{{ $error('no') }}"}
`;

/** `name{labels} value` lines of a Prometheus text answer, as a map. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('/metrics', () => {
  let srv: TestServer;
  let metrics: Map<string, number>;
  let text: string;
  before(async () => {
    srv = await startServer([OK, FAILS]);
    for (const path of ['counted', 'counted', 'fails']) {
      const res = await fetch(`${srv.url}/hooks/${path}`, { method: 'POST' });
      await srv.finishedJob(((await res.json()) as any).id);
    }
    await fetch(`${srv.url}/hooks/unknown`, { method: 'POST' });
    await fetch(`${srv.url}/api/jobs?limit=1`);
    await fetch(`${srv.url}/no-such-page`);
    const res = await fetch(`${srv.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    text = await res.text();
    metrics = samples(text);
  });
  after(() => srv.close());

  test('counts requests by route pattern and status', () => {
    assert.equal(metrics.get('hookflow_http_requests_total{route="/hooks/*",status="202"}'), 3);
    assert.equal(metrics.get('hookflow_http_requests_total{route="/hooks/*",status="404"}'), 1);
    assert.equal(metrics.get('hookflow_http_requests_total{route="/api/jobs",status="200"}'), 1);
    assert.equal(
      metrics.get('hookflow_http_requests_total{route="(unmatched)",status="404"}'),
      1,
      'a path no route serves is one label, not one per path',
    );
  });

  test('counts finished jobs by workflow and status', () => {
    assert.equal(
      metrics.get('hookflow_jobs_finished_total{workflow="counted",status="succeeded"}'),
      2,
    );
    assert.equal(metrics.get('hookflow_jobs_finished_total{workflow="fails",status="failed"}'), 1);
  });

  test('times each step by type and status', () => {
    assert.equal(
      metrics.get('hookflow_step_duration_seconds_count{type="set",status="succeeded"}'),
      2,
    );
    assert.equal(
      metrics.get('hookflow_step_duration_seconds_count{type="set",status="failed"}'),
      1,
    );
  });

  test('reports the queue depth and the workflows loaded', () => {
    assert.equal(metrics.get('hookflow_queue_depth'), 0);
    assert.equal(metrics.get('hookflow_workflows{enabled="true"}'), 2);
    assert.equal(metrics.get('hookflow_workflows{enabled="false"}'), 0);
  });

  test('times store operations, sampling acceptEvent', () => {
    assert.ok(
      (metrics.get('hookflow_store_operation_duration_seconds_count{operation="getJob"}') ?? 0) >=
        3,
    );
    assert.equal(
      metrics.get('hookflow_store_operation_duration_seconds_count{operation="finishJob"}'),
      3,
    );
    assert.equal(
      metrics.get('hookflow_store_operation_duration_seconds_count{operation="acceptEvent"}'),
      1,
      '3 events, the first of every 16 timed',
    );
  });

  test('includes the process defaults', () => {
    assert.match(text, /^hookflow_process_cpu_user_seconds_total /m);
    assert.match(text, /^hookflow_nodejs_eventloop_lag_seconds /m);
  });

  test('a later read counts what happened since, never less', async () => {
    await fetch(`${srv.url}/hooks/counted`, { method: 'POST' });
    const next = samples(await (await fetch(`${srv.url}/metrics`)).text());
    assert.equal(next.get('hookflow_http_requests_total{route="/hooks/*",status="202"}'), 4);
    assert.equal(next.get('hookflow_http_requests_total{route="/metrics",status="200"}'), 1);
  });
});

describe('/metrics with an API token', () => {
  test('needs the bearer token', async () => {
    const srv = await startServer([OK], { env: { HOOKFLOW_API_TOKEN: 'metrics-token' } });
    try {
      const without = await fetch(`${srv.url}/metrics`);
      assert.equal(without.status, 401);
      assert.equal(((await without.json()) as any).error.code, 'unauthorized');
      const withToken = await fetch(`${srv.url}/metrics`, {
        headers: { authorization: 'Bearer metrics-token' },
      });
      assert.equal(withToken.status, 200);
      assert.match(await withToken.text(), /hookflow_queue_depth/);
    } finally {
      await srv.close();
    }
  });
});

describe('logs', () => {
  test('a failed job is logged as one JSON line with its job id and workflow', async () => {
    const lines: any[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
        done();
      },
    });
    const dataDir = mkdtempSync(join(tmpdir(), 'hookflow-logs-'));
    const app = await createApp(loadConfig({ port: '0', data: dataDir }, {}), {
      workflows: [parseWorkflow(FAILS, 'fails.yaml')],
      logger: pino({ level: 'info' }, sink),
    });
    try {
      const url = await app.listen();
      const res = await fetch(`${url}/hooks/fails`, { method: 'POST' });
      const { id } = (await res.json()) as { id: string };
      const deadline = Date.now() + 5000;
      while (!lines.some((l) => l.job === id) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const line = lines.find((l) => l.job === id);
      assert.ok(line, 'a line names the job');
      assert.equal(line.workflow, 'fails');
      assert.equal(line.msg, 'job failed');
      assert.match(line.error, /step 'boom' failed/);
      assert.equal(typeof line.time, 'number');
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
