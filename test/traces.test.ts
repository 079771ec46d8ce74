/**
 * OpenTelemetry traces, end to end over real HTTP: a loopback OTLP/HTTP receiver (JSON
 * protocol) gets the spans of a webhook sent with a `traceparent`; the upstream the workflow
 * calls gets a `traceparent` of the same trace.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { POSTGRES_SKIP, dropSchema, postgresEnv, randomSchema } from './helpers/backends.js';
import { spawnServe } from './helpers/child.js';
import { startOtlpReceiver } from './helpers/otlp.js';
import type { OtlpReceiver, ReceivedSpan } from './helpers/otlp.js';
import { startServer, startUpstream, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const SERVER = 2;
const CLIENT = 3;
const API_KEY = 'sk_live_TRACE_SECRET_7f3a';
const QUERY_KEY = 'qk_TRACE_SECRET_91bc';
const BODY_MARKER = 'BODY_MARKER_5d1e';

const OTEL_ENV = (endpoint: string): Record<string, string> => ({
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  OTEL_BSP_SCHEDULE_DELAY: '50',
});

const WORKFLOW = (name: string) => `
name: ${name}
trigger: {webhook: {path: ${name}}}
steps:
  - id: prepare
    set: {n: "{{ trigger.body.n }}"}
  - id: call
    http: {connection: api, method: POST, url: /echo?page=2, body: {n: "{{ steps.prepare.n }}"}}
`;

function traceparent(): { traceId: string; parentId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, header: `00-${traceId}-${parentId}-01` };
}

function one(spans: ReceivedSpan[], match: (s: ReceivedSpan) => boolean, what: string) {
  const found = spans.filter(match);
  assert.equal(found.length, 1, `${what}: expected one span, got ${found.map((s) => s.name)}`);
  return found[0]!;
}

describe('traces', () => {
  let receiver: OtlpReceiver;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let srv: TestServer;
  const seen: Array<{ traceparent: string | undefined; url: string }> = [];
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    receiver = await startOtlpReceiver();
    // The SDK reads the standard variables from the environment, as it does in production;
    // the worker thread gets a copy of it.
    for (const [k, v] of Object.entries(OTEL_ENV(receiver.endpoint))) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    upstream = await startUpstream((req, _body, res) => {
      seen.push({ traceparent: req.headers.traceparent as string | undefined, url: req.url ?? '' });
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    srv = await startServer([WORKFLOW('traced')], {
      env: {
        HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1',
        HOOKFLOW_TRACE_URL: 'http://jaeger.test:16686/trace/{traceId}',
        API_KEY,
        QUERY_KEY,
      },
      connections: [
        `name: api\ntype: custom\nbase_url: ${upstream.url}/api\nheaders:\n  X-Api-Key: \${env:API_KEY}\nquery:\n  key: \${env:QUERY_KEY}\n`,
      ],
    });
  });
  after(async () => {
    await srv.close();
    await upstream.close();
    await receiver.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  async function send(tp: string): Promise<string> {
    const res = await fetch(`${srv.url}/hooks/traced`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: tp },
      body: JSON.stringify({ n: 42, card: BODY_MARKER }),
    });
    assert.equal(res.status, 202);
    const { id } = (await res.json()) as { id: string };
    await srv.finishedJob(id);
    return id;
  }

  async function spansOf(traceId: string, expected: number): Promise<ReceivedSpan[]> {
    const of = () => receiver.spans.filter((s) => s.traceId === traceId);
    await until(() => of().length >= expected, 10_000);
    return of();
  }

  /**
   * The one span of a trace that `match`es, once exported. Waiting for a count of spans instead
   * is only right for the whole trace: spans leave in the order they end, a job's last.
   */
  async function spanWhere(
    traceId: string,
    match: (s: ReceivedSpan) => boolean,
    what: string,
  ): Promise<ReceivedSpan> {
    const of = () => receiver.spans.filter((s) => s.traceId === traceId && match(s));
    await until(() => of().length > 0, 10_000);
    return one(of(), () => true, what);
  }
  const spanNamed = (traceId: string, name: string) =>
    spanWhere(traceId, (s) => s.name === name, name);

  test("the sender's traceparent is the parent of the request, whose job, steps and outbound request follow in one trace", async () => {
    const tp = traceparent();
    const jobId = await send(tp.header);
    // request, queued, job, two steps, one outbound request
    const spans = await spansOf(tp.traceId, 6);

    const request = one(spans, (s) => s.kind === SERVER, 'request');
    assert.equal(request.parentSpanId, tp.parentId);
    assert.equal(request.name, 'POST /hooks/traced');
    assert.equal(request.attributes['hookflow.job.id'], jobId);
    assert.equal(request.attributes['http.response.status_code'], 202);
    const job = one(spans, (s) => s.name === 'job traced', 'job');
    assert.equal(job.parentSpanId, request.spanId);
    assert.deepEqual(
      [job.attributes['hookflow.job.id'], job.attributes['hookflow.job.attempt']],
      [jobId, 1],
    );
    assert.equal(job.attributes['hookflow.job.status'], 'succeeded');
    const detail = (await (await fetch(`${srv.url}/api/jobs/${jobId}`)).json()) as {
      version: string;
    };
    assert.match(detail.version, /^[0-9a-f]{12}$/);
    assert.equal(job.attributes['hookflow.workflow.version'], detail.version);
    const queued = one(spans, (s) => s.name === 'queued traced', 'queued');
    assert.equal(queued.parentSpanId, request.spanId);
    assert.equal(typeof queued.attributes['hookflow.job.queued_ms'], 'number');
    const prepare = one(spans, (s) => s.name === 'step prepare', 'step prepare');
    const call = one(spans, (s) => s.name === 'step call', 'step call');
    assert.equal(prepare.parentSpanId, job.spanId);
    assert.equal(call.parentSpanId, job.spanId);
    assert.deepEqual(
      [call.attributes['hookflow.step.type'], call.attributes['hookflow.step.status']],
      ['http', 'succeeded'],
    );
    assert.equal(call.attributes['hookflow.connection'], 'api');
    const outbound = one(spans, (s) => s.kind === CLIENT, 'outbound request');
    assert.equal(outbound.parentSpanId, call.spanId);
    assert.equal(outbound.attributes['http.request.method'], 'POST');
    assert.equal(outbound.attributes['http.response.status_code'], 200);
    assert.equal(outbound.attributes['url.full'], `${upstream.url}/api/echo`);

    // The upstream was called as a child of the outbound request's span.
    assert.ok(seen.some((r) => r.traceparent === `00-${tp.traceId}-${outbound.spanId}-01`));
  });

  test("no span attribute holds a connection's secret or the body", async () => {
    const tp = traceparent();
    await send(tp.header);
    const spans = await spansOf(tp.traceId, 6);
    // The upstream did get them: they are in the request, not in the spans.
    assert.ok(seen.some((r) => r.url.includes(QUERY_KEY)));
    for (const span of spans) {
      const text = JSON.stringify(span.attributes);
      for (const secret of [API_KEY, QUERY_KEY, BODY_MARKER, '"n":42']) {
        assert.ok(!text.includes(secret), `span ${span.name} holds ${secret}: ${text}`);
      }
    }
  });

  test("a rerun starts a trace of its own whose first span links to the original's trace", async () => {
    const tp = traceparent();
    const original = await send(tp.header);
    const request = one(await spansOf(tp.traceId, 6), (s) => s.kind === SERVER, 'request');

    const res = await fetch(`${srv.url}/api/jobs/${original}/rerun`, { method: 'POST' });
    const { id } = (await res.json()) as { id: string };
    await srv.finishedJob(id);
    await until(() => receiver.spans.some((s) => s.attributes['hookflow.job.id'] === id), 10_000);
    const rerun = one(
      receiver.spans,
      (s) => s.name === 'rerun traced' && s.attributes['hookflow.job.id'] === id,
      'rerun',
    );
    assert.notEqual(rerun.traceId, tp.traceId);
    assert.equal(rerun.parentSpanId, '');
    assert.deepEqual(rerun.links, [{ traceId: tp.traceId, spanId: request.spanId }]);
    assert.equal(rerun.attributes['hookflow.job.rerun_of'], original);
    const job = await spanNamed(rerun.traceId, 'job traced');
    assert.equal(job.parentSpanId, rerun.spanId);
  });

  test('the job detail gives the trace id, and the trace viewer link HOOKFLOW_TRACE_URL makes', async () => {
    const tp = traceparent();
    const id = await send(tp.header);
    const job = (await (await fetch(`${srv.url}/api/jobs/${id}`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(job.traceId, tp.traceId);
    assert.equal(job.traceUrl, `http://jaeger.test:16686/trace/${tp.traceId}`);
    assert.equal(job.trace, undefined);
  });

  test('a job resumed by another process after a crash continues the trace stored with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookflow-traces-'));
    const workflows = join(dir, 'workflows');
    mkdirSync(workflows);
    let calls = 0;
    const calledOnce = new Set<string | undefined>();
    // The first call never answers: the first process dies in the middle of the job.
    const slow = await startUpstream((req, _body, res) => {
      calls++;
      calledOnce.add(req.headers.traceparent as string | undefined);
      if (calls > 1) res.end('{"ok":true}');
    });
    writeFileSync(
      join(workflows, 'resumed.yaml'),
      `name: resumed\ntrigger: {webhook: {path: resumed}}\nsteps:\n  - id: call\n    http: {url: "${slow.url}/x", response: json}\n`,
    );
    const args = ['--data', join(dir, 'data'), '--workflows', workflows];
    const env = { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1', ...OTEL_ENV(receiver.endpoint) };
    const tp = traceparent();
    try {
      const first = await spawnServe(args, env);
      const res = await fetch(`${first.url}/hooks/resumed`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: tp.header },
        body: '{}',
      });
      const { id } = (await res.json()) as { id: string };
      await until(() => calls === 1, 10_000);
      // The request's span, not the first one exported: the `queued` span may leave before it.
      const request = await spanWhere(tp.traceId, (s) => s.kind === SERVER, 'request');
      await first.kill('SIGKILL');

      const second = await spawnServe(args, env);
      try {
        await until(async () => {
          const job = (await (await fetch(`${second.url}/api/jobs/${id}`)).json()) as {
            status: string;
          };
          return job.status === 'succeeded';
        }, 15_000);
        // The resumed job's span ends (and is exported) after its step's and its outbound
        // call's; the first process's `queued` span may or may not have left before the kill.
        const job = await spanNamed(tp.traceId, 'job resumed');
        assert.equal(job.attributes['hookflow.job.attempt'], 2);
        assert.equal(job.parentSpanId, request.spanId);
        assert.ok([...calledOnce].every((h) => h?.startsWith(`00-${tp.traceId}-`)));
      } finally {
        await second.kill('SIGTERM');
      }
    } finally {
      await slow.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe(
  'traces across an ingress process and a worker process on PostgreSQL',
  { skip: POSTGRES_SKIP },
  () => {
    test("the worker process's job and outbound spans are children of the ingress process's request span", async () => {
      const receiver = await startOtlpReceiver();
      const seen: Array<string | undefined> = [];
      const upstream = await startUpstream((req, _body, res) => {
        seen.push(req.headers.traceparent as string | undefined);
        res.end('{"ok":true}');
      });
      const dir = mkdtempSync(join(tmpdir(), 'hookflow-traces-pg-'));
      const workflows = join(dir, 'workflows');
      mkdirSync(workflows);
      writeFileSync(
        join(workflows, 'split.yaml'),
        `name: split\ntrigger: {webhook: {path: split}}\nsteps:\n  - id: call\n    http: {url: "${upstream.url}/x", response: json}\n`,
      );
      const schema = randomSchema();
      const env = {
        HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1',
        ...postgresEnv(schema),
        ...OTEL_ENV(receiver.endpoint),
      };
      const tp = traceparent();
      const children: Array<Awaited<ReturnType<typeof spawnServe>>> = [];
      try {
        const ingress = await spawnServe(
          ['--role', 'ingress', '--workflows', workflows, '--data', join(dir, 'a')],
          env,
        );
        children.push(ingress);
        children.push(
          await spawnServe(
            ['--role', 'worker', '--workflows', workflows, '--data', join(dir, 'b')],
            env,
          ),
        );
        const res = await fetch(`${ingress.url}/hooks/split`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', traceparent: tp.header },
          body: '{}',
        });
        assert.equal(res.status, 202);
        // request, queued, job, step, outbound request
        await until(
          () => receiver.spans.filter((s) => s.traceId === tp.traceId).length >= 5,
          20_000,
        );
        const spans = receiver.spans.filter((s) => s.traceId === tp.traceId);

        const request = one(spans, (s) => s.kind === SERVER, 'request');
        assert.equal(request.parentSpanId, tp.parentId);
        assert.equal(request.resource['hookflow.role'], 'ingress');
        const job = one(spans, (s) => s.name === 'job split', 'job');
        assert.equal(job.parentSpanId, request.spanId);
        assert.equal(job.resource['hookflow.role'], 'worker');
        const step = one(spans, (s) => s.name === 'step call', 'step');
        const outbound = one(spans, (s) => s.kind === CLIENT, 'outbound');
        assert.equal(outbound.parentSpanId, step.spanId);
        assert.deepEqual(seen, [`00-${tp.traceId}-${outbound.spanId}-01`]);
      } finally {
        for (const c of children) await c.kill('SIGTERM');
        await upstream.close();
        await receiver.close();
        await dropSchema(schema);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
