/**
 * Issue 17 item 6, the database going away: cut PostgreSQL off through a loopback proxy the
 * test controls. While it is gone webhooks are answered 503 store_unavailable (never a 202 the
 * ingress cannot keep) and /healthz says so; when it is back, 202s again without a restart,
 * and every 202 has its job, run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { POSTGRES_SKIP, startDatabaseProxy } from './helpers/backends.js';
import { startServer, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import type { TcpProxy } from './helpers/tcp-proxy.js';

const WORKFLOW = `
name: orders
trigger: {webhook: {path: orders}}
steps:
  - id: calc
    set: {n: "{{ trigger.body.n }}"}
`;

describe('PostgreSQL out of reach', { skip: POSTGRES_SKIP }, () => {
  let proxy: TcpProxy;
  let srv: TestServer;
  before(async () => {
    let url: string;
    ({ proxy, url } = await startDatabaseProxy());
    srv = await startServer([WORKFLOW], {
      backend: 'postgres',
      env: { HOOKFLOW_DATABASE_URL: url },
    });
  });
  after(async () => {
    proxy.restore();
    await srv?.close();
    await proxy?.close();
  });

  const send = (n: number) =>
    fetch(`${srv.url}/hooks/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n }),
    });

  test('webhooks get 503 store_unavailable with Retry-After while it is cut, 202 again after, and every 202 has its job', async () => {
    const accepted: string[] = [];
    const refused: Response[] = [];
    let n = 0;
    async function sendAndRecord(): Promise<Response> {
      const res = await send(n++);
      if (res.status === 202) accepted.push(((await res.json()) as { id: string }).id);
      else refused.push(res);
      return res;
    }

    assert.equal((await sendAndRecord()).status, 202);
    proxy.cut();
    const during = await sendAndRecord();
    assert.equal(during.status, 503);
    assert.equal(during.headers.get('retry-after'), '5');
    assert.equal(((await during.json()) as any).error.code, 'store_unavailable');
    for (let i = 0; i < 5; i++) assert.equal((await sendAndRecord()).status, 503);

    proxy.restore();
    await until(async () => (await sendAndRecord()).status === 202, 10_000);
    for (let i = 0; i < 5; i++) assert.equal((await sendAndRecord()).status, 202);

    assert.ok(refused.every((r) => r.status === 503));
    // Every 202 is kept: its job exists and runs once the workers are back.
    for (const id of accepted)
      assert.equal((await srv.finishedJob(id, 20_000)).status, 'succeeded');
    const jobs = await srv.jobsOf('orders');
    assert.ok(jobs.length >= accepted.length);
  });

  test('/healthz answers 503 store_unavailable while it is cut, 200 when it is back', async () => {
    proxy.cut();
    try {
      await until(async () => (await fetch(`${srv.url}/healthz`)).status === 503, 5_000);
      const res = await fetch(`${srv.url}/healthz`);
      assert.equal(res.headers.get('retry-after'), '5');
      const body = (await res.json()) as any;
      assert.equal(body.ok, false);
      assert.equal(body.error.code, 'store_unavailable');
    } finally {
      proxy.restore();
    }
    await until(async () => (await fetch(`${srv.url}/healthz`)).status === 200, 10_000);
  });
});
