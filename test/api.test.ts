/**
 * §8 management API over real HTTP: workflows, jobs with filters and paging, job detail, rerun,
 * bearer token; and §3's generated webhook path, kept across restarts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const HELLO = `
name: hello
trigger:
  webhook: {path: hello}
steps:
  - id: greet
    set: {text: "{{ 'hi ' & trigger.body.name }}"}
`;
const TOKENED = `
name: tokened
trigger:
  webhook: {method: PUT}
`;
const BROKEN = `
name: broken
trigger:
  webhook: {path: broken}
steps:
  - id: bad
    set: {x: "{{ $error('nope') }}"}
`;

async function getJson(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, json: (await res.json()) as any };
}

describe('management API', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([HELLO, TOKENED, BROKEN]);
  });
  after(() => srv.close());

  async function fire(path: string, body: unknown) {
    const res = await fetch(`${srv.url}/hooks/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { id: string };
    return srv.finishedJob(json.id);
  }

  test('/healthz answers ok', async () => {
    const r = await getJson(`${srv.url}/healthz`);
    assert.equal(r.status, 200);
    assert.equal(r.json.ok, true);
  });

  test('GET /api/workflows lists workflows with their webhook URLs', async () => {
    const r = await getJson(`${srv.url}/api/workflows`);
    assert.equal(r.status, 200);
    const names = r.json.workflows.map((w: any) => w.name);
    assert.deepEqual(names, ['broken', 'hello', 'tokened']);
    const hello = r.json.workflows.find((w: any) => w.name === 'hello');
    assert.equal(hello.trigger.url, `${srv.url}/hooks/hello`);
    assert.deepEqual(hello.steps, [{ id: 'greet', type: 'set' }]);
  });

  test('a workflow without a path gets <36-char token>/<name>', async () => {
    const r = await getJson(`${srv.url}/api/workflows/tokened`);
    assert.match(r.json.trigger.path, /^[a-z0-9]{36}\/tokened$/);
    const res = await fetch(`${srv.url}/hooks/${r.json.trigger.path}`, { method: 'PUT' });
    assert.equal(res.status, 202);
  });

  test('GET /api/workflows/NAME of an unknown workflow: 404 not_found', async () => {
    const r = await getJson(`${srv.url}/api/workflows/nope`);
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'not_found');
  });

  test('GET /api/jobs/ID has the trigger and every step with input, output, timing', async () => {
    const job = await fire('hello', { name: 'Ada' });
    const r = await getJson(`${srv.url}/api/jobs/${job.id}`);
    assert.equal(r.status, 200);
    const j = r.json;
    assert.equal(j.workflow, 'hello');
    assert.equal(j.status, 'succeeded');
    assert.equal(j.attempt, 1);
    assert.equal(j.rerunOf, null);
    assert.deepEqual(j.trigger.body, { name: 'Ada' });
    assert.equal(j.steps.length, 1);
    const s = j.steps[0];
    assert.equal(s.id, 'greet');
    assert.equal(s.type, 'set');
    assert.equal(s.status, 'succeeded');
    assert.deepEqual(s.output, { text: 'hi Ada' });
    assert.equal(s.attempts, 1);
    assert.ok(typeof s.durationMs === 'number' && s.startedAt);
    assert.equal(j.reply, null);
  });

  test('GET /api/jobs pages newest first with a cursor, filtered by workflow and status', async () => {
    for (let i = 0; i < 5; i++) await fire('hello', { name: `n${i}` });
    await fire('broken', {});
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `workflow=hello&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const r = await getJson(`${srv.url}/api/jobs?${q}`);
      assert.equal(r.status, 200);
      assert.ok(r.json.jobs.length <= 2);
      for (const j of r.json.jobs) {
        assert.equal(j.workflow, 'hello');
        assert.deepEqual(Object.keys(j).sort(), [
          'createdAt',
          'durationMs',
          'finishedAt',
          'id',
          'status',
          'waiting',
          'workflow',
        ]);
        seen.push(j.id);
      }
      cursor = r.json.next_cursor;
    } while (cursor);
    assert.ok(seen.length >= 6);
    assert.deepEqual([...seen].sort().reverse(), seen, 'newest first');
    assert.equal(new Set(seen).size, seen.length, 'no job twice across pages');

    const failed = await getJson(`${srv.url}/api/jobs?status=failed`);
    assert.ok(failed.json.jobs.length >= 1);
    assert.ok(failed.json.jobs.every((j: any) => j.status === 'failed'));
  });

  test('bad filters are 400 invalid_request', async () => {
    for (const q of ['status=done', 'limit=0', 'limit=abc', 'limit=501']) {
      const r = await getJson(`${srv.url}/api/jobs?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.code, 'invalid_request');
    }
  });

  test('an unknown job is 404', async () => {
    const r = await getJson(`${srv.url}/api/jobs/01ZZZZZZZZZZZZZZZZZZZZZZZZ`);
    assert.equal(r.status, 404);
  });

  test('rerun makes a new job from the same trigger data', async () => {
    const job = await fire('hello', { name: 'Grace' });
    const res = await fetch(`${srv.url}/api/jobs/${job.id}/rerun`, { method: 'POST' });
    assert.equal(res.status, 202);
    const body = (await res.json()) as any;
    assert.notEqual(body.id, job.id);
    const rerun = await srv.finishedJob(body.id);
    assert.equal(rerun.rerunOf, job.id);
    assert.deepEqual(rerun.trigger, job.trigger);
    assert.deepEqual(rerun.steps[0]?.output, { text: 'hi Grace' });
  });

  test('rerun of an unknown job is 404', async () => {
    const res = await fetch(`${srv.url}/api/jobs/nope/rerun`, { method: 'POST' });
    assert.equal(res.status, 404);
  });
});

describe('API token', () => {
  test('with HOOKFLOW_API_TOKEN set, /api needs the bearer token; webhooks and /healthz do not', async () => {
    const srv = await startServer([HELLO], { env: { HOOKFLOW_API_TOKEN: 's3cret-token' } });
    try {
      assert.equal((await getJson(`${srv.url}/api/workflows`)).status, 401);
      const wrong = await getJson(`${srv.url}/api/workflows`, { authorization: 'Bearer nope' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json.error.code, 'unauthorized');
      const ok = await getJson(`${srv.url}/api/workflows`, {
        authorization: 'Bearer s3cret-token',
      });
      assert.equal(ok.status, 200);
      assert.equal((await getJson(`${srv.url}/healthz`)).status, 200);
      const hook = await fetch(`${srv.url}/hooks/hello`, { method: 'POST' });
      assert.equal(hook.status, 202);
    } finally {
      await srv.close();
    }
  });
});

describe('API token scheme', () => {
  test('the Bearer scheme is case-insensitive: bearer and BEARER are accepted', async () => {
    const srv = await startServer([HELLO], { env: { HOOKFLOW_API_TOKEN: 's3cret-token' } });
    try {
      for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
        const r = await getJson(`${srv.url}/api/workflows`, {
          authorization: `${scheme} s3cret-token`,
        });
        assert.equal(r.status, 200, scheme);
      }
      const metrics = await fetch(`${srv.url}/metrics`, {
        headers: { authorization: 'bearer s3cret-token' },
      });
      assert.equal(metrics.status, 200);
      const basic = await getJson(`${srv.url}/api/workflows`, {
        authorization: 'Basic s3cret-token',
      });
      assert.equal(basic.status, 401);
    } finally {
      await srv.close();
    }
  });
});

describe('generated webhook paths', () => {
  test('are kept across restarts', async () => {
    const first = await startServer([TOKENED]);
    const path = (await getJson(`${first.url}/api/workflows/tokened`)).json.trigger.path;
    await first.close({ keepData: true });
    const second = await startServer([TOKENED], { dataDir: first.dataDir });
    try {
      assert.equal((await getJson(`${second.url}/api/workflows/tokened`)).json.trigger.path, path);
    } finally {
      await second.close();
    }
  });
});
