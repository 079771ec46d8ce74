/**
 * Flow control over real HTTP, on every backend: `debounce` turns a burst of events of one key
 * into one job carrying the last event and the count, a pending debounced job survives a
 * restart and a kill -9, a queued job says why it waits, and /metrics counts jobs held back by their
 * concurrency key and events refused by `rate_limit`; poll jobs get their concurrency key.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, dropSchema, postgresEnv, randomSchema } from './helpers/backends.js';
import { spawnServe } from './helpers/child.js';
import { sleep, startServer, startUpstream, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const ENV = { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' };

interface Received {
  n: number;
  count: number;
  start: number;
  end: number;
  group: string;
}

/** An upstream that records each call's body, taking `delayMs` to answer. */
async function recordingUpstream(delayMs = 0) {
  const calls: Received[] = [];
  const upstream = await startUpstream((_req, body, res) => {
    const start = Date.now();
    setTimeout(() => {
      calls.push({
        ...(JSON.parse(body.toString()) as Omit<Received, 'start' | 'end'>),
        start,
        end: Date.now(),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }, delayMs);
  });
  return { ...upstream, calls };
}

const debounced = (upstream: string, wait: string) => `
name: digest
debounce: {key: "{{ trigger.body.user }}", wait: ${wait}}
trigger: {webhook: {path: digest}}
steps:
  - id: call
    http:
      method: POST
      url: "${upstream}/digest"
      body: {n: "{{ trigger.body.n }}", count: "{{ trigger.debounce.count }}", group: "{{ trigger.body.user }}"}
`;

const serial = (upstream: string) => `
name: serial
concurrency: {limit: 1, key: "{{ trigger.body.user }}"}
trigger: {webhook: {path: serial}}
steps:
  - id: call
    http: {method: POST, url: "${upstream}/serial", body: {n: 0, count: 0, group: x}}
`;

const limited = `
name: limited
trigger: {webhook: {path: limited, rate_limit: {limit: 1, per: 1h}}}
steps: []
`;

async function post(srv: TestServer, path: string, body: unknown): Promise<Response> {
  return fetch(`${srv.url}/hooks/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function api<T>(srv: TestServer, path: string): Promise<T> {
  const res = await fetch(`${srv.url}/api${path}`);
  assert.equal(res.status, 200);
  return (await res.json()) as T;
}

interface ApiJob {
  id: string;
  status: string;
  waiting: { reason: string; until?: string; count?: number; key?: string; limit?: number } | null;
  trigger: { body: { n: number }; debounce?: { count: number; firstAt: string; lastAt: string } };
}

for (const backend of BACKENDS) {
  describe(`debounce on ${backend.name}`, { skip: backend.skip }, () => {
    let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
    before(async () => {
      upstream = await recordingUpstream();
    });
    after(async () => upstream.close());

    test('20 events of one key in one second become one job with the last body and count 20', async () => {
      const srv = await startServer([debounced(upstream.url, '1500ms')], {
        backend: backend.name,
        env: ENV,
      });
      try {
        const ids = new Set<string>();
        for (let n = 1; n <= 20; n++) {
          const res = await post(srv, 'digest', { user: 'u1', n });
          assert.equal(res.status, 202);
          ids.add(((await res.json()) as { id: string }).id);
          await sleep(40);
        }
        // Another key gathers apart.
        const other = (await (await post(srv, 'digest', { user: 'u2', n: 1 })).json()) as {
          id: string;
        };
        assert.equal(ids.size, 1, 'every event of the burst is answered with the one job id');
        const [id] = [...ids] as [string];
        assert.notEqual(other.id, id);

        const waiting = await api<ApiJob>(srv, `/jobs/${id}`);
        assert.equal(waiting.status, 'queued');
        assert.equal(waiting.waiting?.reason, 'debounce');
        assert.equal(waiting.waiting?.count, 20);
        const listed = await api<{ jobs: ApiJob[] }>(srv, '/jobs?workflow=digest');
        assert.equal(listed.jobs.length, 2);
        assert.equal(listed.jobs.find((j) => j.id === id)?.waiting?.reason, 'debounce');

        const job = await srv.finishedJob(id, 10_000);
        assert.equal(job.status, 'succeeded');
        const trigger = job.trigger as unknown as ApiJob['trigger'];
        assert.deepEqual(trigger.body, { user: 'u1', n: 20 });
        assert.equal(trigger.debounce?.count, 20);
        await srv.finishedJob(other.id, 10_000);
        const mine = upstream.calls.filter((c) => c.group === 'u1');
        assert.deepEqual(
          mine.map((c) => [Number(c.n), Number(c.count)]),
          [[20, 20]],
        );
        assert.equal((await srv.jobsOf('digest')).length, 2);
      } finally {
        await srv.close();
      }
    });

    test('a debounced job not yet started survives a restart and runs after it', async () => {
      const first = await startServer([debounced(upstream.url, '2s')], {
        backend: backend.name,
        env: ENV,
      });
      let id = '';
      for (let n = 1; n <= 3; n++) {
        const res = await post(first, 'digest', { user: 'restart', n });
        assert.equal(res.status, 202);
        id = ((await res.json()) as { id: string }).id;
      }
      await first.close({ keepData: true });
      const second = await startServer([debounced(upstream.url, '2s')], {
        backend: backend.name,
        env: ENV,
        dataDir: first.dataDir,
        ...(first.schema ? { schema: first.schema } : {}),
      });
      try {
        const job = await second.finishedJob(id, 10_000);
        assert.equal(job.status, 'succeeded');
        assert.equal((job.trigger as unknown as ApiJob['trigger']).debounce?.count, 3);
        const calls = upstream.calls.filter((c) => c.group === 'restart');
        assert.deepEqual(
          calls.map((c) => Number(c.n)),
          [3],
        );
      } finally {
        await second.close();
      }
    });
  });

  describe(`debounce and kill -9 on ${backend.name}`, { skip: backend.skip }, () => {
    test('events answered 202 before a kill -9 are all in the debounced job after the restart', async () => {
      const upstream = await recordingUpstream();
      const dir = mkdtempSync(join(tmpdir(), 'hookflow-debounce-crash-'));
      const workflows = join(dir, 'workflows');
      mkdirSync(workflows);
      writeFileSync(join(workflows, 'digest.yaml'), debounced(upstream.url, '1s'));
      const args = ['--data', join(dir, 'data'), '--workflows', workflows];
      const schema = randomSchema();
      const env = backend.name === 'postgres' ? { ...ENV, ...postgresEnv(schema) } : ENV;
      try {
        const first = await spawnServe(args, env);
        let id = '';
        for (let n = 1; n <= 5; n++) {
          const res = await fetch(`${first.url}/hooks/digest`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ user: 'crash', n }),
          });
          assert.equal(res.status, 202);
          id = ((await res.json()) as { id: string }).id;
        }
        await first.kill('SIGKILL');
        const second = await spawnServe(args, env);
        try {
          await until(() => upstream.calls.some((c) => c.group === 'crash'), 15_000);
          const job = (await (await fetch(`${second.url}/api/jobs/${id}`)).json()) as ApiJob;
          const calls = upstream.calls.filter((c) => c.group === 'crash');
          assert.deepEqual(
            calls.map((c) => [Number(c.n), Number(c.count)]),
            [[5, 5]],
          );
          assert.equal(job.trigger.debounce?.count, 5);
        } finally {
          await second.kill('SIGTERM');
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await upstream.close();
        if (backend.name === 'postgres') await dropSchema(schema);
      }
    });
  });

  describe(
    `waiting jobs and flow-control metrics on ${backend.name}`,
    { skip: backend.skip },
    () => {
      test('jobs held by their concurrency key say so, and /metrics counts them and rate-limit refusals', async () => {
        const slow = await recordingUpstream(1_500);
        const srv = await startServer([serial(slow.url), limited], {
          backend: backend.name,
          env: ENV,
        });
        try {
          const ids: string[] = [];
          for (let i = 0; i < 3; i++) {
            const res = await post(srv, 'serial', { user: 'cus_1' });
            ids.push(((await res.json()) as { id: string }).id);
          }
          await until(async () => (await api<ApiJob>(srv, `/jobs/${ids[0]}`)).status === 'running');
          const held = await api<ApiJob>(srv, `/jobs/${ids[2]}`);
          assert.deepEqual(held.waiting, { reason: 'concurrency', key: 'cus_1', limit: 1 });

          assert.equal((await post(srv, 'limited', {})).status, 202);
          assert.equal((await post(srv, 'limited', {})).status, 429);
          const metrics = await (await fetch(`${srv.url}/metrics`)).text();
          assert.match(metrics, /^hookflow_jobs_waiting_concurrency\{workflow="serial"\} 2$/m);
          assert.match(metrics, /^hookflow_rate_limited_total\{workflow="limited"\} 1$/m);
          for (const id of ids) await srv.finishedJob(id, 15_000);
          const after = await (await fetch(`${srv.url}/metrics`)).text();
          assert.doesNotMatch(
            after,
            /^hookflow_jobs_waiting_concurrency\{workflow="serial"\} [1-9]/m,
          );
        } finally {
          await srv.close();
          await slow.close();
        }
      });
    },
  );

  describe(`concurrency keys of poll jobs on ${backend.name}`, { skip: backend.skip }, () => {
    test("a poll's jobs of one key never overlap, while another key's run beside them", async () => {
      const slow = await recordingUpstream(400);
      const items = [
        { id: 1, group: 'a', updated_at: '2025-03-01T00:00:00Z' },
        { id: 2, group: 'a', updated_at: '2025-03-01T00:00:00Z' },
        { id: 3, group: 'b', updated_at: '2025-03-01T00:00:00Z' },
      ];
      const feed = await startUpstream((_req, _body, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items }));
      });
      const workflow = `
name: feed
concurrency: {limit: 1, key: "{{ trigger.body.group }}"}
trigger:
  poll:
    every: 1h
    request: {url: "${feed.url}/items"}
    items: "{{ body.items }}"
    id: "{{ id }}"
    updated: "{{ updated_at }}"
    since: 2025-01-01T00:00:00Z
steps:
  - id: call
    http: {method: POST, url: "${slow.url}/work", body: {n: "{{ trigger.body.id }}", count: 1, group: "{{ trigger.body.group }}"}}
`;
      const srv = await startServer([workflow], { backend: backend.name, env: ENV });
      try {
        await srv.app.triggers.runNow('feed');
        await until(() => slow.calls.length === 3, 15_000);
        const a = slow.calls.filter((c) => c.group === 'a').sort((x, y) => x.start - y.start);
        const b = slow.calls.find((c) => c.group === 'b');
        assert.equal(a.length, 2);
        assert.ok(a[1]!.start >= a[0]!.end, "key a's jobs ran one after the other");
        assert.ok(b && b.start < a[0]!.end, "key b's job ran beside key a's first");
      } finally {
        await srv.close();
        await slow.close();
        await feed.close();
      }
    });
  });
}
