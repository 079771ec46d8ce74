/**
 * A cluster on one PostgreSQL database, as it is deployed (docs/deploy.md): three `hookflow
 * serve --role ingress` and two `--role worker` child processes, every one of them reaching
 * the database through a loopback TCP proxy the test controls. A few thousand webhooks across
 * two ingresses, one worker and one ingress killed with SIGKILL mid-run: every 202 has exactly
 * one succeeded job and no step ran again after it was recorded. A schedule fires once a
 * second across the three ingresses; one dedupe key sent to two ingresses at once makes one
 * job; a request_response webhook is answered with the reply a worker produced; the database
 * cut for a few seconds gives 503s, then 202s again without a restart.
 *
 * Runs only when HOOKFLOW_TEST_DATABASE_URL is set, in a schema of its own (dropped after).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import {
  POSTGRES_SKIP,
  TEST_DATABASE_URL,
  dropSchema,
  randomSchema,
  startDatabaseProxy,
} from './helpers/backends.js';
import { spawnServe } from './helpers/child.js';
import type { Child } from './helpers/child.js';
import { sleep, startUpstream, until } from './helpers/server.js';
import type { TcpProxy } from './helpers/tcp-proxy.js';

const WEBHOOKS = 2_500;
const SENDERS = 16;
/** Kill a worker and an ingress once this many webhooks were accepted. */
const KILL_AFTER = 700;

function workflows(upstream: string): Record<string, string> {
  return {
    // Two recorded calls per job: the upstream sees, per job, the order its steps ran in.
    'load.yaml': `name: load
trigger: {webhook: {path: load}}
steps:
  - id: a
    http: {url: "${upstream}/a/{{ trigger.id }}", method: POST}
  - id: b
    http: {url: "${upstream}/b/{{ trigger.id }}", method: POST}
  - id: done
    set: {n: "{{ trigger.body.n }}"}
`,
    'once.yaml': `name: once
trigger: {webhook: {path: once, dedupe: "{{ headers.'x-delivery' }}"}}
steps:
  - id: note
    set: {key: "{{ trigger.headers.'x-delivery' }}"}
`,
    'ask.yaml': `name: ask
trigger: {webhook: {path: ask, delivery: request_response, timeout: 5s}}
steps:
  - id: answer
    set: {doubled: "{{ trigger.body.n * 2 }}"}
  - reply: {status: 200, body: {doubled: "{{ steps.answer.doubled }}"}}
`,
    'tick.yaml': `name: tick
trigger: {schedule: {every: 1s}}
steps:
  - id: beat
    set: {ok: true}
`,
  };
}

