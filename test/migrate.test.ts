/**
 * `hookflow migrate`: a SQLite installation built over HTTP (a workflow pushed with a
 * generated webhook URL, a connection with a sealed secret, jobs, a dedupe key, a disabled
 * workflow) moves to PostgreSQL and keeps working there. Runs only when
 * HOOKFLOW_TEST_DATABASE_URL is set; each test file run uses a schema of its own, dropped after.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../src/cli/index.js';
import type { CliIo } from '../src/cli/output.js';
import { createSecretBox } from '../src/connections/index.js';
import { createStore } from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import { dropSchema, POSTGRES_SKIP, randomSchema, TEST_DATABASE_URL } from './helpers/backends.js';
import { startServer, startUpstream } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const KEY = 'migrate-key-0123456789-0123456789-abcdef';
const PASSWORD = 'pw-7c1e0d-never-in-clear';

/** `hookflow migrate ARGS --to URL --schema SCHEMA`: every run targets the test's schema. */
async function migrate(
  target: { url: string; schema: string },
  args: string[],
  env: Record<string, string> = {},
) {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => (out += `${t}\n`),
    err: (t) => (err += `${t}\n`),
    env: { HOOKFLOW_SECRET_KEY: KEY, ...env },
  };
  const code = await main(['migrate', ...args, '--to', target.url, '--schema', target.schema], io);
  return { code, out, err };
}

