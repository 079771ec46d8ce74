/**
 * `--role ingress` and `--role worker` over one PostgreSQL schema, as two apps in this test
 * process: what the ingress accepts, a worker runs; the worker serves only /healthz and
 * /metrics; a stopping worker gives back what it could not finish.
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
import { POSTGRES_SKIP, postgresEnv } from './helpers/backends.js';
import { sleep, startServer, startUpstream, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const ORDERS = `
name: orders
trigger: {webhook: {path: orders}}
steps:
  - id: calc
    set: {total: "{{ trigger.body.qty * 2 }}"}
`;

const dirs: string[] = [];
async function startWorker(
  schema: string,
  workflows: string[] = [ORDERS],
  env: Record<string, string> = {},
): Promise<WorkerApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookflow-worker-'));
  dirs.push(dataDir);
  const config = loadConfig(
    { port: '0', host: '127.0.0.1', data: dataDir, role: 'worker' },
    { ...postgresEnv(schema), ...env },
  );
  const app = await createWorkerApp(config, {
    logger: pino({ level: 'silent' }),
    workflows: workflows.map((text, i) => parseWorkflow(text, `inline-${i}.yaml`)),
  });
  await app.listen();
  return app;
}

const post = (srv: TestServer, path: string, body: unknown = {}) =>
  fetch(`${srv.url}/hooks/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
async function accepted(srv: TestServer, path: string, body: unknown = {}): Promise<string> {
  const res = await post(srv, path, body);
  assert.equal(res.status, 202);
  return ((await res.json()) as { id: string }).id;
}

describe('ingress and worker roles on PostgreSQL', { skip: POSTGRES_SKIP }, () => {
  let ingress: TestServer;
  const workers: WorkerApp[] = [];
  before(async () => {
    ingress = await startServer([ORDERS], {
      backend: 'postgres',
      env: { HOOKFLOW_ROLE: 'ingress' },
    });
  });
  after(async () => {
    for (const w of workers) await w.close();
    await ingress?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('the ingress role runs no jobs: an accepted job waits for a worker, which then runs it', async () => {
    assert.equal(ingress.app.worker, null);
    const id = await accepted(ingress, 'orders', { qty: 2 });
    await sleep(300);
    assert.equal((await ingress.app.store.getJob(id))?.status, 'queued');

    workers.push(await startWorker(ingress.schema!));
    const job = await ingress.finishedJob(id);
    assert.equal(job.status, 'succeeded');
    assert.deepEqual(job.steps[0]?.output, { total: 4 });
  });

  test('a fire_and_forget webhook accepted by the ingress is run by the worker', async () => {
    const id = await accepted(ingress, 'orders', { qty: 5 });
    const job = await ingress.finishedJob(id);
    assert.equal(job.status, 'succeeded');
    assert.deepEqual(job.steps[0]?.output, { total: 10 });
  });

  test('a workflow pushed over the ingress API before a worker starts is run by that worker', async () => {
    const res = await fetch(`${ingress.url}/api/workflows/pushed`, {
      method: 'PUT',
      headers: { 'content-type': 'application/yaml' },
      body: 'name: pushed\ntrigger: {webhook: {path: pushed}}\nsteps:\n  - set: {ok: true}\n',
    });
    assert.ok(res.status < 300, `PUT answered ${res.status}`);
    workers.push(await startWorker(ingress.schema!));
    // Either worker may claim it; the one started after the push knows the workflow.
    for (const w of workers.slice(0, 1)) await w.close();
    workers.splice(0, 1);
    const id = await accepted(ingress, 'pushed');
    assert.equal((await ingress.finishedJob(id)).status, 'succeeded');
  });

  test('the worker serves /healthz and /metrics only', async () => {
    const url = workers[0]!.url;
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/metrics`)).status, 200);
    assert.equal((await fetch(`${url}/hooks/orders`, { method: 'POST' })).status, 404);
    assert.equal((await fetch(`${url}/api/workflows`)).status, 404);
  });

  test('an idle worker starts a committed job at once: woken by NOTIFY, not the poll', async (t) => {
    const delays: number[] = [];
    for (let i = 0; i < 40; i++) {
      const id = await accepted(ingress, 'orders', { qty: i });
      const job = await ingress.finishedJob(id);
      assert.equal(job.steps.length, 1, `job ${job.status}: ${job.error}`);
      // Its first step's start (the worker's clock) after its row's insert (the database's).
      delays.push(Date.parse(job.steps[0]!.startedAt) - Date.parse(job.createdAt));
      await sleep(20); // idle again
    }
    delays.sort((a, b) => a - b);
    const p50 = delays[Math.floor(delays.length / 2)]!;
    const p90 = delays[Math.floor(delays.length * 0.9)]!;
    t.diagnostic(`commit to claim on an idle worker: p50 ${p50} ms, p90 ${p90} ms`);
    // The target is 10 ms (docs/jobs.md); the bound here only catches a wake-up that waits
    // for the safety poll, on a machine shared with other work.
    assert.ok(p50 <= 50, `p50 ${p50} ms`);
  });
});

describe('a stopping worker on PostgreSQL', { skip: POSTGRES_SKIP }, () => {
  test('gives back a job still running after the shutdown grace; another worker finishes it', async () => {
    const upstream = await startUpstream((_req, _body, res) => {
      setTimeout(() => res.end('{"ok": true}'), 1_500);
    });
    const slow = `
name: slow
trigger: {webhook: {path: slow}}
steps:
  - id: call
    http: {url: "${upstream.url}/slow", response: json}
`;
    const env = { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' };
    const ingress = await startServer([slow], {
      backend: 'postgres',
      env: { HOOKFLOW_ROLE: 'ingress', ...env },
    });
    try {
      const first = await startWorker(ingress.schema!, [slow], {
        ...env,
        HOOKFLOW_SHUTDOWN_GRACE: '100ms',
      });
      const id = await accepted(ingress, 'slow');
      await until(async () => (await ingress.app.store.getJob(id))?.status === 'running');
      await first.close();
      assert.equal((await ingress.app.store.getJob(id))?.status, 'queued');

      const second = await startWorker(ingress.schema!, [slow], env);
      try {
        const job = await ingress.finishedJob(id, 10_000);
        assert.equal(job.status, 'succeeded');
        assert.equal(job.attempt, 2);
      } finally {
        await second.close();
      }
    } finally {
      await ingress.close();
      await upstream.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
