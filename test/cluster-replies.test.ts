/**
 * Issue 17, "cluster-wide, once": the worker that runs a job may be another process than the
 * ingress that took its webhook. A request_response caller still gets the job's reply (also
 * one too large for a notification), 204 for a job without one; a connection's status a
 * worker found reaches the ingress's API. Runs only when HOOKFLOW_TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../src/config/index.js';
import { parseConnection } from '../src/connections/index.js';
import { parseWorkflow } from '../src/workflow/index.js';
import { createWorkerApp } from '../src/worker-app.js';
import type { WorkerApp } from '../src/worker-app.js';
import { POSTGRES_SKIP, postgresEnv } from './helpers/backends.js';
import { startServer, startUpstream, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const BIG = 'x'.repeat(20_000);

const WORKFLOWS = [
  `
name: quote
trigger: {webhook: {path: quote, delivery: request_response, timeout: 10s}}
steps:
  - id: answer
    reply: {status: 201, body: {total: "{{ trigger.body.qty * 2 }}"}}
`,
  `
name: big
trigger: {webhook: {path: big, delivery: request_response, timeout: 10s}}
steps:
  - id: answer
    reply: {status: 200, body: {text: "{{ env.BIG }}"}}
`,
  `
name: silent
trigger: {webhook: {path: silent, delivery: request_response, timeout: 10s}}
steps:
  - id: nothing
    set: {done: true}
`,
  `
name: m2m
trigger: {webhook: {path: m2m}}
steps:
  - id: call
    http: {connection: m2m, url: /me}
`,
];

describe('replies and statuses across processes', { skip: POSTGRES_SKIP }, () => {
  let ingress: TestServer;
  let worker: WorkerApp;
  let tokens: { url: string; close(): Promise<void> };
  const dataDir = mkdtempSync(join(tmpdir(), 'hookflow-worker-'));

  before(async () => {
    // A token endpoint that refuses the client: the worker's connection goes to `error`.
    tokens = await startUpstream((_req, _body, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"invalid_client"}');
    });
    const connection = `name: m2m
type: oauth2
grant: client_credentials
token_url: ${tokens.url}/token
client_id: c
client_secret: s
base_url: ${tokens.url}
allow_private: true
`;
    const env = { HOOKFLOW_ENV_ALLOW: 'BIG', HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' };
    process.env['BIG'] = BIG;
    ingress = await startServer(WORKFLOWS, {
      backend: 'postgres',
      env: { HOOKFLOW_ROLE: 'ingress', ...env },
      connections: [connection],
    });
    const config = loadConfig(
      { port: '0', host: '127.0.0.1', data: dataDir, role: 'worker' },
      { ...postgresEnv(ingress.schema!), ...env },
    );
    worker = await createWorkerApp(config, {
      logger: pino({ level: 'silent' }),
      workflows: WORKFLOWS.map((text, i) => parseWorkflow(text, `inline-${i}.yaml`)),
      connections: [parseConnection(connection, 'm2m.yaml')],
    });
    await worker.listen();
  });
  after(async () => {
    await worker?.close();
    await ingress?.close();
    await tokens?.close();
    rmSync(dataDir, { recursive: true, force: true });
    delete process.env['BIG'];
  });

  const post = (path: string, body: unknown = {}) =>
    fetch(`${ingress.url}/hooks/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test('a request_response caller gets the reply a worker in another process made', async () => {
    const res = await post('quote', { qty: 21 });
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { total: 42 });
  });

  test('a reply too large for a notification is read from the store', async () => {
    const res = await post('big');
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { text: string }).text, BIG);
  });

  test('a job that finishes without replying answers 204', async () => {
    const res = await post('silent');
    assert.equal(res.status, 204);
  });

  test('a connection status a worker found is shown by the ingress API', async () => {
    const status = async () =>
      ((await (await fetch(`${ingress.url}/api/connections/m2m`)).json()) as { state: string })
        .state;
    assert.equal(await status(), 'ready');
    assert.equal((await post('m2m')).status, 202);
    await until(async () => (await status()) === 'error', 5_000);
  });
});
