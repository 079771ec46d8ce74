import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { createOutboundAgent } from '../../connections/index.js';
import type { ConnectionResolver, StepContext } from '../types.js';
import { StepError } from '../types.js';
import { executeHttpStep } from './http-step.js';
import type { HttpResponseOutput } from './http-step.js';
import { httpStep, startServer } from './testing.js';
import type { TestServer } from './testing.js';

void describe('http step: redirects', () => {
  // Two servers: two origins on loopback (the port differs).
  let home: TestServer;
  let other: TestServer;
  const agent = new Agent();
  const ctx: StepContext = { scope: {}, jobId: 'j', workflow: 'wf', dispatcher: agent };

  before(async () => {
    other = await startServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ at: 'other', method: req.method, headers: req.headers }));
    });
    home = await startServer((req, res) => {
      const url = new URL(req.url, 'http://x');
      const to = url.searchParams.get('to');
      const status = Number(url.searchParams.get('status') ?? 302);
      if (url.pathname === '/hop' && to) {
        res.writeHead(status, { location: to === 'other' ? `${other.url}/landed` : to });
        return void res.end();
      }
      if (url.pathname === '/loop') {
        res.writeHead(302, { location: '/loop' });
        return void res.end();
      }
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ at: 'home', path: url.pathname, method: req.method, body: req.text }),
      );
    });
  });
  after(async () => {
    await home.close();
    await other.close();
    await agent.close();
  });

  const body = (out: unknown) => (out as HttpResponseOutput).body as Record<string, any>;

  void test('a redirect is followed and the final response is the output', async () => {
    const { output } = await executeHttpStep(httpStep({ url: `${home.url}/hop?to=/final` }), ctx);
    assert.equal((output as HttpResponseOutput).status, 200);
    assert.deepEqual(body(output), { at: 'home', path: '/final', method: 'GET', body: '' });
  });

  void test('303 turns a POST into a GET without its body', async () => {
    const { output } = await executeHttpStep(
      httpStep({ method: 'POST', url: `${home.url}/hop?to=/after&status=303`, body: { a: 1 } }),
      ctx,
    );
    assert.equal(body(output).method, 'GET');
    assert.equal(body(output).body, '');
  });

  void test('307 keeps the method and the body', async () => {
    const { output } = await executeHttpStep(
      httpStep({ method: 'POST', url: `${home.url}/hop?to=/after&status=307`, body: { a: 1 } }),
      ctx,
    );
    assert.equal(body(output).method, 'POST');
    assert.equal(body(output).body, '{"a":1}');
  });

  void test('more redirects than max_redirects fail with too_many_redirects', async () => {
    await assert.rejects(
      executeHttpStep(httpStep({ url: `${home.url}/loop`, maxRedirects: 3 }), ctx),
      (e: unknown) =>
        e instanceof StepError &&
        e.code === 'too_many_redirects' &&
        /more than 3 redirects/.test(e.message),
    );
    assert.equal(home.requests.filter((r) => r.url === '/loop').length >= 4, true);
  });

  void test("a redirect to another origin drops Authorization, cookies and the connection's headers", async () => {
    const connections: ConnectionResolver = {
      apply: (_n, req) =>
        Promise.resolve({ ...req, headers: { ...req.headers, 'X-Api-Key': 'k-123456' } }),
      secrets: () => ['k-123456'],
    };
    const { output } = await executeHttpStep(
      httpStep({
        connection: 'svc',
        url: `${home.url}/hop?to=other`,
        headers: { Authorization: 'Bearer t', Cookie: 'a=1', Accept: 'application/json' },
      }),
      { ...ctx, connections },
    );
    const received = body(output).headers as Record<string, string>;
    assert.equal(body(output).at, 'other');
    assert.equal(received['x-api-key'], undefined);
    assert.equal(received.authorization, undefined);
    assert.equal(received.cookie, undefined);
    assert.equal(received.accept, 'application/json');
  });

  void test('a redirect on the same origin keeps the credentials', async () => {
    const connections: ConnectionResolver = {
      apply: (_n, req) =>
        Promise.resolve({ ...req, headers: { ...req.headers, 'X-Api-Key': 'k-123456' } }),
      secrets: () => ['k-123456'],
    };
    await executeHttpStep(httpStep({ connection: 'svc', url: `${home.url}/hop?to=/kept` }), {
      ...ctx,
      connections,
    });
    const last = home.requests.at(-1)!;
    assert.equal(last.url, '/kept');
    assert.equal(last.headers['x-api-key'], 'k-123456');
  });

  void test('every redirect is checked by the SSRF guard: one to a refused address fails', async () => {
    // 127.0.0.1 (the first hop) is allowed; the redirect target 127.0.0.2 is not.
    const guard = createOutboundAgent({ allowPrivate: false, allowNetworks: ['127.0.0.1'] });
    try {
      const target = `http://127.0.0.2:${other.port}/never`;
      await assert.rejects(
        executeHttpStep(httpStep({ url: `${home.url}/hop?to=${encodeURIComponent(target)}` }), {
          ...ctx,
          dispatcher: guard,
        }),
        (e: unknown) =>
          e instanceof StepError && e.code === 'address_blocked' && /127\.0\.0\.2/.test(e.message),
      );
      assert.equal(other.requests.filter((r) => r.url === '/never').length, 0);
    } finally {
      await guard.close();
    }
  });

  void test('a refused address is not retried', async () => {
    const guard = createOutboundAgent({ allowPrivate: false });
    try {
      await assert.rejects(
        executeHttpStep(httpStep({ url: `${home.url}/x`, retry: { attempts: 3, backoffMs: 1 } }), {
          ...ctx,
          dispatcher: guard,
        }),
        (e: unknown) => e instanceof StepError && e.code === 'address_blocked' && e.attempts === 1,
      );
    } finally {
      await guard.close();
    }
  });
});
