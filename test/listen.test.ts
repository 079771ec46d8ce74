/**
 * Listening for a test event over real HTTP: `POST /api/workflows/NAME/captures` captures the
 * next request to the webhook (verified, decoded, no job), and `POST …/example` makes a sample
 * the trigger's example, hence the datatree — saved for a pushed workflow, as text to paste for
 * a file's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const ORDERS = `
name: orders
trigger:
  webhook:
    path: shop/orders
    delivery: request_response
    verify:
      header: {name: X-Shop-Token, value: let-me-in}
steps:
  - id: answer
    reply: {status: 200, body: {ok: true}}
`;
const TICK = `
name: tick
trigger:
  schedule: {every: 1h}
steps: []
`;
const PUSHED = `# Invoices from the billing system
name: invoices
trigger:
  webhook:
    path: invoices # keep this path
steps:
  - id: note
    set: {n: "{{ trigger.body.invoice.number }}"}
`;
const SAMPLE = { order: { id: 42, items: [{ sku: 'A-1', qty: 2 }] }, note: 'first' };

async function call(srv: TestServer, method: string, path: string, body?: unknown) {
  const res = await fetch(`${srv.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function sendOrder(srv: TestServer, body: unknown, token = 'let-me-in') {
  const res = await fetch(`${srv.url}/hooks/shop/orders?source=test`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shop-token': token },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { id: string } & Record<string, unknown>,
  };
}

describe('listening for a test event', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([ORDERS, TICK]);
  });
  after(() => srv.close());

  async function startCapture(body: unknown = {}) {
    const started = await call(srv, 'POST', '/api/workflows/orders/captures', body);
    assert.equal(started.status, 201, JSON.stringify(started.body));
    return started.body;
  }

  test('the next request comes back decoded, its sender gets 202 captured, and no job is left', async () => {
    const capture = await startCapture({ timeout: 30 });
    assert.equal(capture.state, 'waiting');
    assert.equal(capture.method, 'POST');
    assert.equal(capture.url, `${srv.url}/hooks/shop/orders`);
    const waiting = call(srv, 'GET', `/api/workflows/orders/captures/${capture.id}?wait=20`);

    const sent = await sendOrder(srv, SAMPLE);
    assert.equal(sent.status, 202, 'request_response too: nothing runs that could reply');
    assert.deepEqual(sent.body, { accepted: true, captured: true, id: sent.body.id });

    const got = (await waiting).body;
    assert.equal(got.state, 'captured');
    assert.deepEqual(got.event.body, SAMPLE);
    assert.deepEqual(got.event.query, { source: 'test' });
    assert.equal(got.event.method, 'POST');
    assert.equal(got.event.path, '/hooks/shop/orders');
    assert.equal((await srv.jobsOf('orders')).length, 0, 'no job');
  });

  test('a request that fails verification is refused and not captured', async () => {
    const capture = await startCapture();
    assert.equal((await sendOrder(srv, SAMPLE, 'wrong')).status, 401);
    const still = await call(srv, 'GET', `/api/workflows/orders/captures/${capture.id}`);
    assert.equal(still.body.state, 'waiting');
    await call(srv, 'DELETE', `/api/workflows/orders/captures/${capture.id}`);
  });

  test('only the first request is captured; the next one runs as usual', async () => {
    await startCapture();
    assert.equal((await sendOrder(srv, SAMPLE)).status, 202);
    const second = await sendOrder(srv, SAMPLE);
    assert.deepEqual(second, { status: 200, body: { ok: true } });
  });

  test('with run: true the request is captured and also runs, its sender answered as usual', async () => {
    const capture = await startCapture({ run: true });
    const sent = await sendOrder(srv, { order: { id: 7 } });
    assert.deepEqual(sent, { status: 200, body: { ok: true } });
    const got = await call(srv, 'GET', `/api/workflows/orders/captures/${capture.id}`);
    assert.equal(got.body.state, 'captured');
    const job = await srv.finishedJob(got.body.event.id);
    assert.deepEqual(job.trigger.body, { order: { id: 7 } });
  });

  test('one capture at a time per workflow; DELETE stops it', async () => {
    const first = await startCapture();
    const second = await call(srv, 'POST', '/api/workflows/orders/captures', {});
    assert.equal(second.status, 409);
    assert.match(second.body.error.message, new RegExp(`already waiting \\(id ${first.id}`));
    const stopped = await call(srv, 'DELETE', `/api/workflows/orders/captures/${first.id}`);
    assert.equal(stopped.body.state, 'cancelled');
    await startCapture().then((c) => call(srv, 'DELETE', `/api/workflows/orders/captures/${c.id}`));
  });

  test('a capture that gets no request within its timeout expires', async () => {
    const capture = await startCapture({ timeout: 1 });
    const got = await call(srv, 'GET', `/api/workflows/orders/captures/${capture.id}?wait=5`);
    assert.equal(got.body.state, 'expired');
    assert.equal(got.body.event, null);
  });

  test('a timeout beyond 600 s, an unknown workflow, or a schedule trigger are refused', async () => {
    assert.equal(
      (await call(srv, 'POST', '/api/workflows/orders/captures', { timeout: 601 })).status,
      400,
    );
    assert.equal((await call(srv, 'POST', '/api/workflows/nope/captures', {})).status, 404);
    const tick = await call(srv, 'POST', '/api/workflows/tick/captures', {});
    assert.equal(tick.status, 409);
    assert.match(tick.body.error.message, /has a schedule trigger/);
  });

  test("a file's workflow: the captured body comes back as the file's text with the example set", async () => {
    const capture = await startCapture();
    await sendOrder(srv, SAMPLE);
    const used = await call(srv, 'POST', '/api/workflows/orders/example', { capture: capture.id });
    assert.equal(used.status, 200);
    assert.equal(used.body.saved, false);
    assert.equal(used.body.origin, 'file');
    assert.match(used.body.text, /\n {4}example:\n {6}order:\n {8}id: 42\n/);
    assert.match(used.body.text, /value: let-me-in/, 'the rest of the file is there');
    const tree = await call(srv, 'GET', '/api/workflows/orders/datatree');
    const paths = tree.body.sources[0].pills.map((p: { path: string }) => p.path);
    assert.ok(!paths.includes('trigger.body.order.id'), 'nothing saved: the file decides');
  });
});

describe('using a sample as the example of a pushed workflow', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([]);
    const res = await fetch(`${srv.url}/api/workflows/invoices`, {
      method: 'PUT',
      headers: { 'content-type': 'application/yaml' },
      body: PUSHED,
    });
    assert.equal(res.status, 201);
  });
  after(() => srv.close());

  async function pills(): Promise<string[]> {
    const tree = await call(srv, 'GET', '/api/workflows/invoices/datatree');
    return tree.body.sources[0].pills.map((p: { path: string }) => p.path);
  }

  test('a captured test event becomes the datatree; the document keeps its comments', async () => {
    const capture = (await call(srv, 'POST', '/api/workflows/invoices/captures', {})).body;
    const sent = await fetch(`${srv.url}/hooks/invoices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invoice: { number: 'INV-7', total: 12.5 } }),
    });
    assert.equal(sent.status, 202);
    const used = await call(srv, 'POST', '/api/workflows/invoices/example', {
      capture: capture.id,
    });
    assert.equal(used.status, 200, JSON.stringify(used.body));
    assert.equal(used.body.saved, true);

    assert.ok((await pills()).includes('trigger.body.invoice.number'));
    const source = (await call(srv, 'GET', '/api/workflows/invoices')).body;
    const stored = await srv.app.store.listStoredWorkflows();
    const text = stored.find((w) => w.name === 'invoices')!.text;
    assert.match(text, /^# Invoices from the billing system\n/);
    assert.match(text, /path: invoices # keep this path/);
    assert.deepEqual(source.source.trigger.webhook.example, {
      invoice: { number: 'INV-7', total: 12.5 },
    });
    assert.equal((await srv.jobsOf('invoices')).length, 0);
  });

  test("a job's payload becomes the example", async () => {
    const sent = await fetch(`${srv.url}/hooks/invoices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invoice: { number: 'INV-8', customer: { email: 'a@b.c' } } }),
    });
    const { id } = (await sent.json()) as { id: string };
    await srv.finishedJob(id);
    const used = await call(srv, 'POST', '/api/workflows/invoices/example', { job: id });
    assert.equal(used.body.saved, true);
    assert.ok((await pills()).includes('trigger.body.invoice.customer.email'));
  });

  test('setting the example keeps a workflow disabled', async () => {
    await call(srv, 'POST', '/api/workflows/invoices/disable');
    await call(srv, 'POST', '/api/workflows/invoices/example', { example: { x: 1 } });
    await until(
      async () => (await call(srv, 'GET', '/api/workflows/invoices')).body.enabled === false,
    );
    assert.ok((await pills()).includes('trigger.body.x'));
  });
});