void describe('hookflow migrate: SQLite to PostgreSQL', { skip: POSTGRES_SKIP }, () => {
  const schema = randomSchema();
  const targetUrl = TEST_DATABASE_URL ?? '';
  const target = { url: targetUrl, schema };
  const dataDir = mkdtempSync(join(tmpdir(), 'hookflow-migrate-'));
  const calls: { auth: string | undefined; body: string }[] = [];
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let hookUrl = '';
  const accepted: string[] = [];

  before(async () => {
    upstream = await startUpstream((req, body, res) => {
      calls.push({ auth: req.headers.authorization, body: body.toString() });
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    // The installation, built as a user would: over the API of a SQLite server.
    const srv = await startServer([], {
      dataDir,
      env: { HOOKFLOW_SECRET_KEY: KEY, HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' },
    });
    try {
      await put(srv, 'connections/upstream', connectionYaml(upstream.url));
      await put(srv, 'workflows/relay', RELAY);
      await put(srv, 'workflows/paused', PAUSED);
      assert.equal((await fetch(`${srv.url}/api/workflows/paused/disable`, post())).status, 200);
      const wf = (await (await fetch(`${srv.url}/api/workflows/relay`)).json()) as {
        trigger: { url: string };
      };
      hookUrl = new URL(wf.trigger.url).pathname;
      assert.match(hookUrl, /^\/hooks\/[A-Za-z0-9_-]{36}\/relay$/);
      for (const n of [1, 2, 3]) {
        const res = await fetch(`${srv.url}${hookUrl}`, deliver(`d-${n}`, { n }));
        assert.equal(res.status, 202);
        accepted.push(((await res.json()) as { id: string }).id);
      }
      for (const id of accepted) assert.equal((await srv.finishedJob(id)).status, 'succeeded');
      assert.ok(calls.every((c) => c.auth === basicAuth()));
    } finally {
      await srv.close({ keepData: true });
    }
  });

  after(async () => {
    await upstream?.close();
    await dropSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('it copies the installation with its history and tells to keep the secret key', async () => {
    const run = await migrate(target, ['--from', dataDir, '--history']);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /2 workflows pushed over the API, 1 enable\/disable overrides/);
    assert.match(run.out, /1 connections/);
    assert.match(run.out, /3 jobs/);
    assert.match(run.out, /same key/);
  });

  test('on PostgreSQL: the workflows, the override, the webhook token and the history are there', async () => {
    await withTarget(async (store) => {
      assert.deepEqual(
        (await store.listStoredWorkflows()).map((w) => w.name),
        ['paused', 'relay'],
      );
      assert.deepEqual(
        (await store.listWorkflowOverrides()).map((o) => [o.name, o.enabled]),
        [['paused', false]],
      );
      const token = hookUrl.split('/')[2];
      assert.ok((await store.listMeta()).some((m) => m.value === token));
      for (const id of accepted) {
        const job = await store.getJob(id);
        assert.equal(job?.status, 'succeeded');
        assert.equal(job?.steps[0]?.status, 'succeeded');
      }
    });
  });

  test('on PostgreSQL: the connection’s secret opens with the same HOOKFLOW_SECRET_KEY', async () => {
    await withTarget(async (store) => {
      const [stored] = await store.listConnections();
      assert.equal(stored?.name, 'upstream');
      assert.equal(stored?.sealed, true);
      assert.ok(!stored?.document.includes(PASSWORD));
      assert.match(createSecretBox(KEY).open(stored!.document, 'connection:upstream'), /pw-7c1e0d/);
    });
  });

  test('on PostgreSQL: the dedupe keys still in their window are there, naming their jobs', async () => {
    await withTarget(async (store) => {
      const [key] = (await store.exportDedupeKeys(Date.now(), { after: null, limit: 10 })).items;
      assert.equal(key?.key, 'd-1');
      assert.equal(key?.jobId, accepted[0]);
    });
  });

  test('a server on PostgreSQL answers the same webhook URL and calls with the connection’s secret', async () => {
    await withServer(async (srv) => {
      calls.length = 0;
      const res = await fetch(`${srv.url}${hookUrl}`, deliver('d-new', { n: 4 }));
      assert.equal(res.status, 202);
      const { id } = (await res.json()) as { id: string };
      assert.equal((await srv.finishedJob(id)).status, 'succeeded');
      assert.deepEqual(calls, [{ auth: basicAuth(), body: '{"n":4}' }]);
    });
  });

  test('a server on PostgreSQL answers a delivery seen on SQLite as a duplicate, with no job', async () => {
    await withServer(async (srv) => {
      const res = await fetch(`${srv.url}${hookUrl}`, deliver('d-1', { n: 1 }));
      assert.equal(res.status, 202);
      assert.equal(((await res.json()) as { id: string }).id, accepted[0]);
      assert.equal((await srv.jobsOf('relay')).length, 4);
    });
  });

  test('a server on PostgreSQL keeps the workflow disabled over the API disabled', async () => {
    await withServer(async (srv) => {
      assert.equal((await fetch(`${srv.url}/hooks/paused`, post())).status, 404);
    });
  });

  test('a second run into the same database is refused without --force', async () => {
    const run = await migrate(target, ['--from', dataDir]);
    assert.equal(run.code, 1);
    assert.match(run.err, /already holds Hookflow data.*--force/);
  });

  test('with --force a second run changes nothing: each job is there once', async () => {
    const run = await migrate(target, ['--from', dataDir, '--history', '--force']);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /0 jobs/);
    await withTarget(async (store) => {
      assert.equal((await store.listJobs({ limit: 100 })).jobs.length, 4);
    });
  });

  test('another HOOKFLOW_SECRET_KEY than the secrets were sealed with is refused before copying', async () => {
    const run = await migrate(target, ['--from', dataDir, '--force'], {
      HOOKFLOW_SECRET_KEY: 'another-key-0123456789-0123456789-abcdef',
    });
    assert.equal(run.code, 1);
    assert.match(run.err, /HOOKFLOW_SECRET_KEY/);
  });

  test('a --from without a database is refused with where to look', async () => {
    const run = await migrate(target, ['--from', join(dataDir, 'nope')]);
    assert.equal(run.code, 1);
    assert.match(run.err, /no SQLite database at .*nope/);
  });

  async function withServer(check: (srv: TestServer) => Promise<void>): Promise<void> {
    const srv = await startServer([], {
      env: {
        HOOKFLOW_DATABASE_URL: targetUrl,
        HOOKFLOW_DATABASE_SCHEMA: schema,
        HOOKFLOW_SECRET_KEY: KEY,
        HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1',
      },
    });
    try {
      await check(srv);
    } finally {
      await srv.close();
    }
  }

  async function withTarget(check: (store: Store) => Promise<void>): Promise<void> {
    const store = createStore({ databaseUrl: targetUrl, schema });
    await store.init();
    try {
      await check(store);
    } finally {
      await store.close();
    }
  }
});

const RELAY = `name: relay
trigger:
  webhook:
    dedupe: "{{ headers.'x-delivery' }}"
steps:
  - id: call
    http: {connection: upstream, url: /orders, method: POST, body: "{{ trigger.body }}"}
`;

const PAUSED = `name: paused
trigger: {webhook: {path: paused}}
steps:
  - id: noop
    set: {ok: true}
`;

function connectionYaml(url: string): string {
  return `type: basic\nbase_url: ${url}\nuser: bot\npassword: ${PASSWORD}\n`;
}

function basicAuth(): string {
  return `Basic ${Buffer.from(`bot:${PASSWORD}`).toString('base64')}`;
}

async function put(srv: TestServer, path: string, yaml: string): Promise<void> {
  const res = await fetch(`${srv.url}/api/${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/yaml' },
    body: yaml,
  });
  assert.ok(res.status === 201 || res.status === 200, `PUT ${path}: ${await res.text()}`);
}

function post(): RequestInit {
  return { method: 'POST' };
}

function deliver(id: string, body: unknown): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-delivery': id },
    body: JSON.stringify(body),
  };
}
