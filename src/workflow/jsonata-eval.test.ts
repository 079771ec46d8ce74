import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsonata from 'jsonata';
import { compileExpression, evaluateExpression, toPlain } from './jsonata-eval.js';

// Values of every kind a field path may meet on its way: objects, lists (of objects, of
// scalars, empty, singleton, nested), scalars, null, and missing fields.
const SCOPE = {
  trigger: {
    body: {
      id: 'o-1',
      n: 0,
      ok: false,
      none: null,
      empty: '',
      order: { id: 7, items: [{ sku: 'a', qty: 1 }, { sku: 'b' }], tags: ['x'] },
      one: [{ sku: 'only' }],
      nested: [[1, 2], [3]],
      list: [],
      text: 'abc',
    },
    headers: { 'content-type': 'application/json' },
  },
  steps: { up: { status: 200, body: { items: [1, 2, 3], next: null } } },
  now: '2026-12-02T00:00:00.000Z',
};

const PATHS = [
  'trigger',
  'trigger.body',
  'trigger.body.id',
  'trigger.body.n',
  'trigger.body.ok',
  'trigger.body.none',
  'trigger.body.empty',
  'trigger.body.missing',
  'trigger.body.missing.deeper',
  'trigger.body.none.x',
  'trigger.body.text.length',
  'trigger.body.order',
  'trigger.body.order.id',
  'trigger.body.order.items',
  'trigger.body.order.items.sku',
  'trigger.body.order.items.qty',
  'trigger.body.order.tags',
  'trigger.body.one',
  'trigger.body.one.sku',
  'trigger.body.nested',
  'trigger.body.list',
  'trigger.body.list.x',
  'trigger.headers',
  'steps.up.status',
  'steps.up.body.items',
  'steps.up.body.next',
  'now',
  'nothing',
  'trigger.constructor',
  'trigger.body.toString',
];

void describe('field paths read without JSONata', () => {
  for (const path of PATHS) {
    void it(`${path} gives what JSONata gives`, async () => {
      const compiled = compileExpression(path);
      assert.notEqual(compiled.fields, null);
      const expected = toPlain(await jsonata(path).evaluate(SCOPE));
      assert.deepEqual(await evaluateExpression(compiled, SCOPE, 'test'), expected);
    });
  }

  void it('literals and operators are not field paths', () => {
    for (const source of ['true', 'false', 'null', 'a and b', '$x', 'a.b[0]', '`a b`', 'a.and']) {
      assert.equal(compileExpression(source).fields, null, source);
    }
  });
});
