import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { HookflowError } from '../../errors.js';
import type { ConnectionResolver, StepContext } from '../types.js';
import { StepError } from '../types.js';
import { executeHttpStep } from './http-step.js';
import { httpStep, startServer } from './testing.js';
import type { TestServer } from './testing.js';

type Reply = (res: ServerResponse, n: number) => void;

/** A connection whose throttle the test scripts: each turn "waits" `waitMs`. */
function throttled(opts: { waitMs?: number; pauses?: boolean; refuse?: Error } = {}) {
  const turns: number[] = [];
  const pauses: Array<[string, number, number]> = [];
  const resolver: ConnectionResolver = {
    apply: async (_name, req) => req,
    secrets: () => [],
    async awaitTurn() {
      if (opts.refuse) throw opts.refuse;
      turns.push(Date.now());
      return opts.waitMs ?? 0;
    },
    async pause(name, ms, status) {
      pauses.push([name, ms, status]);
      return opts.pauses ?? true;
    },
  };
  return { resolver, turns, pauses };
}

void describe('http step: connection throttles', () => {
  let server: TestServer;
  const agent = new Agent();
  const replies = new Map<string, { reply: Reply; n: number }>();
  let next = 0;
  const serve = (reply: Reply) => {
    const path = `/t${++next}`;
    const entry = { reply, n: 0 };
    replies.set(path, entry);
    return { url: `${server.url}${path}`, count: () => entry.n };
  };
  const ctx = (connections: ConnectionResolver): StepContext => ({
    scope: {},
    jobId: 'job-1',
    workflow: 'wf',
    dispatcher: agent,
    connections,
  });
  const tooMany = (res: ServerResponse) => {
    res.writeHead(429, { 'retry-after': '1' });
    res.end();
  };
  const ok = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  };

  before(async () => {
    server = await startServer((req, res) => {
      const entry = replies.get(req.url.split('?')[0] ?? '');
      if (!entry) {
        res.writeHead(404).end();
        return;
      }
      entry.n++;
      entry.reply(res, entry.n);
    });
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  void test('every try waits for a turn; the step records the waits added up as waitedMs', async () => {
    const { url } = serve((res, n) => (n === 1 ? res.writeHead(503).end() : ok(res)));
    const { resolver, turns } = throttled({ waitMs: 40 });
    const outcome = await executeHttpStep(
      httpStep({ url, connection: 'crm', retry: { attempts: 2, backoffMs: 1 } }),
      ctx(resolver),
    );
    assert.equal(outcome.attempts, 2);
    assert.equal(turns.length, 2);
    assert.equal(outcome.waitedMs, 80);
  });

  void test('a 429 with Retry-After pauses the connection; the next try waits in its turn, not on its own', async () => {
    const { url } = serve((res, n) => (n === 1 ? tooMany(res) : ok(res)));
    const { resolver, turns, pauses } = throttled();
    const outcome = await executeHttpStep(
      httpStep({ url, connection: 'crm', retry: { attempts: 2, backoffMs: 1 } }),
      ctx(resolver),
    );
    assert.deepEqual(pauses, [['crm', 1000, 429]]);
    assert.equal(outcome.attempts, 2);
    // The scripted turn does not wait: a try that slept for Retry-After itself would be 1 s later.
    assert.ok(turns[1]! - turns[0]! < 900, `${turns[1]! - turns[0]!} ms between the tries`);
  });

  void test('where the connection cannot be paused, the step sleeps for Retry-After itself', async () => {
    const { url } = serve((res, n) => (n === 1 ? tooMany(res) : ok(res)));
    const { resolver, turns } = throttled({ pauses: false });
    await executeHttpStep(
      httpStep({ url, connection: 'crm', retry: { attempts: 2, backoffMs: 1 } }),
      ctx(resolver),
    );
    assert.ok(turns[1]! - turns[0]! >= 950, `${turns[1]! - turns[0]!} ms between the tries`);
  });

  void test('the last try’s 429 still pauses the connection for the others, and fails the step with its wait', async () => {
    const { url } = serve(tooMany);
    const { resolver, pauses } = throttled({ waitMs: 15 });
    await assert.rejects(
      executeHttpStep(httpStep({ url, connection: 'crm' }), ctx(resolver)),
      (e: unknown) => {
        assert.ok(e instanceof StepError);
        assert.equal(e.code, 'http_status');
        assert.equal(e.waitedMs, 15);
        return true;
      },
    );
    assert.deepEqual(pauses, [['crm', 1000, 429]]);
  });

  void test('a connection paused for too long fails the step with its code, and nothing is sent', async () => {
    const { url, count } = serve(ok);
    const refuse = new HookflowError('connection_paused', 'the service asked for 540 s more');
    const { resolver } = throttled({ refuse });
    await assert.rejects(
      executeHttpStep(httpStep({ url, connection: 'crm' }), ctx(resolver)),
      (e: unknown) => {
        assert.ok(e instanceof StepError);
        assert.equal(e.code, 'connection_paused');
        assert.match(e.message, /^connection 'crm': the service asked for 540 s more/);
        return true;
      },
    );
    assert.equal(count(), 0);
  });
});
