import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import type { ConnectionResolver, OutboundRequest, StepContext } from '../types.js';
import { StepError } from '../types.js';
import { executeHttpStep } from './http-step.js';
import type { HttpResponseOutput } from './http-step.js';
import { httpStep, startServer } from './testing.js';
import type { TestServer } from './testing.js';

/** A connection whose token is renewed on a 401: `tok-1`, then `tok-2`, … */
function renewingConnection(server: () => TestServer, opts: { fail?: boolean } = {}) {
  let version = 1;
  const renewals: string[] = [];
  const resolver: ConnectionResolver = {
    apply: (_n, req: OutboundRequest) =>
      Promise.resolve({
        ...req,
        url: `${server().url}${req.url}`,
        headers: { ...req.headers, Authorization: `Bearer tok-${version}` },
      }),
    secrets: () => [`tok-${version}`],
    onUnauthorized: (_n, sent) => {
      renewals.push(sent.headers.Authorization ?? '');
      if (opts.fail) return Promise.reject(new Error('the refresh token was refused'));
      version++;
      return Promise.resolve(true);
    },
  };
  return { resolver, renewals };
}

void describe('http step: a 401 renews the connection once and sends again', () => {
  let server: TestServer;
  const agent = new Agent();
  // Accepts only the token named in ?accept= (default tok-2).
  before(async () => {
    server = await startServer((req, res) => {
      const accept = new URL(req.url, 'http://x').searchParams.get('accept') ?? 'tok-2';
      const ok = req.headers.authorization === `Bearer ${accept}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok }));
    });
  });
  after(async () => {
    await server.close();
    await agent.close();
  });
  const ctx = (connections: ConnectionResolver): StepContext => ({
    scope: {},
    jobId: 'j',
    workflow: 'wf',
    dispatcher: agent,
    connections,
  });

  void test('after a 401 the request is sent again with the renewed token', async () => {
    const { resolver, renewals } = renewingConnection(() => server);
    const before = server.requests.length;
    const { output, attempts } = await executeHttpStep(
      httpStep({ connection: 'crm', url: '/me' }),
      ctx(resolver),
    );
    assert.equal((output as HttpResponseOutput).status, 200);
    assert.deepEqual(renewals, ['Bearer tok-1']);
    assert.equal(server.requests.length - before, 2);
    assert.equal(server.requests.at(-1)!.headers.authorization, 'Bearer tok-2');
    assert.equal(attempts, 2);
  });

  void test('a second 401 is not renewed again: the step fails with http_status', async () => {
    const { resolver, renewals } = renewingConnection(() => server);
    await assert.rejects(
      executeHttpStep(httpStep({ connection: 'crm', url: '/me?accept=never' }), ctx(resolver)),
      (e: unknown) => e instanceof StepError && e.code === 'http_status' && /401/.test(e.message),
    );
    assert.equal(renewals.length, 1);
  });

  void test('a renewal that fails fails the step with a message naming the connection', async () => {
    const { resolver } = renewingConnection(() => server, { fail: true });
    await assert.rejects(
      executeHttpStep(httpStep({ connection: 'crm', url: '/me' }), ctx(resolver)),
      (e: unknown) =>
        e instanceof StepError &&
        /^connection 'crm' after the server answered 401: the refresh token was refused$/.test(
          e.message,
        ),
    );
  });

  void test('a connection that cannot renew gets the 401 as the response', async () => {
    const { resolver } = renewingConnection(() => server);
    const plain: ConnectionResolver = { ...resolver, onUnauthorized: () => Promise.resolve(false) };
    const { output } = await executeHttpStep(
      httpStep({ connection: 'crm', url: '/me', errors: 'continue' }),
      ctx(plain),
    );
    assert.equal((output as HttpResponseOutput).status, 401);
    assert.deepEqual((output as HttpResponseOutput).body, { ok: false });
  });

  void test('the renewed token is redacted from the recorded input', async () => {
    const { resolver } = renewingConnection(() => server);
    const { input } = await executeHttpStep(
      httpStep({ connection: 'crm', url: '/me', headers: { 'X-Echo': 'tok-2' } }),
      ctx(resolver),
    );
    assert.ok(!JSON.stringify(input).includes('tok-2'), JSON.stringify(input));
  });
});
