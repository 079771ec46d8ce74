/**
 * A bulk replay survives its process being killed: 500 failed jobs, the upstream fixed, a
 * replay started, the server killed with SIGKILL mid-replay and started again. The replay
 * resumes after its last committed batch and ends with 500 new succeeded jobs, one per
 * original, none twice. On PostgreSQL the killed process is the ingress that drives the
 * replay (a worker process beside it runs the jobs).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, dropSchema, postgresEnv, randomSchema } from './helpers/backends.js';
import { spawnServe } from './helpers/child.js';
import type { Child } from './helpers/child.js';
import { startUpstream, until } from './helpers/server.js';

const FAILED = 500;

async function api(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as any) : null };
}

for (const backend of BACKENDS) {
  describe(`a replay killed mid-way on ${backend.name}`, { skip: backend.skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookflow-replay-crash-'));
    const schema = randomSchema();
    let upstream: Awaited<ReturnType<typeof startUpstream>>;
    let broken = true;
    const children: Child[] = [];
    let args: string[];
    let env: Record<string, string>;

    const serve = async () => {
      const child = await spawnServe(args, env);
      children.push(child);
      return child;
    };

    before(async () => {
      upstream = await startUpstream((_req, _body, res) => {
        res.statusCode = broken ? 503 : 200;
        res.end('{}');
      });
      const workflows = join(dir, 'workflows');
      mkdirSync(workflows);
      writeFileSync(
        join(workflows, 'orders.yaml'),
        `name: orders
trigger:
  webhook: {path: orders}
steps:
  - id: call
    http: {method: POST, url: "${upstream.url}/orders", body: {n: "{{ trigger.body.n }}"}}
`,
      );
      args = ['--workflows', workflows, '--data', join(dir, 'data')];
      // 100 jobs a second: the replay takes about 5 s, time enough to kill it mid-way.
      env = { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1', HOOKFLOW_REPLAY_RATE: '100' };
      if (backend.name === 'postgres') {
        env = { ...env, ...postgresEnv(schema) };
        args = [...args, '--role', 'ingress'];
      }
    });

    after(async () => {
      await Promise.all(children.map((c) => c.kill('SIGKILL')));
      await upstream?.close();
      await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    });

    test('500 new succeeded jobs, one per original, after a SIGKILL and a restart', async () => {
      let ingress = await serve();
      if (backend.name === 'postgres') {
        const workerArgs = args.map((a) => (a === 'ingress' ? 'worker' : a));
        children.push(await spawnServe(workerArgs, env));
      }
      const originals = new Set<string>();
      for (let i = 0; i < FAILED; i += 50) {
        const ids = await Promise.all(
          Array.from({ length: 50 }, async (_, k) => {
            const r = await api(ingress.url, 'POST', '/hooks/orders', { n: i + k });
            assert.equal(r.status, 202);
            return r.json.id as string;
          }),
        );
        for (const id of ids) originals.add(id);
      }
      const failed = { workflow: 'orders', dry_run: true };
      await until(
        async () =>
          (await api(ingress.url, 'POST', '/api/jobs/replay', failed)).json.count === FAILED,
        60_000,
      );

      broken = false;
      const started = await api(ingress.url, 'POST', '/api/jobs/replay', { workflow: 'orders' });
      assert.equal(started.status, 202);
      assert.equal(started.json.matched, FAILED);
      const id = started.json.id as string;
      let before = 0;
      await until(async () => {
        before = (await api(ingress.url, 'GET', `/api/replays/${id}`)).json.created;
        return before >= 100;
      }, 30_000);
      await ingress.kill('SIGKILL');
      assert.ok(before < FAILED, `the replay was done (${before}) before the kill`);

      ingress = await serve();
      let replay: any;
      await until(async () => {
        replay = (await api(ingress.url, 'GET', `/api/replays/${id}`)).json;
        return replay.status === 'done' && replay.jobs.succeeded === FAILED;
      }, 60_000);
      assert.equal(replay.created, FAILED);
      assert.equal(replay.skipped, 0);

      // Every succeeded job of the workflow is a job of this replay, each of another original.
      const succeeded: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = (
          await api(
            ingress.url,
            'GET',
            `/api/jobs?workflow=orders&status=succeeded&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
          )
        ).json;
        succeeded.push(...page.jobs.map((j: { id: string }) => j.id));
        cursor = page.next_cursor;
      } while (cursor);
      assert.equal(succeeded.length, FAILED, 'jobs beyond one per original');
      const replayed = new Set<string>();
      for (const jobId of succeeded) {
        const job = (await api(ingress.url, 'GET', `/api/jobs/${jobId}`)).json;
        assert.equal(job.replay, id);
        assert.ok(originals.has(job.rerunOf), `${job.rerunOf} is not one of the failed jobs`);
        replayed.add(job.rerunOf);
      }
      assert.equal(replayed.size, FAILED, 'an original was replayed twice');
    });
  });
}
