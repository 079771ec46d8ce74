/**
 * Bulk replay over real HTTP, on each backend: a dry run counts what a replay takes; a replay
 * of 500 failed jobs after the upstream is fixed ends with 500 new succeeded jobs, each linked
 * to its original and none twice; a cancel stops it; web pages cannot start or cancel one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from './helpers/backends.js';
import { runCli } from './helpers/cli.js';
import { startServer, startUpstream, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const FAILED = 500;

function workflows(upstream: string): string[] {
  return ['orders', 'slow'].map(
    (name) => `name: ${name}
trigger:
  webhook: {path: ${name}}
steps:
  - id: call
    http: {method: POST, url: "${upstream}/${name}", body: {n: "{{ trigger.body.n }}"}}
`,
  );
}

async function api(srv: TestServer, method: string, path: string, body?: unknown, headers = {}) {
  const res = await fetch(`${srv.url}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as any) : null };
}

/** Sends `count` webhooks, 50 at a time, and waits until each job finished. */
async function failedJobs(srv: TestServer, workflow: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, async (_, k) => {
        const r = await api(srv, 'POST', `/hooks/${workflow}`, { n: i + k });
        assert.equal(r.status, 202);
        return r.json.id as string;
      }),
    );
    ids.push(...batch);
  }
  for (const id of ids) assert.equal((await srv.finishedJob(id, 60_000)).status, 'failed');
  return ids;
}

async function replayDone(srv: TestServer, id: string, timeoutMs = 60_000) {
  let replay: any;
  await until(async () => {
    replay = (await api(srv, 'GET', `/api/replays/${id}`)).json;
    const settled = replay.jobs.succeeded + replay.jobs.failed;
    return replay.status === 'done' && settled === replay.created;
  }, timeoutMs);
  return replay;
}

