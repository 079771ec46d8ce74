/**
 * Outbound throttling per connection over real HTTP, on every backend: a connection with
 * `rate: {limit, per}` never lets more than `limit` requests reach a recording upstream in a
 * window, the jobs wait instead of failing (a connector action's requests too), and each step
 * records the time it waited; a 429 with `Retry-After: 2` to one job pauses every job's
 * requests through that connection for two seconds. On PostgreSQL the same holds with two
 * worker processes over one database.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, POSTGRES_SKIP, postgresEnv } from './helpers/backends.js';
import { spawnServe } from './helpers/child.js';
import type { Child } from './helpers/child.js';
import {
  metricSum,
  metricsOf,
  mostInWindow,
  recordingUpstream,
} from './helpers/recording-upstream.js';
import type { Upstream } from './helpers/recording-upstream.js';
import { startServer, until } from './helpers/server.js';
import type { JobDetail, TestServer } from './helpers/server.js';

const ENV = { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' };
const LIMIT = 3;
const PER_MS = 1_000;
/**
 * The limiter is exact at the grant; a request reaches the upstream some milliseconds later
 * — a process's very first requests, or any on a machine this loaded (2 cores, load 10+),
 * a few hundred later (`warmUp` sends the first ones before measuring). So the windows counted
 * here are this much shorter than `per`. The span check in `checkRateHolds` catches a limiter
 * that is merely too fast; an unlimited one sends the whole burst within a few milliseconds.
 */
const ARRIVAL_SLACK_MS = 300;

const connections = (upstream: string) => [
  `name: limited
type: none
base_url: ${upstream}/limited
rate: {limit: ${LIMIT}, per: 1s}
`,
  `name: pausable
type: none
base_url: ${upstream}/pausable
`,
];

const workflows = [
  `name: limited
trigger: {webhook: {path: limited}}
steps:
  - id: call
    http: {connection: limited, method: POST, url: "/{{ trigger.body.n }}"}
`,
  `name: pausable
trigger: {webhook: {path: pausable}}
steps:
  - id: call
    http:
      connection: pausable
      method: POST
      url: "/{{ trigger.body.name }}"
      retry: {attempts: 2, backoff: 100ms}
`,
];

/** A user connector whose action calls its connection twice. */
const CONNECTOR = `
import { defineAction, defineConnector, z } from 'hookflow';

export default defineConnector({
  name: 'relay',
  actions: {
    twice: defineAction({
      params: z.object({ n: z.number() }),
      async run({ params, http }) {
        await http.post('/act-' + params.n + '-a', {});
        const res = await http.post('/act-' + params.n + '-b', {});
        return { status: res.status };
      },
    }),
  },
});
`;

const ACTION_WORKFLOW = `name: relayed
trigger: {webhook: {path: relayed}}
steps:
  - id: relay
    relay.twice: {connection: limited, n: "{{ trigger.body.n }}"}
`;

