import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWorkflow } from './loader.js';

const wf = (search: string) =>
  `name: orders\ntrigger:\n  webhook: {path: orders}\n${search}\nsteps:\n  - id: s\n    set: {a: 1}\n`;

describe('search: in a workflow file', () => {
  it('lists trigger data paths, kept once each in their canonical spelling', () => {
    const { search } = parseWorkflow(
      wf('search: [body.order.id, headers.X-Shop, body.order.id]'),
      'orders.yaml',
    );
    assert.deepEqual(
      search?.map((p) => p.text),
      ['body.order.id', 'headers.x-shop'],
    );
  });

  it('a path that is not one, or a value that is not a list, is a problem at its line', () => {
    assert.throws(
      () => parseWorkflow(wf('search: [trigger.id]'), 'orders.yaml'),
      /orders\.yaml:4: search: match 'trigger\.id:': the path must start at body/,
    );
    assert.throws(
      () => parseWorkflow(wf('search: body.order.id'), 'orders.yaml'),
      /orders\.yaml:4: search must be a list of trigger data paths/,
    );
    assert.throws(
      () =>
        parseWorkflow(
          wf(`search: [${Array.from({ length: 9 }, (_, i) => `body.k${i}`).join(', ')}]`),
          'orders.yaml',
        ),
      /at most 8/,
    );
  });
});
