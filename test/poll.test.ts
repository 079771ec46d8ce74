/**
 * §6 poll triggers end to end: a real server polls a loopback API whose records change
 * between polls. Polls are started with `triggers.runNow` (the workflows poll every hour), so
 * each test decides when the clock ticks; one test lets the timer run on its own.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { sleep, startServer, startUpstream, until } from './helpers/server.js';

// The polled API is a loopback server: the SSRF guard must let requests reach it.
const LOOPBACK_API = { env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' } };
import type { TestServer } from './helpers/server.js';

interface Order {
  id: number;
  updated_at: string;
  total?: number;
}

/** A fake orders API: `records` is what it answers; `failWith` answers that status instead. */
async function ordersApi(records: Order[]) {
  const api = {
    records,
    failWith: 0,
    delayMs: 0,
    requests: [] as string[],
    running: 0,
    maxRunning: 0,
  };
  const upstream = await startUpstream((req, _body, res) => {
    api.requests.push(req.url ?? '');
    api.running++;
    api.maxRunning = Math.max(api.maxRunning, api.running);
    setTimeout(() => {
      api.running--;
      if (api.failWith) {
        res.writeHead(api.failWith, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'database is down' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { orders: api.records } }));
    }, api.delayMs);
  });
  return Object.assign(api, upstream);
}

function pollWorkflow(url: string, extra: string[] = [], every = '1h'): string {
  return [
    'name: orders',
    'trigger:',
    '  poll:',
    `    every: ${every}`,
    `    request: {url: "${url}/orders", query: {updated_since: "{{ since }}"}}`,
    '    items: "{{ body.data.orders }}"',
    '    id: "{{ id }}"',
    '    updated: "{{ updated_at }}"',
    ...extra.map((l) => `    ${l}`),
    'steps:',
    '  - id: note',
    '    set: {order: "{{ trigger.body.id }}", total: "{{ trigger.body.total }}"}',
  ].join('\n');
}

const OLD = '2024-06-01T00:00:00Z';
const NEW = '2025-03-01T00:00:00Z';