async function send(url: string, path: string, body: unknown): Promise<string> {
  const res = await fetch(`${url}/hooks/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 202);
  return ((await res.json()) as { id: string }).id;
}

async function finished(srv: TestServer, ids: string[]): Promise<JobDetail[]> {
  return Promise.all(ids.map((id) => srv.finishedJob(id, 20_000)));
}

/** A few jobs through the unlimited connection, before anything is measured. */
async function warmUp(srv: TestServer, jobs: number): Promise<void> {
  const ids = await Promise.all(
    Array.from({ length: jobs }, (_, i) => send(srv.url, 'pausable', { name: `warm-${i}` })),
  );
  await finished(srv, ids);
}

/** Fires `count` jobs through the limited connection at once; checks the upstream's windows. */
async function checkRateHolds(
  ingress: TestServer,
  upstream: Upstream,
  count: number,
): Promise<JobDetail[]> {
  const ids = await Promise.all(
    Array.from({ length: count }, (_, n) => send(ingress.url, 'limited', { n })),
  );
  const jobs = await finished(ingress, ids);
  assert.deepEqual(
    jobs.map((j) => j.status),
    jobs.map(() => 'succeeded'),
  );
  const arrivals = (await upstream.calls())
    .filter((c) => c.path.startsWith('/limited/'))
    .map((c) => c.at);
  assert.equal(arrivals.length, count);
  const most = mostInWindow(arrivals, PER_MS - ARRIVAL_SLACK_MS);
  const t0 = Math.min(...arrivals);
  assert.ok(
    most <= LIMIT,
    `${most} requests reached the upstream within one window: ${arrivals
      .map((t) => t - t0)
      .sort((a, b) => a - b)
      .join(' ')}`,
  );
  // `count` requests at `LIMIT` per second cannot all arrive in less than this.
  const span = Math.max(...arrivals) - Math.min(...arrivals);
  const least = (Math.ceil(count / LIMIT) - 1) * PER_MS - ARRIVAL_SLACK_MS;
  assert.ok(span >= least, `the requests arrived within ${span} ms`);
  return jobs;
}

/**
 * One job's request is answered 429 with Retry-After: 2; once the connection is paused, more
 * jobs are sent: none of their requests (nor the first job's retry) reaches the upstream
 * before the two seconds are over, and all of them succeed.
 */
async function checkPauseHolds(
  ingress: TestServer,
  upstream: Upstream,
  metricsUrls: string[],
): Promise<JobDetail[]> {
  const first = await send(ingress.url, 'pausable', { name: 'first' });
  await until(
    async () =>
      metricSum(await metricsOf(metricsUrls), 'hookflow_connection_pauses_total', [
        'connection="pausable"',
        'status="429"',
      ]) === 1,
    10_000,
  );
  const refusedAt = (await upstream.calls()).find((c) => c.status === 429)!.at;
  const others = await Promise.all(
    ['a', 'b', 'c'].map((name) => send(ingress.url, 'pausable', { name })),
  );
  const jobs = await finished(ingress, [first, ...others]);
  assert.deepEqual(
    jobs.map((j) => j.status),
    ['succeeded', 'succeeded', 'succeeded', 'succeeded'],
  );
  const later = (await upstream.calls()).filter(
    (c) => c.path.startsWith('/pausable/') && c.at > refusedAt,
  );
  assert.equal(later.length, 4, 'the first job once more, and the three others');
  for (const c of later) {
    assert.ok(
      c.at - refusedAt >= 1_990,
      `${c.path} reached the upstream ${c.at - refusedAt} ms after the 429`,
    );
  }
  return jobs;
}

for (const backend of BACKENDS) {
  describe(`connection throttles on ${backend.name}`, { skip: backend.skip }, () => {
    let upstream: Upstream;
    let srv: TestServer;
    const connectorsDir = mkdtempSync(join(tmpdir(), 'hookflow-relay-'));
    before(async () => {
      upstream = await recordingUpstream();
      writeFileSync(join(connectorsDir, 'relay.ts'), CONNECTOR);
      srv = await startServer([...workflows, ACTION_WORKFLOW], {
        backend: backend.name,
        env: ENV,
        connections: connections(upstream.url),
        connectorsDir,
      });
      await warmUp(srv, 2);
    });
    after(async () => {
      await srv.close();
      await upstream.close();
      rmSync(connectorsDir, { recursive: true, force: true });
    });

    test('rate: the upstream never sees more than the limit in a window; the jobs wait, and their steps say how long', async () => {
      const jobs = await checkRateHolds(srv, upstream, 3 * LIMIT);
      const waits = jobs.map((j) => j.steps[0]!.waitedMs ?? 0);
      assert.ok(
        waits.filter((w) => w >= PER_MS - ARRIVAL_SLACK_MS).length >= LIMIT,
        `waits ${waits.join(', ')}`,
      );
      for (const j of jobs) assert.ok(j.steps[0]!.waitedMs! <= j.steps[0]!.durationMs);
      const waited = jobs.find((j) => (j.steps[0]!.waitedMs ?? 0) > 0)!;
      const api = (await (await fetch(`${srv.url}/api/jobs/${waited.id}`)).json()) as {
        steps: Array<{ waitedMs: number }>;
      };
      assert.equal(api.steps[0]!.waitedMs, waited.steps[0]!.waitedMs);
      const metrics = await metricsOf([srv.url]);
      assert.equal(
        metricSum(metrics, 'hookflow_connection_throttle_wait_seconds_count', [
          'connection="limited"',
        ]),
        3 * LIMIT,
      );
    });

    test("a connector action's requests through the connection wait for its slots too", async () => {
      const ids = await Promise.all([0, 1, 2].map((n) => send(srv.url, 'relayed', { n })));
      const jobs = await finished(srv, ids);
      assert.deepEqual(
        jobs.map((j) => j.status),
        ['succeeded', 'succeeded', 'succeeded'],
      );
      const arrivals = (await upstream.calls())
        .filter((c) => c.path.startsWith('/limited/act-'))
        .map((c) => c.at);
      assert.equal(arrivals.length, 6);
      assert.ok(mostInWindow(arrivals, PER_MS - ARRIVAL_SLACK_MS) <= LIMIT);
      const waited = jobs.map((j) => j.steps[0]!.waitedMs ?? 0);
      assert.ok(
        waited.some((w) => w >= PER_MS - ARRIVAL_SLACK_MS),
        `waits ${waited.join(', ')}`,
      );
    });

    test('a connection pushed through the API is checked for its rate, with the line of each problem', async () => {
      const put = (name: string, body: string) =>
        fetch(`${srv.url}/api/connections/${name}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/yaml' },
          body,
        });
      const bad = await put('crm', 'type: none\nrate:\n  limit: 0\n  per: soon\n');
      assert.equal(bad.status, 400);
      const { error } = (await bad.json()) as {
        error: { code: string; problems: Array<{ line: number; message: string }> };
      };
      assert.equal(error.code, 'invalid_connection');
      assert.deepEqual(
        error.problems.map((p) => [p.line, p.message.slice(0, 38)]),
        [
          [3, 'rate.limit must be a whole number ≥ 1 '],
          [4, 'rate.per must be a duration like 500ms'],
        ],
      );
      assert.equal((await put('crm', 'type: none\nrate: {limit: 5, per: 1m}\n')).status, 201);
      const shown = (await (await fetch(`${srv.url}/api/connections/crm`)).json()) as {
        settings: unknown;
      };
      assert.deepEqual(shown.settings, { type: 'none', rate: { limit: 5, per: '1m' } });
    });

    test('a 429 with Retry-After: 2 to one job pauses every job’s requests through that connection', async () => {
      const jobs = await checkPauseHolds(srv, upstream, [srv.url]);
      const step = jobs[0]!.steps[0]!;
      assert.equal(step.attempts, 2, 'the job that got the 429 tried again after the pause');
      assert.ok((step.waitedMs ?? 0) >= 1_900, `it waited ${step.waitedMs} ms`);
      const metrics = await metricsOf([srv.url]);
      assert.ok(
        metricSum(metrics, 'hookflow_connection_paused_seconds_total', ['connection="pausable"']) >=
          2,
      );
    });
  });
}

