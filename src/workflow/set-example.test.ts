import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { parseWorkflow } from './index.js';
import { setTriggerExample } from './set-example.js';

const EXAMPLE = { order: { id: 42, items: [{ sku: 'A-1', qty: 2 }] } };

void describe('setTriggerExample', () => {
  test('keeps comments, order and the rest of the text; the example is block YAML', () => {
    const text = [
      '# Orders from the shop',
      'name: orders # the name',
      'trigger:',
      '  webhook: {path: shop/orders, delivery: request_response}',
      'steps:',
      '  # answer at once',
      '  - id: answer',
      '    reply: {status: 200, body: "{{ trigger.body.order.id }}"}',
      '',
    ].join('\n');
    const out = setTriggerExample(text, EXAMPLE);
    assert.equal(out.format, 'yaml');
    assert.equal(
      out.text,
      [
        '# Orders from the shop',
        'name: orders # the name',
        'trigger:',
        '  webhook:',
        '    path: shop/orders',
        '    delivery: request_response',
        '    example:',
        '      order:',
        '        id: 42',
        '        items:',
        '          - sku: A-1',
        '            qty: 2',
        'steps:',
        '  # answer at once',
        '  - id: answer',
        '    reply: { status: 200, body: "{{ trigger.body.order.id }}" }',
        '',
      ].join('\n'),
    );
    assert.equal(parseWorkflow(out.text, 'orders.yaml').name, 'orders');
  });

  test('replaces an example that was there', () => {
    const text = 'name: w\ntrigger:\n  webhook:\n    example: {old: true} # was\n';
    assert.deepEqual(parse(setTriggerExample(text, { fresh: 1 }).text).trigger.webhook.example, {
      fresh: 1,
    });
  });

  test('`webhook:` with nothing under it gets a mapping with the example', () => {
    const out = setTriggerExample('name: w\ntrigger:\n  webhook:\n', 'a=1');
    assert.deepEqual(parse(out.text).trigger, { webhook: { example: 'a=1' } });
  });

  test('a JSON document stays JSON', () => {
    const text = JSON.stringify({ name: 'w', trigger: { webhook: { path: 'w' } } });
    const out = setTriggerExample(text, EXAMPLE);
    assert.equal(out.format, 'json');
    assert.deepEqual(JSON.parse(out.text).trigger.webhook, { path: 'w', example: EXAMPLE });
  });

  test('a poll or schedule trigger has no webhook example: conflict', () => {
    assert.throws(
      () => setTriggerExample('name: w\ntrigger:\n  schedule: {every: 1m}\n', {}),
      /only a webhook trigger has an example/,
    );
  });
});