describe('a cluster of ingress and worker processes on PostgreSQL', { skip: POSTGRES_SKIP }, () => {
  const schema = randomSchema();
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-cluster-'));
  const db = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
  /** Per job id, the steps the upstream was called for, in order. */
  const calls = new Map<string, string[]>();
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let proxy: TcpProxy;
  const ingress: Child[] = [];
  const workers: Child[] = [];
  /** Ids answered 202 by the load phase. */
  const accepted = new Set<string>();

  before(async () => {
    upstream = await startUpstream((req, _body, res) => {
      const [, step, jobId] = (req.url ?? '').split('/');
      const seen = calls.get(jobId!) ?? [];
      seen.push(step!);
      calls.set(jobId!, seen);
      setTimeout(() => res.end('{"ok":true}'), 2);
    });
    const cut = await startDatabaseProxy();
    proxy = cut.proxy;
    const wfDir = join(dir, 'workflows');
    mkdirSync(wfDir);
    for (const [file, text] of Object.entries(workflows(upstream.url))) {
      writeFileSync(join(wfDir, file), text);
    }
    const env = {
      HOOKFLOW_DATABASE_URL: cut.url,
      HOOKFLOW_DATABASE_SCHEMA: schema,
      HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1',
      HOOKFLOW_LOG_LEVEL: 'warn',
    };
    const serve = (role: string, i: number) =>
      spawnServe(['--role', role, '--workflows', wfDir, '--data', join(dir, `${role}-${i}`)], {
        ...env,
        // spawnServe reads the URL from the start-up line.
        HOOKFLOW_LOG_LEVEL: 'info',
      });
    // Started together: one of them migrates the schema, the others wait for it (advisory lock).
    const started = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => serve(i < 3 ? 'ingress' : 'worker', i)),
    );
    ingress.push(...started.slice(0, 3));
    workers.push(...started.slice(3));
  });

  after(async () => {
    proxy?.restore();
    await Promise.all([...ingress, ...workers].map((c) => c.kill('SIGKILL')));
    await upstream?.close();
    await proxy?.close();
    await db.end();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  const query = async <R extends pg.QueryResultRow>(text: string, params: unknown[] = []) =>
    (await db.query<R>(text.replaceAll('$schema', schema), params)).rows;

  test('a schedule of every 1s fires once a second across three ingress processes', async () => {
    await until(async () => (await tickTimes()).length > 0, 15_000);
    const from = Date.now();
    await sleep(4_500);
    const times = await tickTimes();
    assert.equal(new Set(times).size, times.length, `a fire time ran twice: ${times.join(', ')}`);
    // Every whole second of the window has its job (the last one may still be committing).
    const expected: number[] = [];
    for (let t = Math.ceil(from / 1000) * 1000; t <= from + 3_500; t += 1000) expected.push(t);
    for (const t of expected)
      assert.ok(times.includes(t), `no job for ${new Date(t).toISOString()}`);
  });

  async function tickTimes(): Promise<number[]> {
    const rows = await query<{ at: string }>(
      `SELECT trigger::jsonb->>'scheduledAt' AS at FROM $schema.jobs WHERE workflow = 'tick'`,
    );
    return rows.map((r) => Date.parse(r.at));
  }

  test('a few thousand webhooks across two ingresses while a worker and an ingress are killed with SIGKILL', async () => {
    let next = 0;
    let killed = false;
    const live = [ingress[0]!, ingress[1]!];
    const sender = async (i: number) => {
      while (next < WEBHOOKS) {
        const n = next++;
        const srv = live[(i + n) % live.length]!;
        try {
          const res = await fetch(`${srv.url}/hooks/load`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ n }),
          });
          if (res.status === 202) accepted.add(((await res.json()) as { id: string }).id);
          else await res.arrayBuffer();
        } catch {
          // The connection died with the ingress: never answered 202. Send to the others.
          const at = live.indexOf(srv);
          if (at >= 0 && live.length > 1) live.splice(at, 1);
        }
        if (!killed && accepted.size >= KILL_AFTER) {
          killed = true;
          await Promise.all([workers[0]!.kill('SIGKILL'), ingress[1]!.kill('SIGKILL')]);
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, (_, i) => sender(i)));
    assert.ok(killed, `only ${accepted.size} accepted: the kills never happened`);
    assert.ok(accepted.size > WEBHOOKS / 2, `only ${accepted.size} of ${WEBHOOKS} accepted`);
  });

  test('one dedupe key sent to two ingresses at once makes one job', async () => {
    for (let k = 0; k < 10; k++) {
      const send = (srv: Child) =>
        fetch(`${srv.url}/hooks/once`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-delivery': `key-${k}` },
          body: '{}',
        });
      const answers = await Promise.all([send(ingress[0]!), send(ingress[2]!)]);
      assert.deepEqual(
        answers.map((r) => r.status),
        [202, 202],
      );
      const [first, second] = await Promise.all(
        answers.map(async (r) => (await r.json()) as { id: string }),
      );
      assert.equal(first!.id, second!.id, `key-${k}: two jobs`);
    }
    const rows = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM $schema.jobs WHERE workflow = 'once'`,
    );
    assert.equal(rows[0]?.n, 10);
  });

  test('a request_response webhook is answered with the reply a worker process produced', async () => {
    for (const srv of [ingress[0]!, ingress[2]!]) {
      const res = await fetch(`${srv.url}/hooks/ask`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"n": 21}',
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), { doubled: 42 });
    }
  });

  test('every 202 has exactly one succeeded job, and no step ran again after it was recorded', async () => {
    // The killed worker's jobs come back when their 30 s lease has passed (the tests between
    // the kill and this one run meanwhile).
    const ids = [...accepted];
    await until(async () => {
      const rows = await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM $schema.jobs WHERE id = ANY($1) AND status = 'succeeded'`,
        [ids],
      );
      return rows[0]?.n === ids.length;
    }, 45_000);

    const twice = await query<{ n: string }>(
      `SELECT trigger::jsonb->'body'->>'n' AS n FROM $schema.jobs WHERE workflow = 'load'
       GROUP BY 1 HAVING count(*) > 1`,
    );
    assert.deepEqual(twice, [], 'an event has two jobs');
    for (const id of ids) {
      const order = calls.get(id) ?? [];
      assert.ok(order.includes('b'), `job ${id} never called step b: ${order.join(',')}`);
      // Step b starts only after step a was recorded: a call to a after one to b re-ran it.
      assert.ok(
        order.lastIndexOf('a') < order.indexOf('b'),
        `job ${id} ran a recorded step again: ${order.join(',')}`,
      );
    }
  });

  test('the database cut for a few seconds: 503 store_unavailable, then 202 again without a restart', async () => {
    const srv = ingress[0]!;
    const send = () =>
      fetch(`${srv.url}/hooks/load`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: -1 }),
      });
    assert.equal((await send()).status, 202);
    proxy.cut();
    try {
      let refused: Response | null = null;
      await until(async () => {
        const res = await send();
        if (res.status === 503) refused = res;
        else await res.arrayBuffer();
        return refused !== null;
      }, 10_000);
      const body = (await refused!.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'store_unavailable');
      await sleep(2_000);
    } finally {
      proxy.restore();
    }
    let id = '';
    await until(async () => {
      const res = await send();
      if (res.status === 202) id = ((await res.json()) as { id: string }).id;
      else await res.arrayBuffer();
      return id !== '';
    }, 20_000);
    await until(async () => {
      const rows = await query<{ status: string }>(
        `SELECT status FROM $schema.jobs WHERE id = $1`,
        [id],
      );
      return rows[0]?.status === 'succeeded';
    }, 20_000);
  });
});
