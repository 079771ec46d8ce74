/**
 * §5 outbound guard in jobs over real HTTP: loopback in every spelling is refused unless
 * private networks are allowed (for the server, or for one connection). Every request here
 * goes to loopback.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, startUpstream } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import { fire } from './helpers/connections.js';

const DYNAMIC = `
name: fetch
trigger: {webhook: {path: fetch}}
steps:
  - id: call
    http: {url: "{{ trigger.body.url }}", retry: {attempts: 3, backoff: 10ms}}
`;
const VIA_CONNECTION = `
name: fetch-lan
trigger: {webhook: {path: fetch-lan}}
steps:
  - id: call
    http: {connection: lan, url: /status}
`;

void describe('outbound guard in jobs', () => {
  let upstream: { url: string; close(): Promise<void> };
  let port: string;
  let hits = 0;
  let srv: TestServer;
  before(async () => {
    upstream = await startUpstream((_req, _body, res) => {
      hits++;
      res.setHeader('content-type', 'application/json');
      res.end('{"reached":true}');
    });
    port = new URL(upstream.url).port;
    srv = await startServer([DYNAMIC, VIA_CONNECTION], {
      connections: [`name: lan\ntype: none\nbase_url: ${upstream.url}\nallow_private: true\n`],
    });
  });
  after(async () => {
    await srv.close();
    await upstream.close();
  });

  for (const host of [
    'localhost',
    '127.0.0.1',
    '127.3.2.1',
    '0x7f000001',
    '2130706433',
    '[::1]',
    '[::ffff:127.0.0.1]',
  ]) {
    test(`a job calling http://${host}:PORT fails with address_blocked and reaches nothing`, async () => {
      const before = hits;
      const job = await fire(srv, 'fetch', { url: `http://${host}:${port}/x` });
      assert.equal(job.status, 'failed');
      const step = job.steps[0]!;
      assert.match(
        step.error ?? '',
        /is a loopback address.*; outbound requests to it are refused/,
      );
      assert.equal(step.attempts, 1, 'a refused address is not retried');
      assert.equal(hits, before);
    });
  }

  test('a metadata address is refused the same way', async () => {
    const job = await fire(srv, 'fetch', { url: 'http://169.254.169.254/latest/meta-data/' });
    assert.match(job.steps[0]!.error ?? '', /169\.254\.169\.254 is a link-local address/);
  });

  test('a connection with allow_private: true reaches its private service', async () => {
    const job = await fire(srv, 'fetch-lan');
    assert.equal(job.status, 'succeeded', job.error ?? '');
    assert.deepEqual((job.steps[0]!.output as any).body, { reached: true });
  });
});

void describe('HOOKFLOW_ALLOW_PRIVATE_NETWORKS', () => {
  test('=1 lets jobs reach loopback', async () => {
    const upstream = await startUpstream((_req, _body, res) => res.end('ok'));
    const srv = await startServer([DYNAMIC], { env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' } });
    try {
      const job = await fire(srv, 'fetch', { url: `${upstream.url}/x` });
      assert.equal(job.status, 'succeeded', job.error ?? '');
    } finally {
      await srv.close();
      await upstream.close();
    }
  });

  test('a list allows those networks only', async () => {
    const upstream = await startUpstream((_req, _body, res) => res.end('ok'));
    const srv = await startServer([DYNAMIC], {
      env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '127.0.0.1/32, 10.0.0.0/8' },
    });
    try {
      const port = new URL(upstream.url).port;
      assert.equal(
        (await fire(srv, 'fetch', { url: `http://127.0.0.1:${port}/` })).status,
        'succeeded',
      );
      assert.equal(
        (await fire(srv, 'fetch', { url: `http://127.0.0.2:${port}/` })).status,
        'failed',
      );
    } finally {
      await srv.close();
      await upstream.close();
    }
  });

  test('a value that is neither 1, 0 nor a list of networks stops start-up naming it', async () => {
    await assert.rejects(
      startServer([], { env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: 'sometimes' } }),
      (e: unknown) =>
        /^invalid configuration: HOOKFLOW_ALLOW_PRIVATE_NETWORKS: .*'sometimes'/.test(
          (e as Error).message,
        ),
    );
  });
});