describe(
  'connection throttles across two worker processes on PostgreSQL',
  { skip: POSTGRES_SKIP },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookflow-throttle-'));
    let upstream: Upstream;
    let ingress: TestServer;
    const workers: Child[] = [];
    before(async () => {
      upstream = await recordingUpstream();
      ingress = await startServer(workflows, {
        backend: 'postgres',
        env: { ...ENV, HOOKFLOW_ROLE: 'ingress' },
        connections: connections(upstream.url),
      });
      const wfDir = join(dir, 'workflows');
      const connDir = join(dir, 'connections');
      mkdirSync(wfDir);
      mkdirSync(connDir);
      workflows.forEach((text, i) => writeFileSync(join(wfDir, `${i}.yaml`), text));
      connections(upstream.url).forEach((text, i) =>
        writeFileSync(join(connDir, `${i}.yaml`), text),
      );
      const env = { ...postgresEnv(ingress.schema!), ...ENV };
      workers.push(
        ...(await Promise.all(
          [0, 1].map((i) =>
            spawnServe(
              [
                ...['--role', 'worker', '--workflows', wfDir, '--connections', connDir],
                ...['--data', join(dir, `worker-${i}`), '--concurrency', '2'],
              ],
              env,
            ),
          ),
        )),
      );
      await warmUp(ingress, 8);
    });
    after(async () => {
      await Promise.all(workers.map((w) => w.kill('SIGTERM')));
      await ingress.close();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('two workers together never send more than the limit in a window', async () => {
      await checkRateHolds(ingress, upstream, 4 * LIMIT);
      // Each worker runs two jobs at most at once, so both took part.
      const sent = await Promise.all(
        workers.map(async (w) =>
          metricSum(await metricsOf([w.url]), 'hookflow_connection_throttle_wait_seconds_count', [
            'connection="limited"',
          ]),
        ),
      );
      assert.ok(sent[0]! > 0 && sent[1]! > 0, `requests per worker: ${sent.join(', ')}`);
      assert.equal(sent[0]! + sent[1]!, 4 * LIMIT);
    });

    test('a 429 to a job on one worker pauses the connection on the other', async () => {
      await checkPauseHolds(
        ingress,
        upstream,
        workers.map((w) => w.url),
      );
    });
  },
);