for (const backend of BACKENDS) {
  describe(`bulk replay on ${backend.name}`, { skip: backend.skip }, () => {
    let srv: TestServer;
    let upstream: Awaited<ReturnType<typeof startUpstream>>;
    let broken = true;
    let originals: string[] = [];
    before(async () => {
      upstream = await startUpstream((_req, _body, res) => {
        res.statusCode = broken ? 500 : 200;
        res.end('{}');
      });
      srv = await startServer(workflows(upstream.url), {
        backend: backend.name,
        env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' },
      });
      originals = await failedJobs(srv, 'orders', FAILED);
    });
    after(async () => {
      await srv?.close();
      await upstream?.close();
    });

    test('a dry run answers the count and the newest matching jobs, and creates nothing', async () => {
      const dry = await api(srv, 'POST', '/api/jobs/replay', {
        workflow: 'orders',
        since: '1h',
        dry_run: true,
        sample: 3,
      });
      assert.equal(dry.status, 200, JSON.stringify(dry.json));
      assert.equal(dry.json.count, FAILED);
      assert.deepEqual(
        dry.json.sample.map((j: { id: string }) => j.id),
        originals.slice().sort().reverse().slice(0, 3),
      );
      assert.match(dry.json.sample[0].error, /answered 500/);
      const byError = await api(srv, 'POST', '/api/jobs/replay', {
        error: 'ANSWERED 500',
        dry_run: true,
      });
      assert.equal(byError.json.count, FAILED);
      const before1h = await api(srv, 'POST', '/api/jobs/replay', { until: '1h', dry_run: true });
      assert.equal(before1h.json.count, 0);
      assert.deepEqual((await api(srv, 'GET', '/api/replays')).json.replays, []);
    });

    test('a bad filter is a 400 naming the field; an unknown workflow a 404', async () => {
      const bad = await api(srv, 'POST', '/api/jobs/replay', { since: 'yesterday' });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, 'invalid_request');
      assert.match(bad.json.error.message, /since 'yesterday'/);
      const unknownKey = await api(srv, 'POST', '/api/jobs/replay', { wokflow: 'orders' });
      assert.equal(unknownKey.status, 400);
      assert.match(unknownKey.json.error.message, /unknown key 'wokflow'/);
      const running = await api(srv, 'POST', '/api/jobs/replay', { status: 'running' });
      assert.equal(running.status, 400, 'jobs still running are not replayed');
      const missing = await api(srv, 'POST', '/api/jobs/replay', { workflow: 'nope' });
      assert.equal(missing.status, 404);
      assert.equal((await api(srv, 'GET', '/api/replays/nope')).status, 404);
    });

    test('a web page from another origin can neither start nor cancel a replay', async () => {
      const evil = { origin: 'http://evil.example' };
      const start = await api(srv, 'POST', '/api/jobs/replay', { workflow: 'orders' }, evil);
      assert.equal(start.status, 403);
      assert.equal(start.json.error.code, 'forbidden_origin');
      const cancel = await api(srv, 'POST', '/api/replays/x/cancel', undefined, evil);
      assert.equal(cancel.status, 403);
      assert.deepEqual((await api(srv, 'GET', '/api/replays')).json.replays, []);
    });

    test('500 failed jobs replayed after the upstream is fixed: 500 new succeeded jobs, one per original', async () => {
      broken = false;
      const dry = await api(srv, 'POST', '/api/jobs/replay', { workflow: 'orders', dry_run: true });
      const started = await api(srv, 'POST', '/api/jobs/replay', {
        workflow: 'orders',
        rate: 1000,
      });
      assert.equal(started.status, 202, JSON.stringify(started.json));
      assert.equal(started.json.status, 'running');
      assert.equal(started.json.matched, dry.json.count);
      const done = await replayDone(srv, started.json.id);
      assert.equal(done.created, FAILED);
      assert.equal(done.skipped, 0);
      assert.equal(done.jobs.succeeded, FAILED);

      const page = await srv.app.store.listJobs({
        workflow: 'orders',
        status: 'succeeded',
        limit: 500,
      });
      const replayed = new Set<string>();
      for (const { id } of page.jobs) {
        const job = await srv.app.store.getJob(id);
        assert.equal(job?.replay, started.json.id);
        replayed.add(job!.rerunOf!);
      }
      assert.equal(replayed.size, FAILED, 'an original was replayed twice');
      assert.deepEqual([...replayed].sort(), originals.slice().sort());
      const listed = (await api(srv, 'GET', '/api/replays')).json.replays;
      assert.equal(listed[0].id, started.json.id);
      const unreplayed = { workflow: 'orders', replayed: false, dry_run: true };
      assert.equal((await api(srv, 'POST', '/api/jobs/replay', unreplayed)).json.count, 0);
    });

    test('"replay selected": an ids filter replays those jobs only', async () => {
      const picked = originals.slice(0, 2);
      const started = await api(srv, 'POST', '/api/jobs/replay', { ids: picked, rate: 100 });
      assert.equal(started.status, 202);
      assert.equal(started.json.matched, 2);
      const done = await replayDone(srv, started.json.id);
      assert.equal(done.created, 2);
    });

    test('a cancelled replay makes no job after the cancel', async () => {
      broken = true;
      await failedJobs(srv, 'slow', 60);
      broken = false;
      const started = await api(srv, 'POST', '/api/jobs/replay', { workflow: 'slow', rate: 10 });
      await until(
        async () => (await api(srv, 'GET', `/api/replays/${started.json.id}`)).json.created > 0,
      );
      const cancelled = await api(srv, 'POST', `/api/replays/${started.json.id}/cancel`);
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.json.status, 'cancelled');
      assert.ok(cancelled.json.finishedAt);
      const created = cancelled.json.created;
      assert.ok(created < 60, `${created} created before the cancel`);
      await new Promise((r) => setTimeout(r, 600));
      const later = (await api(srv, 'GET', `/api/replays/${started.json.id}`)).json;
      assert.equal(later.created, created);
      const slowJobs = await srv.app.store.listJobs({ workflow: 'slow', limit: 500 });
      assert.equal(slowJobs.jobs.length, 60 + created);
      const again = await api(srv, 'POST', `/api/replays/${started.json.id}/cancel`);
      assert.equal(again.status, 200, 'cancelling twice is no error');
      const finished = (await api(srv, 'GET', '/api/replays')).json.replays.find(
        (r: { status: string }) => r.status === 'done',
      );
      assert.equal((await api(srv, 'POST', `/api/replays/${finished.id}/cancel`)).status, 409);
    });

    test('hookflow replay: --dry-run counts, --watch follows it to the end, status and cancel', async () => {
      const env = { HOOKFLOW_URL: srv.url };
      const dry = await runCli(['replay', '--workflow', 'slow', '--since', '1h', '--dry-run'], {
        env,
      });
      assert.equal(dry.code, 0, dry.err);
      assert.match(dry.out, /^60 jobs match; nothing was replayed/);
      assert.match(dry.out, /ID\s+WORKFLOW\s+CREATED\s+ERROR/);

      const run = await runCli(
        ['replay', '--workflow', 'slow', '--rate', '1000', '--watch', '--json'],
        { env },
      );
      assert.equal(run.code, 0, run.err);
      const replay = JSON.parse(run.out);
      assert.equal(replay.status, 'done');
      assert.equal(replay.jobs.succeeded, 60);

      const status = await runCli(['replay', 'status', replay.id], { env });
      assert.equal(status.code, 0, status.err);
      assert.match(status.out, new RegExp(`^replay ${replay.id}  done  version current`));
      assert.match(status.out, /60\/60 created/);
      const cancel = await runCli(['replay', 'cancel', replay.id], { env });
      assert.equal(cancel.code, 6);
      assert.match(cancel.err, /409 conflict: replay '.*' is done already/);
      const bad = await runCli(['replay', '--version', 'old'], { env });
      assert.equal(bad.code, 2);
    });
  });
}
