/**
 * Shutdown (SPEC §9): stop accepting, answer 503 + Retry-After to requests that arrive during
 * the drain, let in-flight requests get their answer within the grace period, then close. A
 * request whose event was stored is never cut off.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { spawnServe } from './helpers/child.js';
import { sleep, startServer, startUpstream, until } from './helpers/server.js';

const INGEST = `name: ingest
trigger:
  webhook: {path: ingest}
steps:
  - set: {n: "{{ trigger.body.n }}"}
`;
const slowReply = (upstream: string) => `name: slow-reply
trigger:
  webhook: {path: slow-reply, delivery: request_response, timeout: 30s}
steps:
  - id: call
    http: {url: "${upstream}/slow", response: json}
  - reply: {body: {upstream: "{{ steps.call.body.ok }}"}}
`;

interface LoadResult {
  accepted: Map<number, string>;
  refused: number;
  /** Requests that got no answer (reset, refused connection): their numbers. */
  failed: number[];
  /** How many failed, by error code. */
  failures: Record<string, number>;
}

/** Keep-alive load from many connections until `stop()`; each request carries its number. */
function ingestLoad(url: string) {
  const agent = new Agent({ connections: 64, pipelining: 1 });
  const result: LoadResult = { accepted: new Map(), refused: 0, failed: [], failures: {} };
  let n = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const mine = ++n;
      try {
        const res = await request(`${url}/hooks/ingest`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ n: mine }),
        });
        const body = (await res.body.json()) as { id?: string; error?: { code: string } };
        if (res.statusCode === 202) result.accepted.set(mine, body.id!);
        else if (res.statusCode === 503) {
          assert.equal(body.error?.code, 'shutting_down');
          assert.ok(res.headers['retry-after'], 'a 503 says when to retry');
          result.refused++;
        } else assert.fail(`unexpected ${res.statusCode}`);
      } catch (e) {
        if ((e as { code?: string }).code === 'ERR_ASSERTION') throw e;
        result.failed.push(mine);
        const code = (e as { code?: string }).code ?? 'other';
        result.failures[code] = (result.failures[code] ?? 0) + 1;
        await sleep(5);
      }
    }
  };
  const workers = Array.from({ length: 128 }, worker);
  return {
    result,
    async stop() {
      stopped = true;
      await Promise.all(workers);
      await agent.close();
    },
  };
}

/** The numbers of the events stored, from the data directory's database. */
function storedNumbers(dataDir: string): Map<number, string> {
  const db = new Database(join(dataDir, 'hookflow.db'), { readonly: true });
  try {
    const rows = db
      .prepare(
        "SELECT id, json_extract(trigger, '$.body.n') AS n FROM jobs WHERE workflow = 'ingest'",
      )
      .all() as { id: string; n: number }[];
    return new Map(rows.map((r) => [r.n, r.id]));
  } finally {
    db.close();
  }
}

function assertNothingAnsweredWasCut(load: LoadResult, stored: Map<number, string>): void {
  for (const [n, id] of load.accepted) assert.equal(stored.get(n), id, `202 for ${n} has no job`);
  const cut = load.failed.filter((n) => stored.has(n));
  assert.deepEqual(cut, [], 'requests whose event was stored got no answer');
}

describe('shutdown drains connections', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  before(async () => {
    upstream = await startUpstream((_req, _body, res) => {
      setTimeout(() => res.end('{"ok":true}'), 800);
    });
  });
  after(() => upstream.close());

  test('during the drain an open connection gets 503 shutting_down with Retry-After, and the request in flight its answer', async () => {
    const srv = await startServer([INGEST, slowReply(upstream.url)], {
      env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1', HOOKFLOW_SHUTDOWN_GRACE: '10s' },
    });
    const { port } = new URL(srv.url);
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    const send = (path: string, body: string) =>
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
    // In flight when the shutdown starts: a request_response call waiting for its reply…
    send('/hooks/slow-reply', '{}');
    await sleep(200);
    const closing = srv.close();
    await sleep(50);
    // …and, on the same connection (the drain closes idle ones), a request sent after it.
    send('/hooks/ingest', '{"n":2}');
    await until(() => /HTTP\/1\.1 503 .*\r\n\r\n\{.*\}$/s.test(text), 5000);
    const [answered, refused] = text.split(/(?=HTTP\/1\.1 )/);
    assert.match(answered!, /^HTTP\/1\.1 200 /);
    assert.match(answered!, /\{"upstream":true\}$/);
    assert.match(refused!, /^HTTP\/1\.1 503 /);
    assert.match(refused!, /\r\nretry-after: \d+\r\n/i);
    assert.match(refused!, /\r\nconnection: close\r\n/i);
    assert.equal(
      (JSON.parse(refused!.slice(refused!.indexOf('\r\n\r\n') + 4)) as { error: { code: string } })
        .error.code,
      'shutting_down',
    );
    await closing;
    socket.destroy();
  });

  test('a request_response caller still waiting when the grace period ends gets 504 with its job', async () => {
    const slow = await startUpstream((_req, _body, res) => {
      setTimeout(() => res.end('{"ok":true}'), 3000);
    });
    const srv = await startServer([slowReply(slow.url)], {
      env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1', HOOKFLOW_SHUTDOWN_GRACE: '300ms' },
    });
    const waiting = fetch(`${srv.url}/hooks/slow-reply`, { method: 'POST', body: '{}' });
    await sleep(200);
    const closing = srv.close();
    const answer = await waiting;
    assert.equal(answer.status, 504);
    const body = (await answer.json()) as { error: { code: string; job: string } };
    assert.equal(body.error.code, 'shutting_down');
    assert.ok(body.error.job);
    await closing;
    await slow.close();
  });

  test('closing under ingest load: every caller gets 202 or 503, and every 202 has its job', async () => {
    const srv = await startServer([INGEST]);
    const load = ingestLoad(srv.url);
    await until(() => load.result.accepted.size >= 200, 20_000);
    await srv.close({ keepData: true });
    await load.stop();
    try {
      assertNothingAnsweredWasCut(load.result, storedNumbers(srv.dataDir));
      assert.ok(load.result.accepted.size >= 200);
    } finally {
      rmSync(srv.dataDir, { recursive: true, force: true });
    }
  });
});

