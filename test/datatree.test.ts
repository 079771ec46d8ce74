/**
 * §2 datatree over HTTP: `GET /api/workflows/NAME/datatree` answers the pills of the trigger
 * and of each http step, from their examples.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const ORDERS = `
name: orders
trigger:
  webhook:
    path: shop/orders
    format: xml
    example: '<order id="7"><line sku="A"/><line sku="B"/></order>'
steps:
  - id: lookup
    http:
      url: "https://api.example/orders/{{ trigger.body.order.\`@id\` }}"
      example: {id: "7", status: placed}
  - id: page
    http: {url: "https://api.example/page", response: text}
  - id: note
    set: {status: "{{ steps.lookup.body.status }}"}
`;

describe('GET /api/workflows/NAME/datatree', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([ORDERS]);
  });
  after(() => srv.close());

  test('answers the pills of the trigger and of each http step', async () => {
    const res = await fetch(`${srv.url}/api/workflows/orders/datatree`);
    assert.equal(res.status, 200);
    const tree = (await res.json()) as any;
    assert.equal(tree.workflow, 'orders');
    assert.deepEqual(
      tree.sources.map((s: any) => s.source),
      ['trigger', 'steps.lookup', 'steps.page'],
    );
    const trigger = tree.sources[0].pills;
    assert.deepEqual(
      trigger.find((p: any) => p.path === 'trigger.body.order.line.`@sku`'),
      { path: 'trigger.body.order.line.`@sku`', type: 'string', sample: 'A' },
    );
    assert.deepEqual(
      trigger.find((p: any) => p.path === 'trigger.body.order.line'),
      { path: 'trigger.body.order.line', type: 'array', sample: null },
    );
    assert.deepEqual(tree.sources[1].pills, [
      { path: 'steps.lookup.status', type: 'number', sample: null },
      { path: 'steps.lookup.headers', type: 'object', sample: null },
      { path: 'steps.lookup.body', type: 'object', sample: null },
      { path: 'steps.lookup.body.id', type: 'string', sample: '7' },
      { path: 'steps.lookup.body.status', type: 'string', sample: 'placed' },
    ]);
  });

  test('an http step with response: text and no example has a string body', async () => {
    const res = await fetch(`${srv.url}/api/workflows/orders/datatree`);
    const tree = (await res.json()) as any;
    const page = tree.sources.find((s: any) => s.source === 'steps.page');
    assert.deepEqual(
      page.pills.find((p: any) => p.path === 'steps.page.body'),
      { path: 'steps.page.body', type: 'string', sample: null },
    );
  });

  test('an unknown workflow: 404 not_found', async () => {
    const res = await fetch(`${srv.url}/api/workflows/nope/datatree`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as any).error.code, 'not_found');
  });
});
