/**
 * Workflow versions over real HTTP, on each backend: every job records the version of its
 * workflow, the versions are listed with their first and last job, and a rerun runs the
 * original version's steps or the current ones.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from './helpers/backends.js';
import { runCli } from './helpers/cli.js';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

function orders(step: string): string {
  return `name: orders
trigger:
  webhook: {path: orders}
steps:
  - id: ${step}
    set: {n: "{{ trigger.body.n }}"}
`;
}

async function api(srv: TestServer, method: string, path: string, body?: unknown, type?: string) {
  const res = await fetch(`${srv.url}${path}`, {
    method,
    ...(body !== undefined
      ? {
          headers: { 'content-type': type ?? 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }
      : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as any) : null };
}

async function hook(srv: TestServer): Promise<string> {
  const res = await fetch(`${srv.url}/hooks/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ n: 1 }),
  });
  assert.equal(res.status, 202);
  return ((await res.json()) as { id: string }).id;
}

for (const backend of BACKENDS) {
  describe(`workflow versions on ${backend.name}`, { skip: backend.skip }, () => {
    let srv: TestServer;
    let oldJob: string;
    let oldVersion: string;
    let newVersion: string;
    before(async () => {
      srv = await startServer([], { backend: backend.name });
      assert.equal(
        (await api(srv, 'PUT', '/api/workflows/orders', orders('old'), 'application/yaml')).status <
          300,
        true,
      );
      oldJob = await hook(srv);
      const first = await srv.finishedJob(oldJob);
      oldVersion = first.version as string;
      const put = await api(srv, 'PUT', '/api/workflows/orders', orders('new'), 'application/yaml');
      assert.ok(put.status < 300, JSON.stringify(put.json));
      await srv.finishedJob(await hook(srv));
    });
    after(() => srv.close());

    test('GET /api/jobs/ID shows the version of the workflow the job ran', async () => {
      const { json } = await api(srv, 'GET', `/api/jobs/${oldJob}`);
      assert.match(json.version, /^[0-9a-f]{12}$/);
      assert.equal(json.steps[0].id, 'old');
    });

    test('the versions are listed newest first with their first and last job', async () => {
      const { status, json } = await api(srv, 'GET', '/api/workflows/orders/versions');
      assert.equal(status, 200);
      assert.equal(json.versions.length, 2);
      newVersion = json.current;
      assert.notEqual(newVersion, oldVersion);
      const [newer, older] = json.versions;
      assert.equal(newer.version, newVersion);
      assert.equal(older.version, oldVersion);
      assert.equal(older.firstJob.id, oldJob);
      assert.equal(older.lastJob.id, oldJob);
      assert.ok(newer.firstJob.id > oldJob);
    });

    test('a rerun with version original runs the steps the job first ran', async () => {
      const { status, json } = await api(srv, 'POST', `/api/jobs/${oldJob}/rerun`, {
        version: 'original',
      });
      assert.equal(status, 202);
      const rerun = await srv.finishedJob(json.id);
      assert.equal(rerun.status, 'succeeded');
      assert.equal(rerun.version, oldVersion);
      assert.deepEqual(
        rerun.steps.map((s) => s.id),
        ['old'],
      );
    });

    test('a rerun with version current (the default) runs the workflow as loaded now', async () => {
      for (const body of [{ version: 'current' }, undefined]) {
        const { status, json } = await api(srv, 'POST', `/api/jobs/${oldJob}/rerun`, body);
        assert.equal(status, 202);
        const rerun = await srv.finishedJob(json.id);
        assert.deepEqual(
          rerun.steps.map((s) => s.id),
          ['new'],
        );
        assert.notEqual(rerun.version, oldVersion);
      }
    });

    test('hookflow rerun ID --version original runs the original steps', async () => {
      const run = await runCli([
        'rerun',
        oldJob,
        '--version',
        'original',
        '--wait',
        '--url',
        srv.url,
      ]);
      assert.equal(run.code, 0, run.err);
      assert.match(run.out, new RegExp(`version ${oldVersion}`));
      assert.match(run.out, /\bold\b/);
    });

    test('a rerun with another version value is refused with 400', async () => {
      const { status, json } = await api(srv, 'POST', `/api/jobs/${oldJob}/rerun`, {
        version: 'latest',
      });
      assert.equal(status, 400);
      assert.equal(json.error.code, 'invalid_request');
    });
  });
}
