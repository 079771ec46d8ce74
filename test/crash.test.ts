/**
 * Durability: under concurrent load, kill -9 the server and restart it on the same data dir.
 * Every request that got a 202 has exactly one succeeded job, and no step ran twice to success.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { spawnServe } from './helpers/child.js';
import { sleep, startUpstream } from './helpers/server.js';

test('kill -9 under load loses no accepted event and completes each job once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-crash-'));
  const workflows = join(dir, 'workflows');
  const data = join(dir, 'data');
  const upstream = await startUpstream((_req, _body, res) => {
    setTimeout(() => res.end('{"ok":true}'), 20);
  });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(workflows);
  writeFileSync(
    join(workflows, 'crash.yaml'),
    `name: crash
trigger:
  webhook: {path: crash}
steps:
  - id: first
    set: {n: "{{ trigger.body.n }}"}
  - id: call
    http: {url: "${upstream.url}/x", response: json}
  - id: last
    set: {done: true}
`,
  );
  const args = ['--data', data, '--workflows', workflows];
  const env = { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' };
  try {
    // A small pool on the first run leaves work unfinished at the kill, so the restart must resume it.
    const first = await spawnServe([...args, '--concurrency', '4'], env);
    const accepted = new Set<string>();
    let sent = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        sent++;
        try {
          const res = await fetch(`${first.url}/hooks/crash`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ n: sent }),
          });
          if (res.status === 202) accepted.add(((await res.json()) as { id: string }).id);
        } catch {
          // the connection died with the server: this request was never answered 202
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    // Kill once enough was accepted (slow on a busy machine), but not before 1.5 s of load.
    const started = Date.now();
    while ((accepted.size < 100 || Date.now() - started < 1500) && Date.now() - started < 20_000) {
      await sleep(50);
    }
    await first.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    assert.ok(accepted.size > 50, `only ${accepted.size} events accepted before the kill`);

    // Some jobs must have been left unfinished, or the test proves nothing about resuming.
    const before = new Database(join(data, 'hookflow.db'), { readonly: true });
    const unfinished = (
      before
        .prepare("SELECT count(*) AS n FROM jobs WHERE status IN ('queued','running')")
        .get() as { n: number }
    ).n;
    before.close();

    const second = await spawnServe(args, env);
    try {
      const deadline = Date.now() + 60_000;
      let open = Infinity;
      while (open > 0 && Date.now() < deadline) {
        await sleep(100);
        const page = await Promise.all(
          ['queued', 'running'].map((s) =>
            fetch(`${second.url}/api/jobs?workflow=crash&status=${s}&limit=1`).then(
              (r) => r.json() as Promise<{ jobs: unknown[] }>,
            ),
          ),
        );
        open = page.reduce((n, p) => n + p.jobs.length, 0);
      }
      assert.equal(open, 0, 'jobs still unfinished after restart');
    } finally {
      await second.kill('SIGTERM');
    }

    const db = new Database(join(data, 'hookflow.db'), { readonly: true });
    const jobs = db.prepare("SELECT id, status FROM jobs WHERE workflow = 'crash'").all() as {
      id: string;
      status: string;
    }[];
    const byId = new Map(jobs.map((j) => [j.id, j.status]));
    for (const id of accepted)
      assert.equal(byId.get(id), 'succeeded', `accepted event ${id} has no succeeded job`);
    assert.ok(jobs.length <= sent, 'more jobs than requests');
    const stepRuns = db
      .prepare(
        "SELECT job_id, id, count(*) AS n FROM steps WHERE status = 'succeeded' GROUP BY job_id, id HAVING n > 1",
      )
      .all();
    assert.deepEqual(stepRuns, [], 'a step succeeded twice');
    const complete = db
      .prepare(
        "SELECT count(*) AS n FROM jobs j WHERE workflow='crash' AND (SELECT count(*) FROM steps s WHERE s.job_id = j.id) <> 3",
      )
      .get() as { n: number };
    assert.equal(complete.n, 0, 'a job does not have exactly three step records');
    db.close();
    assert.ok(unfinished > 0, 'nothing was left unfinished at the kill');
    t.diagnostic(`accepted ${accepted.size} of ${sent} sent; ${unfinished} unfinished at the kill`);
  } finally {
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
