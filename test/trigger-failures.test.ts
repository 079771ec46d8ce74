/**
 * A poll that keeps failing raises its error workflow, over real HTTP, on each backend: the
 * poll's upstream is a loopback server answering 500, the error workflow posts its trigger data
 * to a recording upstream. Once per failure streak (HOOKFLOW_TRIGGER_FAILURES in a row), again
 * after a success ends the streak, and once across two processes on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from './helpers/backends.js';
import { sleep, startServer, startUpstream, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const ENV = { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1', HOOKFLOW_TRIGGER_FAILURES: '3' };

function workflows(upstream: string): string[] {
  return [
    `name: orders
on_failure: alert
trigger:
  poll:
    every: 1h
    request: {url: "${upstream}/orders"}
    items: "{{ body.orders }}"
    id: "{{ id }}"
steps:
  - id: note
    set: {id: "{{ trigger.body.id }}"}
`,
    `name: alert
trigger:
  webhook: {path: alert}
steps:
  - id: notify
    http: {method: POST, url: "${upstream}/alert", body: "{{ trigger }}", retry: {attempts: 1}}
`,
  ];
}

for (const backend of BACKENDS) {
  describe(`a failing poll on ${backend.name}`, { skip: backend.skip }, () => {
    let srv: TestServer;
    let upstream: Awaited<ReturnType<typeof startUpstream>>;
    let down = true;
    const alerts: any[] = [];
    before(async () => {
      upstream = await startUpstream((req, body, res) => {
        if (req.url === '/alert') {
          alerts.push(JSON.parse(body.toString()));
          res.writeHead(200).end('{}');
        } else if (down) res.writeHead(500).end('down');
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{"orders": []}');
      });
      srv = await startServer(workflows(upstream.url), { backend: backend.name, env: ENV });
    });
    after(async () => {
      await srv.close();
      await upstream.close();
    });
    const poll = () => srv.app.triggers.runNow('orders');

    test('the error workflow runs once per streak, with the summary', async () => {
      for (let i = 0; i < 5; i++) await poll();
      await until(() => alerts.length === 1);
      await sleep(200);
      assert.equal(alerts.length, 1);
      const [summary] = alerts;
      assert.deepEqual(
        { ...summary, error: typeof summary.error, version: typeof summary.version },
        {
          workflow: 'orders',
          job: null,
          version: 'string',
          step: null,
          error: 'string',
          url: `${srv.url}/#/workflows/orders`,
          trigger: 'poll',
          failures: 3,
        },
      );
      assert.match(summary.error, /500/);
      assert.equal(srv.app.triggers.status('orders')?.lastError, summary.error);
    });

    test('a success ends the streak; the next streak raises it again', async () => {
      down = false;
      await poll();
      down = true;
      for (let i = 0; i < 2; i++) await poll();
      await sleep(200);
      assert.equal(alerts.length, 1);
      await poll();
      await until(() => alerts.length === 2);
      assert.equal(alerts[1].failures, 3);
    });
  });
}

const postgres = BACKENDS.find((b) => b.name === 'postgres');
describe('a failing poll across two processes', { skip: postgres?.skip }, () => {
  test('the error workflow runs once for the streak both processes count', async () => {
    const alerts: unknown[] = [];
    const upstream = await startUpstream((req, body, res) => {
      if (req.url === '/alert') alerts.push(JSON.parse(body.toString()));
      res.writeHead(req.url === '/alert' ? 200 : 500).end('{}');
    });
    const a = await startServer(workflows(upstream.url), { backend: 'postgres', env: ENV });
    const b = await startServer(workflows(upstream.url), {
      backend: 'postgres',
      env: ENV,
      schema: a.schema as string,
    });
    try {
      // One process polls at a time (a lock per workflow): the two take turns, and count on.
      for (const s of [a, b, a, b, a, b]) await s.app.triggers.runNow('orders');
      await until(() => alerts.length >= 1);
      await sleep(300);
      assert.equal(alerts.length, 1);
    } finally {
      await b.close();
      await a.close();
      await upstream.close();
    }
  });
});
