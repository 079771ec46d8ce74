import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import type { ConnectionResolver, StepContext } from '../types.js';
import { StepError } from '../types.js';
import { executeHttpStep } from './http-step.js';
import { httpStep, startServer } from './testing.js';
import type { TestServer } from './testing.js';

void describe('http step: the request as the server receives it', () => {
  let server: TestServer;
  const agent = new Agent();
  const ctx = (extra: Partial<StepContext> = {}): StepContext => ({
    scope: { trigger: { body: { id: 7, tags: ['a', 'b'] } } },
    jobId: 'job-1',
    workflow: 'wf',
    dispatcher: agent,
    ...extra,
  });
  const last = () => {
    const req = server.requests.at(-1);
    assert.ok(req, 'the server received a request');
    return req;
  };

  before(async () => {
    server = await startServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) {
    void test(`${method} is sent as ${method}`, async () => {
      const { output } = await executeHttpStep(httpStep({ method, url: `${server.url}/m` }), ctx());
      assert.equal(last().method, method);
      assert.equal((output as { status: number }).status, 200);
    });
  }

  void test('templates render from the scope', async () => {
    await executeHttpStep(
      httpStep({
        url: (scope: Record<string, unknown>) =>
          `${server.url}/orders/${(scope.trigger as { body: { id: number } }).body.id}`,
        headers: { 'X-Order': (7).toString() },
      }),
      ctx(),
    );
    assert.equal(last().url, '/orders/7');
    assert.equal(last().headers['x-order'], '7');
  });

  void test('a json body is JSON with content-type application/json', async () => {
    await executeHttpStep(
      httpStep({ method: 'POST', url: `${server.url}/j`, body: { name: 'x', n: [1, 2] } }),
      ctx(),
    );
    assert.equal(last().headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(last().text), { name: 'x', n: [1, 2] });
  });

  void test('a content-type given by the step wins over the default', async () => {
    await executeHttpStep(
      httpStep({
        method: 'POST',
        url: `${server.url}/j`,
        headers: { 'Content-Type': 'application/vnd.api+json' },
        body: { a: 1 },
      }),
      ctx(),
    );
    assert.equal(last().headers['content-type'], 'application/vnd.api+json');
    assert.equal(last().text, '{"a":1}');
  });

  void test('a form body is urlencoded, lists as repeated keys', async () => {
    await executeHttpStep(
      httpStep({
        method: 'POST',
        url: `${server.url}/f`,
        bodyType: 'form',
        body: { name: 'a b&c', tag: ['x', 'y'], n: 3, ok: true, skip: null },
      }),
      ctx(),
    );
    assert.equal(last().headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(last().text, 'name=a+b%26c&tag=x&tag=y&n=3&ok=true');
  });

  void test('a raw string body is sent as it is', async () => {
    await executeHttpStep(
      httpStep({
        method: 'PUT',
        url: `${server.url}/r`,
        bodyType: 'raw',
        headers: { 'content-type': 'text/csv' },
        body: 'a,b\n1,2\n',
      }),
      ctx(),
    );
    assert.equal(last().headers['content-type'], 'text/csv');
    assert.equal(last().text, 'a,b\n1,2\n');
  });

  void test('a raw Buffer body is sent byte for byte, recorded as base64', async () => {
    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    const { input } = await executeHttpStep(
      httpStep({ method: 'POST', url: `${server.url}/r`, bodyType: 'raw', body: bytes }),
      ctx(),
    );
    assert.deepEqual(last().body, bytes);
    assert.equal(last().headers['content-type'], undefined);
    assert.deepEqual((input as { body: unknown }).body, { base64: 'AAEC/v8=', size: 5 });
  });

  void test('a raw object body is sent as JSON', async () => {
    await executeHttpStep(
      httpStep({ method: 'POST', url: `${server.url}/r`, bodyType: 'raw', body: { a: [1] } }),
      ctx(),
    );
    assert.equal(last().headers['content-type'], 'application/json');
    assert.equal(last().text, '{"a":[1]}');
  });

  void test('GET and HEAD are sent without a body', async () => {
    for (const method of ['GET', 'HEAD']) {
      const { input } = await executeHttpStep(
        httpStep({ method, url: `${server.url}/nb`, body: { ignored: true } }),
        ctx(),
      );
      assert.equal(last().text, '');
      assert.equal(last().headers['content-type'], undefined);
      assert.equal((input as { body: unknown }).body, null);
    }
  });

  void test('query values are appended, lists as repeated keys, after a query the URL has', async () => {
    const { input } = await executeHttpStep(
      httpStep({
        url: `${server.url}/q?fixed=1`,
        query: { q: 'a b/ü', tag: ['x', 'y'], n: 2, on: false, none: null },
      }),
      ctx(),
    );
    assert.equal(last().url, '/q?fixed=1&q=a+b%2F%C3%BC&tag=x&tag=y&n=2&on=false');
    const recorded = input as { url: string; query: unknown };
    assert.equal(recorded.url, `${server.url}/q?fixed=1&q=a+b%2F%C3%BC&tag=x&tag=y&n=2&on=false`);
    assert.deepEqual(recorded.query, {
      q: 'a b/ü',
      tag: ['x', 'y'],
      n: 2,
      on: false,
      none: null,
    });
  });

  void test('a nested object in the query is refused with a clear error', async () => {
    await assert.rejects(
      executeHttpStep(httpStep({ url: `${server.url}/q`, query: { filter: { a: 1 } } }), ctx()),
      (e: unknown) =>
        e instanceof StepError && e.code === 'invalid_request' && /query\.filter/.test(e.message),
    );
  });

  void test('the recorded input is the request as sent', async () => {
    const { input, attempts } = await executeHttpStep(
      httpStep({
        method: 'POST',
        url: `${server.url}/in`,
        headers: { accept: 'application/json' },
        query: { a: 1 },
        body: { b: 2 },
      }),
      ctx(),
    );
    assert.equal(attempts, 1);
    assert.deepEqual(input, {
      method: 'POST',
      url: `${server.url}/in?a=1`,
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      query: { a: 1 },
      body: { b: 2 },
    });
  });

  void test('a relative URL without a connection fails with invalid_url and sends nothing', async () => {
    const before = server.requests.length;
    await assert.rejects(
      executeHttpStep(httpStep({ url: '/users/me' }), ctx()),
      (e: unknown) =>
        e instanceof StepError &&
        e.code === 'invalid_url' &&
        e.attempts === 0 &&
        /'\/users\/me' is not an absolute URL/.test(e.message),
    );
    assert.equal(server.requests.length, before);
  });

  void test('a URL that is not http(s) fails with invalid_url', async () => {
    await assert.rejects(
      executeHttpStep(httpStep({ url: 'file:///etc/passwd' }), ctx()),
      (e: unknown) => e instanceof StepError && e.code === 'invalid_url',
    );
  });

  void test('a url that renders to nothing fails with invalid_url', async () => {
    await assert.rejects(
      executeHttpStep(httpStep({ url: () => undefined }), ctx()),
      (e: unknown) => e instanceof StepError && e.code === 'invalid_url',
    );
  });

  void test('a connection joins a relative URL to its base and adds its credentials', async () => {
    const applied: string[] = [];
    const connections: ConnectionResolver = {
      apply: (name, req) => {
        applied.push(name);
        return Promise.resolve({
          ...req,
          url: `${server.url}/api${req.url}`,
          headers: { ...req.headers, 'x-api-key': 'k-123456' },
        });
      },
      secrets: () => ['k-123456'],
    };
    const { input } = await executeHttpStep(
      httpStep({ connection: 'crm', url: '/users', query: { page: 2 } }),
      ctx({ connections }),
    );
    assert.deepEqual(applied, ['crm']);
    assert.equal(last().url, '/api/users?page=2');
    assert.equal(last().headers['x-api-key'], 'k-123456');
    assert.equal((input as { url: string }).url, `${server.url}/api/users?page=2`);
  });

  void test('a connection that leaves the URL relative fails with invalid_url naming it', async () => {
    const connections: ConnectionResolver = {
      apply: (_name, req) => Promise.resolve(req),
      secrets: () => [],
    };
    await assert.rejects(
      executeHttpStep(httpStep({ connection: 'crm', url: '/users' }), ctx({ connections })),
      (e: unknown) =>
        e instanceof StepError && e.code === 'invalid_url' && /connection 'crm'/.test(e.message),
    );
  });

  void test('a connection that cannot be applied fails with connection_failed, redacted', async () => {
    const connections: ConnectionResolver = {
      apply: () => Promise.reject(new Error('token endpoint refused client secret cs-987654')),
      secrets: () => ['cs-987654'],
    };
    await assert.rejects(
      executeHttpStep(httpStep({ connection: 'crm', url: '/users' }), ctx({ connections })),
      (e: unknown) =>
        e instanceof StepError &&
        e.code === 'connection_failed' &&
        e.attempts === 0 &&
        e.message === "connection 'crm': token endpoint refused client secret [redacted]",
    );
  });

  void test('a step with a connection and no resolver fails with connection_unavailable', async () => {
    await assert.rejects(
      executeHttpStep(httpStep({ connection: 'crm', url: '/users' }), ctx()),
      (e: unknown) => e instanceof StepError && e.code === 'connection_unavailable',
    );
  });

  void test('without ctx.dispatcher the global dispatcher sends it', async () => {
    const { output } = await executeHttpStep(httpStep({ url: `${server.url}/g` }), {
      scope: {},
      jobId: 'j',
      workflow: 'wf',
    });
    assert.equal((output as { status: number }).status, 200);
  });
});
