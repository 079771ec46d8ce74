/**
 * §8 changing workflows over the API, over real HTTP: PUT (YAML or JSON text), DELETE,
 * enable/disable, what survives a restart, what a file-defined workflow refuses, and the
 * lifecycle notifications each change sends.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WorkflowChange } from '../src/registry/index.js';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const FILE_HELLO = `
name: hello
trigger:
  webhook: {path: hello}
steps:
  - id: greet
    set: {text: "{{ 'hi ' & trigger.body.name }}"}
`;

function orders(path = 'orders', step = 'total') {
  return `name: orders
trigger:
  webhook: {path: ${path}}
steps:
  - id: ${step}
    set: {sum: "{{ $sum(trigger.body.items.price) }}"}
`;
}

async function put(srv: TestServer, name: string, body: string, type = 'application/yaml') {
  const res = await fetch(`${srv.url}/api/workflows/${name}`, {
    method: 'PUT',
    headers: { 'content-type': type },
    body,
  });
  return { status: res.status, json: (await res.json()) as any };
}

async function call(srv: TestServer, method: string, path: string) {
  const res = await fetch(`${srv.url}${path}`, { method });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as any) : null };
}

async function hook(srv: TestServer, path: string, body: unknown = {}) {
  return fetch(`${srv.url}/hooks/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('PUT /api/workflows/NAME', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([FILE_HELLO]);
  });
  after(() => srv.close());

  test('a new workflow is created (201), served at once, and described with origin api', async () => {
    const r = await put(srv, 'orders', orders());
    assert.equal(r.status, 201);
    assert.equal(r.json.name, 'orders');
    assert.equal(r.json.origin, 'api');
    assert.equal(r.json.file, null);
    assert.equal(r.json.trigger.url, `${srv.url}/hooks/orders`);
    assert.deepEqual(r.json.source.trigger, { webhook: { path: 'orders' } });
    const res = await hook(srv, 'orders', { items: [{ price: 2 }, { price: 3 }] });
    assert.equal(res.status, 202);
    const job = await srv.finishedJob(((await res.json()) as any).id);
    assert.deepEqual(job.steps[0]?.output, { sum: 5 });
  });

  test('a second PUT replaces the workflow (200) and its route', async () => {
    await put(srv, 'orders', orders());
    const r = await put(srv, 'orders', orders('orders/v2', 'sum'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.steps, [{ id: 'sum', type: 'set' }]);
    assert.equal((await hook(srv, 'orders')).status, 404);
    assert.equal((await hook(srv, 'orders/v2')).status, 202);
  });

  test('a JSON document is taken as application/json', async () => {
    const doc = { name: 'json-one', trigger: { webhook: { path: 'json-one' } }, steps: [] };
    const r = await put(srv, 'json-one', JSON.stringify(doc, null, 2), 'application/json');
    assert.equal(r.status, 201);
    assert.deepEqual(r.json.source, doc);
  });

  test('an invalid document is 400 invalid_workflow with each problem at its line, and changes nothing', async () => {
    await put(srv, 'orders', orders());
    const r = await put(
      srv,
      'orders',
      'name: orders\ntrigger:\n  webhook: {path: orders, delivery: sometimes}\nsteps: []\n',
    );
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_workflow');
    assert.equal(r.json.error.problems.length, 1);
    const [p] = r.json.error.problems;
    assert.equal(p.line, 3);
    assert.equal(p.file, 'api:orders.yaml');
    assert.match(p.message, /delivery/);
    const still = await call(srv, 'GET', '/api/workflows/orders');
    assert.deepEqual(still.json.steps, [{ id: 'total', type: 'set' }]);
  });

  test('invalid JSON is 400 invalid_workflow naming the line', async () => {
    const r = await put(
      srv,
      'broken',
      '{\n  "name": "broken",\n  "trigger": {\n',
      'application/json',
    );
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_workflow');
    assert.match(r.json.error.problems[0].message, /invalid JSON/);
  });

  test('a document named otherwise than the URL is 400 invalid_request', async () => {
    const r = await put(srv, 'other-name', orders());
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_request');
    assert.match(r.json.error.message, /'orders'.*other-name/);
  });

  test('a body that is not YAML or JSON is 415; an empty one is 400', async () => {
    const text = await put(srv, 'orders', orders(), 'text/plain');
    assert.equal(text.status, 415);
    assert.equal(text.json.error.code, 'unsupported_media_type');
    const empty = await put(srv, 'orders', '   ');
    assert.equal(empty.status, 400);
    assert.equal(empty.json.error.code, 'invalid_request');
  });

  test('a workflow defined by a file is not replaced: 409 conflict naming the file', async () => {
    const r = await put(srv, 'hello', FILE_HELLO.replace('path: hello', 'path: hijack'));
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'conflict');
    assert.match(r.json.error.message, /inline-0\.yaml/);
    assert.equal((await hook(srv, 'hello')).status, 202);
  });

  test('a route another workflow serves is 409 route_conflict and nothing is stored', async () => {
    const r = await put(srv, 'thief', orders('hello').replace('name: orders', 'name: thief'));
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'route_conflict');
    assert.equal((await call(srv, 'GET', '/api/workflows/thief')).status, 404);
    const stored = await srv.app.store.listStoredWorkflows();
    assert.ok(!stored.some((w) => w.name === 'thief'));
  });
});

describe('DELETE, enable and disable', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([FILE_HELLO]);
  });
  after(() => srv.close());

  test('DELETE removes an API workflow (204): its webhook is gone, its jobs are kept', async () => {
    await put(srv, 'orders', orders());
    const id = ((await (await hook(srv, 'orders')).json()) as any).id;
    await srv.finishedJob(id);
    assert.equal((await call(srv, 'DELETE', '/api/workflows/orders')).status, 204);
    assert.equal((await hook(srv, 'orders')).status, 404);
    assert.equal((await call(srv, 'GET', '/api/workflows/orders')).status, 404);
    assert.equal((await call(srv, 'GET', `/api/jobs/${id}`)).status, 200);
  });

  test('rerun of a job whose workflow was deleted is 409 conflict', async () => {
    await put(srv, 'gone', orders('gone').replace('name: orders', 'name: gone'));
    const id = ((await (await hook(srv, 'gone')).json()) as any).id;
    await srv.finishedJob(id);
    const described = await call(srv, 'GET', '/api/workflows/gone');
    assert.equal(described.json.lastJobStatus, 'succeeded');
    await call(srv, 'DELETE', '/api/workflows/gone');
    const r = await call(srv, 'POST', `/api/jobs/${id}/rerun`);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'conflict');
  });

  test('DELETE of an unknown workflow is 404; of a file workflow, 409', async () => {
    const unknown = await call(srv, 'DELETE', '/api/workflows/nope');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'not_found');
    const file = await call(srv, 'DELETE', '/api/workflows/hello');
    assert.equal(file.status, 409);
    assert.equal(file.json.error.code, 'conflict');
  });

  test('disable stops the webhook (404) and enable serves it again', async () => {
    const off = await call(srv, 'POST', '/api/workflows/hello/disable');
    assert.equal(off.status, 200);
    assert.equal(off.json.enabled, false);
    assert.equal((await hook(srv, 'hello')).status, 404);
    const on = await call(srv, 'POST', '/api/workflows/hello/enable');
    assert.equal(on.json.enabled, true);
    assert.equal((await hook(srv, 'hello')).status, 202);
  });

  test('enable or disable of an unknown workflow is 404', async () => {
    assert.equal((await call(srv, 'POST', '/api/workflows/nope/enable')).status, 404);
    assert.equal((await call(srv, 'POST', '/api/workflows/nope/disable')).status, 404);
  });

  test('enabling a workflow whose route another one took is 409 route_conflict; it stays disabled', async () => {
    await put(srv, 'first', orders('shared').replace('name: orders', 'name: first'));
    await call(srv, 'POST', '/api/workflows/first/disable');
    await put(srv, 'second', orders('shared').replace('name: orders', 'name: second'));
    const r = await call(srv, 'POST', '/api/workflows/first/enable');
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'route_conflict');
    assert.equal((await call(srv, 'GET', '/api/workflows/first')).json.enabled, false);
  });

  test('every change reaches the registry listeners (trigger lifecycle)', async () => {
    const seen: string[] = [];
    srv.app.registry.onChange(async (changes: WorkflowChange[]) => {
      for (const c of changes) {
        const kind = !c.before ? 'added' : !c.after ? 'removed' : 'changed';
        seen.push(`${kind}:${c.name}:${c.after?.enabled ?? '-'}`);
      }
    });
    await put(srv, 'life', orders('life').replace('name: orders', 'name: life'));
    await call(srv, 'POST', '/api/workflows/life/disable');
    await call(srv, 'POST', '/api/workflows/life/enable');
    await call(srv, 'DELETE', '/api/workflows/life');
    assert.deepEqual(seen, [
      'added:life:true',
      'changed:life:false',
      'changed:life:true',
      'removed:life:-',
    ]);
  });
});

describe('across restarts', () => {
  test('API workflows and enable/disable toggles survive a restart', async () => {
    const first = await startServer([FILE_HELLO]);
    await put(first, 'orders', orders());
    await call(first, 'POST', '/api/workflows/hello/disable');
    await call(first, 'POST', '/api/workflows/orders/disable');
    await first.close({ keepData: true });

    const second = await startServer([FILE_HELLO], { dataDir: first.dataDir });
    try {
      const list = (await call(second, 'GET', '/api/workflows')).json.workflows;
      const byName = Object.fromEntries(list.map((w: any) => [w.name, w]));
      assert.equal(byName.orders.origin, 'api');
      assert.equal(byName.orders.enabled, false);
      assert.equal(byName.hello.origin, 'file');
      assert.equal(byName.hello.enabled, false);
      assert.equal((await hook(second, 'hello')).status, 404);
    } finally {
      await second.close();
    }
  });

  test('a file edited after a toggle says enabled itself again', async () => {
    const first = await startServer([FILE_HELLO]);
    await call(first, 'POST', '/api/workflows/hello/disable');
    await first.close({ keepData: true });
    const edited = FILE_HELLO.replace("'hi '", "'hello '");
    const second = await startServer([edited], { dataDir: first.dataDir });
    try {
      assert.equal((await call(second, 'GET', '/api/workflows/hello')).json.enabled, true);
      assert.equal((await hook(second, 'hello')).status, 202);
    } finally {
      await second.close();
    }
  });

  test('a new PUT after a toggle says enabled itself; the same document again keeps the toggle', async () => {
    const srv = await startServer([]);
    try {
      await put(srv, 'orders', orders());
      await call(srv, 'POST', '/api/workflows/orders/disable');
      assert.equal((await put(srv, 'orders', orders())).json.enabled, false);
      assert.equal((await put(srv, 'orders', orders('orders', 'sum'))).json.enabled, true);
    } finally {
      await srv.close();
    }
  });

  test('a file workflow added later wins over the API workflow of that name', async () => {
    const first = await startServer([]);
    await put(first, 'hello', FILE_HELLO.replace('path: hello', 'path: from-api'));
    await first.close({ keepData: true });
    const second = await startServer([FILE_HELLO], { dataDir: first.dataDir });
    try {
      const wf = (await call(second, 'GET', '/api/workflows/hello')).json;
      assert.equal(wf.origin, 'file');
      assert.equal(wf.trigger.path, 'hello');
      assert.equal((await hook(second, 'from-api')).status, 404);
    } finally {
      await second.close();
    }
  });

  test('a stored workflow that no longer loads is skipped at start; the server serves the rest', async () => {
    const first = await startServer([], { env: {} });
    const prev = process.env.HOOKFLOW_TEST_ORDERS_SECRET;
    process.env.HOOKFLOW_TEST_ORDERS_SECRET = 'present';
    try {
      const doc = orders().replace('{sum:', '{key: "${env:HOOKFLOW_TEST_ORDERS_SECRET}", sum:');
      assert.equal((await put(first, 'orders', doc)).status, 201);
    } finally {
      if (prev === undefined) delete process.env.HOOKFLOW_TEST_ORDERS_SECRET;
      else process.env.HOOKFLOW_TEST_ORDERS_SECRET = prev;
    }
    await first.close({ keepData: true });
    const second = await startServer([FILE_HELLO], { dataDir: first.dataDir });
    try {
      assert.equal((await call(second, 'GET', '/api/workflows/orders')).status, 404);
      assert.equal((await hook(second, 'hello')).status, 202);
      // Still stored: deleting it works, and then it is gone from the store too.
      assert.equal((await call(second, 'DELETE', '/api/workflows/orders')).status, 204);
      assert.deepEqual(await second.app.store.listStoredWorkflows(), []);
    } finally {
      await second.close();
    }
  });
});

describe('API token on workflow changes', () => {
  test('PUT, DELETE, enable and disable need the bearer token', async () => {
    const srv = await startServer([FILE_HELLO], { env: { HOOKFLOW_API_TOKEN: 'tok-123' } });
    try {
      const attempts = [
        fetch(`${srv.url}/api/workflows/orders`, {
          method: 'PUT',
          headers: { 'content-type': 'application/yaml' },
          body: orders(),
        }),
        fetch(`${srv.url}/api/workflows/hello`, { method: 'DELETE' }),
        fetch(`${srv.url}/api/workflows/hello/enable`, { method: 'POST' }),
        fetch(`${srv.url}/api/workflows/hello/disable`, {
          method: 'POST',
          headers: { authorization: 'Bearer wrong-1' },
        }),
      ];
      for (const res of await Promise.all(attempts)) {
        assert.equal(res.status, 401);
        assert.equal(((await res.json()) as any).error.code, 'unauthorized');
      }
      assert.equal((await call(srv, 'GET', '/api/workflows')).status, 401);
      const ok = await fetch(`${srv.url}/api/workflows/orders`, {
        method: 'PUT',
        headers: { 'content-type': 'application/yaml', authorization: 'Bearer tok-123' },
        body: orders(),
      });
      assert.equal(ok.status, 201);
      assert.equal((await hook(srv, 'hello')).status, 202, 'hello is still enabled');
    } finally {
      await srv.close();
    }
  });
});