test('SIGTERM under ingest load: every caller gets 202 or 503, and every 202 has its job in the store', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-shutdown-'));
  const workflows = join(dir, 'workflows');
  const data = join(dir, 'data');
  mkdirSync(workflows);
  writeFileSync(join(workflows, 'ingest.yaml'), INGEST);
  try {
    const child = await spawnServe(['--data', data, '--workflows', workflows]);
    const load = ingestLoad(child.url);
    await until(() => load.result.accepted.size >= 300, 30_000);
    const exited = new Promise<number | null>((r) => child.proc.once('exit', (code) => r(code)));
    child.proc.kill('SIGTERM');
    assert.equal(await exited, 0, `exit after SIGTERM:\n${child.output().slice(-2000)}`);
    await load.stop();
    const { accepted, refused, failed } = load.result;
    assertNothingAnsweredWasCut(load.result, storedNumbers(data));
    t.diagnostic(
      `${accepted.size} accepted, ${refused} refused (503), ${failed.length} unanswered`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('SIGTERM of an idle server', () => {
  const rr = (upstream: string) => `name: rr
trigger:
  webhook: {path: rr, delivery: request_response}
steps:
  - id: up
    http: {url: "${upstream}/order", response: json}
  - reply: {body: "{{ steps.up.body }}"}
`;

  /** `hookflow serve` in a child over `workflows`, and its SIGTERM timed to its exit. */
  async function serve(workflows: string[], args: string[] = []) {
    const dir = mkdtempSync(join(tmpdir(), 'hookflow-shutdown-'));
    mkdirSync(join(dir, 'workflows'));
    workflows.forEach((text, i) => writeFileSync(join(dir, 'workflows', `wf${i}.yaml`), text));
    const child = await spawnServe(
      ['--data', join(dir, 'data'), '--workflows', join(dir, 'workflows'), ...args],
      { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' },
    );
    return {
      url: child.url,
      /** Milliseconds from SIGTERM to the exit, which must be clean. */
      async terminate(): Promise<number> {
        const exited = new Promise<number | null>((r) => child.proc.once('exit', r));
        const sentAt = Date.now();
        child.proc.kill('SIGTERM');
        const code = await Promise.race([exited, sleep(15_000).then(() => 'running')]);
        const ms = Date.now() - sentAt;
        await child.kill();
        rmSync(dir, { recursive: true, force: true });
        assert.equal(code, 0, `exit after SIGTERM:\n${child.output().slice(-2000)}`);
        return ms;
      },
    };
  }

  test('after a burst of keep-alive requests that were answered, SIGTERM ends the process within 2 s', async () => {
    // Keeps its connections open as long as the client does, like a real API.
    const upstream = await startUpstream((_req, _body, res) => res.end('{"ok":true}'));
    const srv = await serve([INGEST, rr(upstream.url)]);
    // The client keeps its connections open after the answers, too.
    const agent = new Agent({ connections: 20, keepAliveTimeout: 60_000 });
    try {
      const post = async (path: string) => {
        const res = await request(`${srv.url}/hooks/${path}`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body: '{"n":1}',
        });
        await res.body.dump();
        return res.statusCode;
      };
      for (const [path, status] of [
        ['ingest', 202],
        ['rr', 200],
      ] as const) {
        const answers = await Promise.all(Array.from({ length: 100 }, () => post(path)));
        assert.deepEqual(new Set(answers), new Set([status]));
      }
      assert.ok((await srv.terminate()) < 2_000, 'exits within 2 s');
    } finally {
      await agent.close();
      await upstream.close();
    }
  });

  test('request_response callers who hung up before their reply do not hold SIGTERM for their reply timeout', async () => {
    const upstream = await startUpstream((_req, _body, res) => {
      setTimeout(() => res.end('{"ok":true}'), 300);
    });
    // One job at a time: the callers after the first wait with their jobs queued.
    const srv = await serve([rr(upstream.url)], ['--concurrency', '1']);
    try {
      const callers = Array.from({ length: 5 }, () => {
        const controller = new AbortController();
        const answer = fetch(`${srv.url}/hooks/rr`, {
          method: 'POST',
          body: '{}',
          signal: controller.signal,
        }).catch(() => null);
        return { hangUp: () => controller.abort(), answer };
      });
      await sleep(150);
      for (const caller of callers) caller.hangUp();
      await Promise.all(callers.map((c) => c.answer));
      assert.ok((await srv.terminate()) < 2_000, 'exits within 2 s');
    } finally {
      await upstream.close();
    }
  });
});
