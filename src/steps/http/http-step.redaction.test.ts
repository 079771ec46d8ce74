import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import type { ConnectionResolver, StepContext } from '../types.js';
import { StepError } from '../types.js';
import { executeHttpStep } from './http-step.js';
import type { HttpResponseOutput, HttpStepInput } from './http-step.js';
import { appendQuery } from './build-request.js';
import { httpStep, startServer } from './testing.js';
import type { TestServer } from './testing.js';

const SECRET = 's3cr3t/+ value';

void describe('http step: credentials never reach the recorded input and output', () => {
  let server: TestServer;
  const agent = new Agent();
  // Echoes what it received, as services like httpbin do, with the status asked for in `?status=`.
  before(async () => {
    server = await startServer((req, res) => {
      const status = Number(new URL(req.url, 'http://x').searchParams.get('status') ?? 200);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: req.url, headers: req.headers, body: req.text }));
    });
  });
  after(async () => {
    await server.close();
    await agent.close();
  });

  const connections: ConnectionResolver = {
    apply: (_name, req) =>
      Promise.resolve({
        ...req,
        url: appendQuery(`${server.url}${req.url}`, [['api_key', SECRET]]),
        headers: { ...req.headers, 'X-Custom-Auth': `Key ${SECRET}` },
      }),
    secrets: () => [SECRET],
  };
  const ctx: StepContext = {
    scope: {},
    jobId: 'j',
    workflow: 'wf',
    dispatcher: agent,
    connections,
  };

  void test('credential and signature headers are sent, and recorded as [redacted]', async () => {
    const headers = {
      Authorization: 'Bearer abc',
      'Proxy-Authorization': 'Basic xyz',
      Cookie: 'sid=1',
      'X-Api-Key': 'k1',
      'X-Hub-Signature-256': 'sha256=00',
      'X-Auth-Token': 't1',
      'X-Client-Secret': 'c1',
      Accept: 'application/json',
    };
    const { input, output } = await executeHttpStep(httpStep({ url: `${server.url}/h`, headers }), {
      ...ctx,
      connections: undefined,
    });
    const received = server.requests.at(-1)!.headers;
    assert.equal(received.authorization, 'Bearer abc');
    assert.equal(received['x-hub-signature-256'], 'sha256=00');
    assert.deepEqual((input as HttpStepInput).headers, {
      Authorization: '[redacted]',
      'Proxy-Authorization': '[redacted]',
      Cookie: '[redacted]',
      'X-Api-Key': '[redacted]',
      'X-Hub-Signature-256': '[redacted]',
      'X-Auth-Token': '[redacted]',
      'X-Client-Secret': '[redacted]',
      Accept: 'application/json',
    });
    // The response is the service's own data: only connection secrets are taken out of it.
    const echoed = (output as HttpResponseOutput).body as { headers: Record<string, string> };
    assert.equal(echoed.headers.authorization, 'Bearer abc');
  });

  void test("a connection's secrets are redacted in the URL, headers, query, body and output", async () => {
    const { input, output } = await executeHttpStep(
      httpStep({
        method: 'POST',
        connection: 'crm',
        url: '/items',
        query: { note: `x ${SECRET}` },
        body: { copy: SECRET, list: [`a${SECRET}b`] },
      }),
      ctx,
    );
    const received = server.requests.at(-1)!;
    assert.equal(new URL(received.url, 'http://x').searchParams.get('api_key'), SECRET);
    assert.equal(received.headers['x-custom-auth'], `Key ${SECRET}`);

    const recorded = input as HttpStepInput;
    const everything = JSON.stringify({ input, output });
    assert.ok(!everything.includes(SECRET), everything);
    assert.ok(!everything.includes(encodeURIComponent(SECRET)), everything);
    assert.ok(!everything.includes('s3cr3t'), everything);
    assert.match(recorded.url, /api_key=\[redacted\]$/);
    assert.equal(recorded.headers['X-Custom-Auth'], 'Key [redacted]');
    assert.deepEqual(recorded.query, { note: 'x [redacted]' });
    assert.deepEqual(recorded.body, { copy: '[redacted]', list: ['a[redacted]b'] });
    const echoed = (output as HttpResponseOutput).body as { headers: Record<string, string> };
    assert.equal(echoed.headers['x-custom-auth'], 'Key [redacted]');
  });

  void test('a secret inside a binary body (recorded as base64) is redacted too', async () => {
    const { output } = await executeHttpStep(
      httpStep({ connection: 'crm', url: '/x', response: 'binary' }),
      ctx,
    );
    const body = (output as HttpResponseOutput).body as { base64: string; size: number };
    const decoded = Buffer.from(body.base64, 'base64').toString('utf8');
    assert.ok(!decoded.includes('s3cr3t'), decoded);
    assert.match(decoded, /\[redacted\]/);
    assert.equal(body.size, Buffer.from(body.base64, 'base64').length);
  });

  void test('the failure message and the failed output are redacted too', async () => {
    await assert.rejects(
      executeHttpStep(httpStep({ connection: 'crm', url: '/x?status=403' }), ctx),
      (e: unknown) => {
        assert.ok(e instanceof StepError);
        assert.equal(e.code, 'http_status');
        assert.match(
          e.message,
          /^GET http:\/\/127\.0\.0\.1:\d+\/x\?status=403&api_key=\[redacted\] answered 403$/,
        );
        assert.ok(!JSON.stringify([e.message, e.input, e.output]).includes('s3cr3t'));
        return true;
      },
    );
  });
});
