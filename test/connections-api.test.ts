/**
 * §5/§8 connections pushed through the API: PUT (YAML or JSON text) and DELETE, kept across
 * restarts, secrets sealed with HOOKFLOW_SECRET_KEY, and the start-up check of that key.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startServer, startUpstream } from './helpers/server.js';
import type { StartOptions, TestServer } from './helpers/server.js';
import { fire, grepDataDir } from './helpers/connections.js';

const KEY = 'test-key-0123456789-0123456789-abcdef';
const PASSWORD = 'literal-password-5e4d3c';

const put = (srv: TestServer, name: string, body: string, type = 'application/yaml') =>
  fetch(`${srv.url}/api/connections/${name}`, {
    method: 'PUT',
    headers: { 'content-type': type },
    body,
  });

const json = async (res: Response) => (await res.json()) as any;

void describe('PUT and DELETE /api/connections/NAME', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookflow-conn-api-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const opts = (env: Record<string, string> = {}): StartOptions => ({
    dataDir,
    env: { HOOKFLOW_SECRET_KEY: KEY, HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1', ...env },
    connections: ['name: from-file\ntype: none\nbase_url: https://files.example\n'],
  });

  test('a YAML document creates the connection (201), then replaces it (200)', async () => {
    const srv = await startServer([], opts());
    try {
      const created = await put(
        srv,
        'jira',
        `type: basic\nbase_url: https://acme.atlassian.net\nuser: bot@acme.com\npassword: ${PASSWORD}\n`,
      );
      assert.equal(created.status, 201);
      const body = await json(created);
      assert.equal(body.name, 'jira');
      assert.equal(body.type, 'basic');
      assert.equal(body.settings.password, '[redacted]');
      assert.equal(body.file, null);
      const replaced = await put(
        srv,
        'jira',
        JSON.stringify({
          name: 'jira',
          type: 'basic',
          base_url: 'https://acme.atlassian.net',
          user: 'bot2',
          password: PASSWORD,
        }),
        'application/json',
      );
      assert.equal(replaced.status, 200);
      assert.equal((await json(replaced)).settings.user, 'bot2');
    } finally {
      await srv.close({ keepData: true });
    }
  });

  test('it is kept across a restart, sealed: the database holds no password in clear', async () => {
    assert.deepEqual(grepDataDir(dataDir, [PASSWORD, 'bot2']), []);
    const srv = await startServer([], opts());
    try {
      const body = await json(await fetch(`${srv.url}/api/connections/jira`));
      assert.equal(body.settings.user, 'bot2');
      const list = await json(await fetch(`${srv.url}/api/connections`));
      assert.deepEqual(
        list.connections.map((c: any) => c.name),
        ['from-file', 'jira'],
      );
    } finally {
      await srv.close({ keepData: true });
    }
  });

  test('a restart without HOOKFLOW_SECRET_KEY stops with one line naming it', async () => {
    await assert.rejects(
      startServer([], { ...opts(), env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' } }),
      (e: unknown) => {
        const message = (e as Error).message;
        assert.match(
          message,
          /^invalid configuration: HOOKFLOW_SECRET_KEY: not set, but the database holds secrets/,
        );
        assert.equal(message.includes('\n'), false);
        return true;
      },
    );
  });

  test('a restart with another key stops with one line naming it', async () => {
    await assert.rejects(
      startServer([], opts({ HOOKFLOW_SECRET_KEY: 'another-key-0123456789-0123456789-x' })),
      (e: unknown) =>
        /^invalid configuration: HOOKFLOW_SECRET_KEY: is not the key the stored secrets were encrypted with/.test(
          (e as Error).message,
        ),
    );
  });

  test('a document that does not validate: 400 invalid_connection with its problems', async () => {
    const srv = await startServer([], opts());
    try {
      const res = await put(srv, 'bad', 'type: basic\nuser: u\nbase_url: nope\n');
      assert.equal(res.status, 400);
      const body = await json(res);
      assert.equal(body.error.code, 'invalid_connection');
      assert.deepEqual(
        body.error.problems.map((p: any) => [p.file, p.line, p.message]),
        [
          ['api:connections/bad', 1, "a basic connection needs 'password' (missing)"],
          ['api:connections/bad', 3, "base_url must be an absolute http(s) URL (got 'nope')"],
        ],
      );
      assert.equal((await fetch(`${srv.url}/api/connections/bad`)).status, 404);
    } finally {
      await srv.close({ keepData: true });
    }
  });

  test('another content type: 415', async () => {
    const srv = await startServer([], opts());
    try {
      const res = await put(srv, 'x', 'type: none', 'application/x-www-form-urlencoded');
      assert.equal(res.status, 415);
    } finally {
      await srv.close({ keepData: true });
    }
  });

  test('a connection defined by a file cannot be replaced or deleted: 409', async () => {
    const srv = await startServer([], opts());
    try {
      const res = await put(srv, 'from-file', 'type: none\n');
      assert.equal(res.status, 409);
      assert.equal((await json(res)).error.code, 'connection_defined_by_file');
      const del = await fetch(`${srv.url}/api/connections/from-file`, { method: 'DELETE' });
      assert.equal(del.status, 409);
    } finally {
      await srv.close({ keepData: true });
    }
  });

  test('DELETE answers 204, then the connection is gone, also after a restart', async () => {
    let srv = await startServer([], opts());
    try {
      assert.equal(
        (await put(srv, 'tmp', 'type: none\nbase_url: https://x.example\n')).status,
        201,
      );
      const del = await fetch(`${srv.url}/api/connections/tmp`, { method: 'DELETE' });
      assert.equal(del.status, 204);
      assert.equal((await fetch(`${srv.url}/api/connections/tmp`)).status, 404);
      assert.equal(
        (await fetch(`${srv.url}/api/connections/tmp`, { method: 'DELETE' })).status,
        404,
      );
    } finally {
      await srv.close({ keepData: true });
    }
    srv = await startServer([], opts());
    try {
      assert.equal((await fetch(`${srv.url}/api/connections/tmp`)).status, 404);
    } finally {
      await srv.close({ keepData: true });
    }
  });
});

void describe('connections pushed through the API in jobs', () => {
  test('a literal secret without HOOKFLOW_SECRET_KEY is refused: 409 secret_key_missing', async () => {
    const srv = await startServer([]);
    try {
      const res = await put(srv, 'svc', 'type: header\nheaders: {X-Api-Key: literal-key-123}\n');
      assert.equal(res.status, 409);
      const body = await json(res);
      assert.equal(body.error.code, 'secret_key_missing');
      assert.match(body.error.message, /headers\.X-Api-Key.*\$\{env:NAME\}.*HOOKFLOW_SECRET_KEY/);
    } finally {
      await srv.close();
    }
  });

  test('without a key, a connection whose secrets come from ${env:} is stored as it is', async () => {
    process.env.HOOKFLOW_TEST_API_TOKEN_VALUE = 'from-env-token-1a2b3c';
    const upstream = await startUpstream((req, _body, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ auth: req.headers.authorization }));
    });
    const workflow = `
name: use-svc
trigger: {webhook: {path: use-svc}}
steps:
  - id: call
    http: {connection: svc, url: /x}
`;
    // The workflow is loaded before the connection exists: it is checked when it runs.
    const srv = await startServer([workflow], { env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' } });
    try {
      const doc = `type: header\nbase_url: ${upstream.url}\nheaders:\n  Authorization: Bearer \${env:HOOKFLOW_TEST_API_TOKEN_VALUE}\n`;
      assert.equal((await put(srv, 'svc', doc)).status, 201);
      const job = await fire(srv, 'use-svc');
      assert.equal(job.status, 'succeeded', job.error ?? '');
      assert.deepEqual((job.steps[0]!.output as any).body, { auth: '[redacted]' });
      assert.deepEqual(grepDataDir(srv.dataDir, ['from-env-token-1a2b3c']), []);
    } finally {
      delete process.env.HOOKFLOW_TEST_API_TOKEN_VALUE;
      await srv.close();
      await upstream.close();
    }
  });

  test('a connection used by a workflow cannot be deleted: 409 naming the workflow', async () => {
    const srv = await startServer(
      [
        `name: uses-tmp\ntrigger: {webhook: {path: u}}\nsteps:\n  - http: {connection: tmp, url: /x}\n`,
      ],
      { env: { HOOKFLOW_SECRET_KEY: KEY } },
    );
    try {
      await put(srv, 'tmp', 'type: none\nbase_url: https://x.example\n');
      const res = await fetch(`${srv.url}/api/connections/tmp`, { method: 'DELETE' });
      assert.equal(res.status, 409);
      assert.match((await json(res)).error.message, /used by workflow uses-tmp/);
    } finally {
      await srv.close();
    }
  });

  test('a job naming a connection that does not exist fails saying which are known', async () => {
    const srv = await startServer([
      `name: ghost\ntrigger: {webhook: {path: ghost}}\nsteps:\n  - id: call\n    http: {connection: nope, url: /x}\n`,
    ]);
    try {
      const job = await fire(srv, 'ghost');
      assert.equal(job.status, 'failed');
      assert.match(
        job.error ?? '',
        /connection 'nope': no connection named 'nope' \(known: none\)/,
      );
    } finally {
      await srv.close();
    }
  });
});