describe('poll trigger', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(records: Order[], extra: string[] = ['since: 2025-01-01T00:00:00Z']) {
    const api = await ordersApi(records);
    cleanups.push(() => api.close());
    const srv = await startServer([pollWorkflow(api.url, extra)], LOOPBACK_API);
    cleanups.push(() => srv.close());
    return { api, srv, poll: () => srv.app.triggers.runNow('orders') };
  }

  /** The order ids of the workflow's jobs, oldest first. */
  async function polledIds(srv: TestServer): Promise<number[]> {
    const jobs = await srv.jobsOf('orders');
    return jobs.map((j) => (j.trigger.body as Order).id).reverse();
  }

  async function status(srv: TestServer) {
    const res = await fetch(`${srv.url}/api/workflows/orders`);
    return ((await res.json()) as any).trigger.status;
  }

  test('the first poll starts jobs only for items updated at or after since', async () => {
    const { srv, poll } = await setup([
      { id: 1, updated_at: OLD },
      { id: 2, updated_at: NEW },
      { id: 3, updated_at: '2025-01-01T00:00:00Z' },
    ]);
    await poll();
    assert.deepEqual(await polledIds(srv), [2, 3]);
  });

  test('since: now (the default) makes the first poll a baseline that starts no job', async () => {
    const { srv, poll, api } = await setup([{ id: 1, updated_at: NEW }], []);
    await poll();
    assert.deepEqual(await polledIds(srv), []);
    api.records.push({ id: 2, updated_at: NEW });
    await poll();
    assert.deepEqual(await polledIds(srv), [2]);
  });

  test('each new item starts exactly one job, with the item as trigger.body', async () => {
    const { srv, poll, api } = await setup([]);
    await poll();
    api.records.push({ id: 10, updated_at: NEW, total: 5 }, { id: 11, updated_at: NEW });
    await poll();
    await poll();
    assert.deepEqual(await polledIds(srv), [10, 11]);
    const [job] = (await srv.jobsOf('orders')).filter((j) => (j.trigger.body as Order).id === 10);
    const done = await srv.finishedJob(job!.id);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.trigger, {
      id: done.id,
      type: 'poll',
      body: { id: 10, updated_at: NEW, total: 5 },
      itemId: '10',
      updated: NEW,
      receivedAt: (done.trigger as any).receivedAt,
    });
    assert.deepEqual(done.steps[0]?.output, { order: 10, total: 5 });
  });

  test('an item whose updated value changed starts one more job; an unchanged one none', async () => {
    const { srv, poll, api } = await setup([
      { id: 1, updated_at: NEW },
      { id: 2, updated_at: NEW },
    ]);
    await poll();
    assert.deepEqual(await polledIds(srv), [1, 2]);
    api.records[0] = { id: 1, updated_at: '2025-03-02T00:00:00Z', total: 9 };
    await poll();
    await poll();
    assert.deepEqual(await polledIds(srv), [1, 2, 1]);
    const newest = (await srv.jobsOf('orders'))[0]!;
    assert.equal((newest.trigger.body as Order).total, 9);
  });

  test('the request sees since: the start of the last successful poll', async () => {
    const { poll, api } = await setup([]);
    const before = Date.now();
    await poll();
    await poll();
    const [first, second] = api.requests.map((u) =>
      new URL(u, 'http://x').searchParams.get('updated_since'),
    );
    assert.equal(first, '2025-01-01T00:00:00.000Z');
    assert.ok(Date.parse(second!) >= before - 5, `${second} is the first poll's start`);
  });

  test('after a restart, items seen before start no job', async () => {
    const api = await ordersApi([{ id: 1, updated_at: NEW }]);
    cleanups.push(() => api.close());
    const wf = pollWorkflow(api.url, ['since: 2025-01-01T00:00:00Z']);
    const first = await startServer([wf], LOOPBACK_API);
    await first.app.triggers.runNow('orders');
    assert.deepEqual(await polledIds(first), [1]);
    await first.close({ keepData: true });

    const second = await startServer([wf], { ...LOOPBACK_API, dataDir: first.dataDir });
    cleanups.push(() => second.close());
    api.records.push({ id: 2, updated_at: NEW });
    await second.app.triggers.runNow('orders');
    await second.app.triggers.runNow('orders');
    assert.deepEqual(await polledIds(second), [1, 2]);
  });

  test('a failing poll starts no job, shows its error, and the next poll recovers', async () => {
    const { srv, poll, api } = await setup([{ id: 1, updated_at: NEW }]);
    api.failWith = 500;
    await poll();
    assert.deepEqual(await polledIds(srv), []);
    const failed = await status(srv);
    assert.match(failed.lastError, /answered 500/);
    assert.equal(failed.lastSuccessAt, null);
    assert.ok(failed.lastRunAt);

    api.failWith = 0;
    await poll();
    assert.deepEqual(await polledIds(srv), [1]);
    const recovered = await status(srv);
    assert.equal(recovered.lastError, null);
    assert.ok(Date.parse(recovered.lastSuccessAt) >= Date.parse(failed.lastRunAt));
  });

  test('the status of a failed poll survives a restart', async () => {
    const api = await ordersApi([]);
    cleanups.push(() => api.close());
    api.failWith = 503;
    const wf = pollWorkflow(api.url);
    const first = await startServer([wf], LOOPBACK_API);
    await first.app.triggers.runNow('orders');
    await first.close({ keepData: true });
    const second = await startServer([wf], { ...LOOPBACK_API, dataDir: first.dataDir });
    cleanups.push(() => second.close());
    assert.match((await status(second)).lastError, /answered 503/);
  });

  test('polls of one workflow never overlap: a poll asked for while one runs joins it', async () => {
    const { poll, api } = await setup([]);
    api.delayMs = 300;
    await Promise.all([poll(), poll(), poll()]);
    assert.equal(api.requests.length, 1);
    assert.equal(api.maxRunning, 1);
  });

  test('an items expression that fails fails the poll, and its status names the expression', async () => {
    const api = await ordersApi([]);
    cleanups.push(() => api.close());
    const wf = pollWorkflow(api.url).replace('{{ body.data.orders }}', "{{ $error('no list') }}");
    const srv = await startServer([wf], LOOPBACK_API);
    cleanups.push(() => srv.close());
    await srv.app.triggers.runNow('orders');
    assert.match((await status(srv)).lastError, /trigger\.poll\.items: .*no list/);
  });

  test('GET /api/workflows shows the poll with its timing and the next poll time', async () => {
    const { srv, poll } = await setup([]);
    await poll();
    const res = await fetch(`${srv.url}/api/workflows`);
    const wf = ((await res.json()) as any).workflows[0];
    assert.equal(wf.trigger.type, 'poll');
    assert.equal(wf.trigger.every, '1h');
    assert.ok(Date.parse(wf.trigger.status.nextRunAt) > Date.now());
    assert.ok(wf.trigger.status.lastSuccessAt);
  });

  test('the timer polls on its own, and skips a tick while the previous poll still runs', async () => {
    const api = await ordersApi([]);
    cleanups.push(() => api.close());
    api.delayMs = 1500;
    const srv = await startServer([pollWorkflow(api.url, [], '1s')], LOOPBACK_API);
    cleanups.push(() => srv.close());
    await sleep(3200);
    // Polls at 0 s (first, at once) and about 2 s; the ticks at 1 s and 3 s find one running.
    assert.ok(api.requests.length >= 2 && api.requests.length <= 3, `${api.requests.length}`);
    assert.equal(api.maxRunning, 1);
  });

  test('disabling the workflow stops its polls', async () => {
    const api = await ordersApi([]);
    cleanups.push(() => api.close());
    const srv = await startServer([pollWorkflow(api.url, [], '1s')], LOOPBACK_API);
    cleanups.push(() => srv.close());
    await until(() => api.requests.length === 1);
    await srv.app.registry.setEnabled('orders', false);
    await sleep(1300);
    assert.equal(api.requests.length, 1);
    assert.equal((await status(srv)).nextRunAt, null);
  });
});
