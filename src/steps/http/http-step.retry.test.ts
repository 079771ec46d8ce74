import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import type { StepContext } from '../types.js';
import { StepError } from '../types.js';
import { executeHttpStep } from './http-step.js';
import type { HttpFailureOutput, HttpResponseOutput } from './http-step.js';
import { httpStep, startServer } from './testing.js';
import type { ReceivedRequest, TestServer } from './testing.js';

type Reply = (res: ServerResponse, n: number) => void;

void describe('http step: retries, time-outs and errors', () => {
  let server: TestServer;
  const agent = new Agent();
  const ctx = (extra: Partial<StepContext> = {}): StepContext => ({
    scope: {},
    jobId: 'job-1',
    workflow: 'wf',
    dispatcher: agent,
    ...extra,
  });
  // Each test serves a path of its own; `n` counts the requests to that path.
  const replies = new Map<string, { reply: Reply; seen: ReceivedRequest[] }>();
  let next = 0;
  const serve = (reply: Reply) => {
    const path = `/p${++next}`;
    const entry = { reply, seen: [] as ReceivedRequest[] };
    replies.set(path, entry);
    return { url: `${server.url}${path}`, seen: entry.seen };
  };
  const status =
    (code: number, headers: Record<string, string> = {}, body = '') =>
    (res: ServerResponse) => {
      res.writeHead(code, headers);
      res.end(body);
    };
  const ok = status(200, { 'content-type': 'application/json' }, '{"ok":true}');

  before(async () => {
    server = await startServer((req, res) => {
      const entry = replies.get(req.url.split('?')[0] ?? '');
      if (!entry) return status(404)(res);
      entry.seen.push(req);
      entry.reply(res, entry.seen.length);
    });
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  void test('a 503 is retried and the success is the output (attempts = 2)', async () => {
    const { url, seen } = serve((res, n) => (n === 1 ? status(503)(res) : ok(res)));
    const outcome = await executeHttpStep(
      httpStep({ url, retry: { attempts: 3, backoffMs: 10 } }),
      ctx(),
    );
    assert.equal(outcome.attempts, 2);
    assert.equal(seen.length, 2);
    assert.deepEqual((outcome.output as HttpResponseOutput).body, { ok: true });
  });

  void test('the backoff doubles after each failure', async () => {
    const { url, seen } = serve((res, n) => (n < 3 ? status(500)(res) : ok(res)));
    const outcome = await executeHttpStep(
      httpStep({ url, retry: { attempts: 3, backoffMs: 60 } }),
      ctx(),
    );
    assert.equal(outcome.attempts, 3);
    const [a, b, c] = seen.map((r) => r.at);
    assert.ok(b! - a! >= 55, `first wait ${b! - a!} ms`);
    assert.ok(c! - b! >= 115, `second wait ${c! - b!} ms`);
  });

  void test('a 429 is retried', async () => {
    const { url } = serve((res, n) => (n === 1 ? status(429)(res) : ok(res)));
    const outcome = await executeHttpStep(
      httpStep({ url, retry: { attempts: 2, backoffMs: 10 } }),
      ctx(),
    );
    assert.equal(outcome.attempts, 2);
    assert.equal((outcome.output as HttpResponseOutput).status, 200);
  });

  void test('Retry-After in seconds is waited for instead of the backoff', async () => {
    const { url, seen } = serve((res, n) =>
      n === 1 ? status(429, { 'retry-after': '1' })(res) : ok(res),
    );
    const outcome = await executeHttpStep(
      httpStep({ url, retry: { attempts: 2, backoffMs: 10 } }),
      ctx(),
    );
    assert.equal(outcome.attempts, 2);
    const wait = seen[1]!.at - seen[0]!.at;
    assert.ok(wait >= 950, `waited ${wait} ms`);
  });

  void test('a Retry-After over 60 s ends the retries with that response as the failure', async () => {
    const { url, seen } = serve(
      status(503, { 'retry-after': '120', 'content-type': 'text/plain' }, 'busy'),
    );
    const started = Date.now();
    await assert.rejects(
      executeHttpStep(httpStep({ url, retry: { attempts: 5, backoffMs: 10 } }), ctx()),
      (e: unknown) => {
        assert.ok(e instanceof StepError);
        assert.equal(e.code, 'http_status');
        assert.equal(e.attempts, 1);
        assert.match(e.message, /answered 503 \(its Retry-After asks for 120 s/);
        assert.equal((e.output as HttpResponseOutput).body, 'busy');
        return true;
      },
    );
    assert.equal(seen.length, 1);
    assert.ok(Date.now() - started < 3000);
  });

  void test('retries that run out fail with the last response and the attempts made', async () => {
    const { url, seen } = serve(status(429, { 'content-type': 'application/json' }, '{"e":1}'));
    await assert.rejects(
      executeHttpStep(httpStep({ url, retry: { attempts: 3, backoffMs: 5 } }), ctx()),
      (e: unknown) => {
        assert.ok(e instanceof StepError);
        assert.equal(e.code, 'http_status');
        assert.equal(e.attempts, 3);
        assert.deepEqual((e.output as HttpResponseOutput).body, { e: 1 });
        return true;
      },
    );
    assert.equal(seen.length, 3);
  });

  void test('a 4xx other than 429 is not retried', async () => {
    const { url, seen } = serve(status(404));
    await assert.rejects(
      executeHttpStep(httpStep({ url, retry: { attempts: 3, backoffMs: 5 } }), ctx()),
      (e: unknown) => e instanceof StepError && e.attempts === 1,
    );
    assert.equal(seen.length, 1);
  });

  void test('errors: fail — a non-2xx throws http_status with input, output and attempts', async () => {
    const { url } = serve(status(404, { 'content-type': 'application/json' }, '{"error":"nope"}'));
    await assert.rejects(executeHttpStep(httpStep({ url }), ctx()), (e: unknown) => {
      assert.ok(e instanceof StepError);
      assert.equal(e.code, 'http_status');
      assert.equal(e.message, `GET ${url} answered 404`);
      assert.equal(e.attempts, 1);
      assert.deepEqual((e.input as { method: string; url: string }).url, url);
      const output = e.output as HttpResponseOutput;
      assert.equal(output.status, 404);
      assert.deepEqual(output.body, { error: 'nope' });
      return true;
    });
  });

  void test('errors: continue — a non-2xx response is the output', async () => {
    const { url } = serve(status(500, { 'content-type': 'text/plain' }, 'boom'));
    const outcome = await executeHttpStep(
      httpStep({ url, errors: 'continue', retry: { attempts: 2, backoffMs: 5 } }),
      ctx(),
    );
    assert.equal(outcome.attempts, 2);
    const output = outcome.output as HttpResponseOutput;
    assert.equal(output.status, 500);
    assert.equal(output.body, 'boom');
  });

  void describe('when nothing answers', () => {
    let refusedUrl: string;
    before(async () => {
      // A port that was just listening and is now closed: connections are refused.
      const closed = await startServer((_req, res) => ok(res));
      refusedUrl = `${closed.url}/x`;
      await closed.close();
    });

    void test('errors: continue — connection refused is {status: 0, error, headers: {}, body: null}', async () => {
      const outcome = await executeHttpStep(
        httpStep({ url: refusedUrl, errors: 'continue', retry: { attempts: 2, backoffMs: 5 } }),
        ctx(),
      );
      assert.equal(outcome.attempts, 2);
      const output = outcome.output as HttpFailureOutput;
      assert.equal(output.status, 0);
      assert.match(output.error, /ECONNREFUSED/);
      assert.deepEqual(output.headers, {});
      assert.equal(output.body, null);
    });

    void test('errors: fail — connection refused fails with network_error', async () => {
      await assert.rejects(
        executeHttpStep(httpStep({ url: refusedUrl, retry: { attempts: 2, backoffMs: 5 } }), ctx()),
        (e: unknown) =>
          e instanceof StepError &&
          e.code === 'network_error' &&
          e.attempts === 2 &&
          /^GET http:\/\/127\.0\.0\.1:\d+\/x failed: .*ECONNREFUSED.*\(after 2 attempts\)$/.test(
            e.message,
          ),
      );
    });
  });

  void describe('time-outs', () => {
    const silent = () => undefined; // never answers

    void test('no response within timeoutMs fails with timeout', async () => {
      const { url } = serve(silent);
      const started = Date.now();
      await assert.rejects(
        executeHttpStep(httpStep({ url, timeoutMs: 150 }), ctx()),
        (e: unknown) =>
          e instanceof StepError && e.code === 'timeout' && /within 150 ms/.test(e.message),
      );
      assert.ok(Date.now() - started < 3000);
    });

    void test('the timeout covers the body too', async () => {
      const { url } = serve((res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial'); // and never ends
      });
      await assert.rejects(
        executeHttpStep(httpStep({ url, timeoutMs: 150 }), ctx()),
        (e: unknown) => e instanceof StepError && e.code === 'timeout',
      );
    });

    void test('a time-out is retried', async () => {
      const { url } = serve((res, n) => (n === 1 ? undefined : ok(res)));
      const outcome = await executeHttpStep(
        httpStep({ url, timeoutMs: 500, retry: { attempts: 2, backoffMs: 5 } }),
        ctx(),
      );
      assert.equal(outcome.attempts, 2);
    });

    void test('errors: continue — a time-out is status 0 with the reason', async () => {
      const { url } = serve(silent);
      const { output } = await executeHttpStep(
        httpStep({ url, timeoutMs: 100, errors: 'continue' }),
        ctx(),
      );
      assert.equal((output as HttpFailureOutput).status, 0);
      assert.match((output as HttpFailureOutput).error, /within 100 ms/);
    });
  });

  void describe('cancellation', () => {
    void test('the job signal cancels a request in flight: aborted, even with errors: continue', async () => {
      const { url } = serve(() => undefined);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(
        executeHttpStep(
          httpStep({ url, errors: 'continue', retry: { attempts: 3, backoffMs: 5 } }),
          ctx({ signal: controller.signal }),
        ),
        (e: unknown) => e instanceof StepError && e.code === 'aborted',
      );
    });

    void test('the job signal cancels the wait before a retry', async () => {
      const controller = new AbortController();
      // Cancel once the first 503 is out, while the step waits 10 s to try again.
      const { url, seen } = serve((res) => {
        status(503)(res);
        setTimeout(() => controller.abort(), 50);
      });
      const started = Date.now();
      await assert.rejects(
        executeHttpStep(
          httpStep({ url, retry: { attempts: 3, backoffMs: 10_000 } }),
          ctx({ signal: controller.signal }),
        ),
        (e: unknown) => e instanceof StepError && e.code === 'aborted' && e.attempts === 1,
      );
      assert.equal(seen.length, 1);
      assert.ok(Date.now() - started < 5000);
    });
  });
});
