/**
 * A workflow's `concurrency` over real HTTP, on every backend: with `limit: 1` per key, the
 * jobs of one key never overlap at a recording upstream and run in arrival order, while two
 * keys run side by side; on PostgreSQL the same holds with two worker processes claiming.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../src/config/index.js';
import { parseWorkflow } from '../src/workflow/index.js';
import { createWorkerApp } from '../src/worker-app.js';
import type { WorkerApp } from '../src/worker-app.js';
import { BACKENDS, POSTGRES_SKIP, postgresEnv } from './helpers/backends.js';
import { startServer, startUpstream } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const ENV = { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' };

interface Call {
  customer: string;
  n: number;
  start: number;
  end: number;
}

/** An upstream that takes `delayMs` per request and records when each began and ended. */
async function recordingUpstream(delayMs: number) {
  const calls: Call[] = [];
  const upstream = await startUpstream((_req, body, res) => {
    const { customer, n } = JSON.parse(body.toString()) as { customer: string; n: number };
    const start = Date.now();
    setTimeout(() => {
      calls.push({ customer, n: Number(n), start, end: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }, delayMs);
  });
  return { ...upstream, calls };
}

const workflow = (upstream: string) => `
name: serial
concurrency: {limit: 1, key: "{{ trigger.body.customer }}"}
trigger: {webhook: {path: serial}}
steps:
  - id: call
    http:
      method: POST
      url: "${upstream}/work"
      body: {customer: "{{ trigger.body.customer }}", n: "{{ trigger.body.n }}"}
`;

async function send(srv: TestServer, customer: string, n: number): Promise<string> {
  const res = await fetch(`${srv.url}/hooks/serial`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer, n }),
  });
  assert.equal(res.status, 202);
  return ((await res.json()) as { id: string }).id;
}

/** Sends `perKey` events for each customer, interleaved, one after the other. */
async function burst(srv: TestServer, customers: string[], perKey: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 1; n <= perKey; n++) for (const c of customers) ids.push(await send(srv, c, n));
  return ids;
}

function assertSerialInOrder(calls: Call[], customer: string, count: number): void {
  const mine = calls.filter((c) => c.customer === customer).sort((a, b) => a.start - b.start);
  assert.equal(mine.length, count);
  assert.deepEqual(
    mine.map((c) => c.n),
    Array.from({ length: count }, (_, i) => i + 1),
    `${customer}'s jobs ran in arrival order`,
  );
  for (let i = 1; i < mine.length; i++) {
    assert.ok(
      mine[i]!.start >= mine[i - 1]!.end,
      `${customer} #${mine[i]!.n} started before #${mine[i - 1]!.n} ended`,
    );
  }
}

/** Two keys ran side by side: some call of one overlapped some call of the other. */
function assertKeysOverlap(calls: Call[], a: string, b: string): void {
  const as = calls.filter((c) => c.customer === a);
  const bs = calls.filter((c) => c.customer === b);
  const overlap = as.some((x) => bs.some((y) => x.start < y.end && y.start < x.end));
  assert.ok(overlap, `${a} and ${b} never ran at the same time`);
}

for (const backend of BACKENDS) {
  describe(`concurrency on ${backend.name}`, { skip: backend.skip }, () => {
    let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
    let srv: TestServer;
    before(async () => {
      upstream = await recordingUpstream(120);
      srv = await startServer([workflow(upstream.url)], { backend: backend.name, env: ENV });
    });
    after(async () => {
      await srv.close();
      await upstream.close();
    });

    test('limit 1 per key: a key’s jobs never overlap and keep arrival order; two keys run side by side', async () => {
      const ids = await burst(srv, ['alice', 'bob'], 4);
      for (const id of ids) assert.equal((await srv.finishedJob(id, 20_000)).status, 'succeeded');
      assertSerialInOrder(upstream.calls, 'alice', 4);
      assertSerialInOrder(upstream.calls, 'bob', 4);
      assertKeysOverlap(upstream.calls, 'alice', 'bob');
    });
  });
}

describe('concurrency across two workers on PostgreSQL', { skip: POSTGRES_SKIP }, () => {
  let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
  let ingress: TestServer;
  const workers: WorkerApp[] = [];
  const dirs: string[] = [];
  before(async () => {
    upstream = await recordingUpstream(120);
    const yaml = workflow(upstream.url);
    ingress = await startServer([yaml], {
      backend: 'postgres',
      env: { ...ENV, HOOKFLOW_ROLE: 'ingress' },
    });
    for (let i = 0; i < 2; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'hookflow-worker-'));
      dirs.push(dataDir);
      const config = loadConfig(
        { port: '0', host: '127.0.0.1', data: dataDir, role: 'worker' },
        { ...postgresEnv(ingress.schema as string), ...ENV },
      );
      const app = await createWorkerApp(config, {
        logger: pino({ level: 'silent' }),
        workflows: [parseWorkflow(yaml, 'inline-0.yaml')],
      });
      await app.listen();
      workers.push(app);
    }
  });
  after(async () => {
    for (const w of workers) await w.close();
    await ingress.close();
    await upstream.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('two workers never run two jobs of one key at once, and keep its order', async () => {
    const ids = await burst(ingress, ['carol', 'dave', 'erin'], 4);
    for (const id of ids) assert.equal((await ingress.finishedJob(id, 20_000)).status, 'succeeded');
    for (const c of ['carol', 'dave', 'erin']) assertSerialInOrder(upstream.calls, c, 4);
    assertKeysOverlap(upstream.calls, 'carol', 'dave');
  });
});
