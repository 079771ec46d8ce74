import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowError, parseWorkflow } from '../workflow/index.js';
import { buildDatatree, datatreeBody, formatPath, unknownFields } from './index.js';
import type { Pill } from './index.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const load = (text: string) => parseWorkflow(text, 'w.yaml', { env: {} });

/** The pills of one source, as `path type sample` lines, for compact assertions. */
async function pills(text: string, source = 'trigger'): Promise<string[]> {
  const body = datatreeBody(await buildDatatree(load(text)));
  const found = body.sources.find((s) => s.source === source);
  assert.ok(found, `no source ${source} in ${body.sources.map((s) => s.source).join(', ')}`);
  return found.pills.map(show);
}
function show(p: Pill): string {
  return `${p.path} ${p.type} ${JSON.stringify(p.sample)}`;
}
const bodyPills = (all: string[], prefix = 'trigger.body') =>
  all.filter((p) => p.startsWith(`${prefix}.`) || p.startsWith(`${prefix} `));

function webhook(example: string[], format = 'auto'): string {
  return lines(
    'name: w',
    'trigger:',
    '  webhook:',
    '    path: shop/:shop/orders',
    `    format: ${format}`,
    ...example.map((l) => `    ${l}`),
  );
}

describe('datatree from examples', () => {
  it('a JSON example gives a pill per field, nested ones included, with type and sample', async () => {
    const all = await pills(
      webhook(['example: {order: {id: 42, paid: true, note: null, tags: [a, b]}, total: 9.5}']),
    );
    assert.deepEqual(bodyPills(all), [
      'trigger.body object null',
      'trigger.body.order object null',
      'trigger.body.order.id number 42',
      'trigger.body.order.paid boolean true',
      'trigger.body.order.note null null',
      'trigger.body.order.tags array "a"',
      'trigger.body.total number 9.5',
    ]);
  });

  it('a list is described by its items: the fields of all of them, merged', async () => {
    const all = await pills(
      webhook(['example: {items: [{sku: A-1}, {sku: B-2, qty: 2}, {sku: null, gift: true}]}']),
    );
    assert.deepEqual(bodyPills(all, 'trigger.body.items'), [
      'trigger.body.items array null',
      'trigger.body.items.sku string "A-1"',
      'trigger.body.items.qty number 2',
      'trigger.body.items.gift boolean true',
    ]);
  });

  it('an XML example reads as the body will: root key, @attributes, #text, repeated elements as a list', async () => {
    const all = await pills(
      webhook(
        [
          'example: |',
          '  <order id="7" xmlns:x="urn:x"><x:item sku="A">2</x:item><x:item sku="B">1</x:item>',
          '  <note>hi</note></order>',
        ],
        'xml',
      ),
    );
    assert.deepEqual(bodyPills(all), [
      'trigger.body object null',
      'trigger.body.order object null',
      'trigger.body.order.`@id` string "7"',
      'trigger.body.order.item array null',
      'trigger.body.order.item.`@sku` string "A"',
      'trigger.body.order.item.`#text` string "2"',
      'trigger.body.order.note string "hi"',
    ]);
  });

  it('a form-encoded example reads as a form body: a repeated key is a list', async () => {
    const all = await pills(webhook(["example: 'token=abc&tag=a&tag=b&text=hello+world'"], 'form'));
    assert.deepEqual(bodyPills(all), [
      'trigger.body object null',
      'trigger.body.token string "abc"',
      'trigger.body.tag array "a"',
      'trigger.body.text string "hello world"',
    ]);
  });

  it('with format auto, a text example is read as XML, JSON or form data by its look', async () => {
    const first = async (example: string) => bodyPills(await pills(webhook([example])))[1];
    assert.equal(await first(`example: '<a>1</a>'`), 'trigger.body.a string "1"');
    assert.equal(await first(`example: '{"a": 1}'`), 'trigger.body.a number 1');
    assert.equal(await first(`example: 'a=1'`), 'trigger.body.a string "1"');
    assert.deepEqual(bodyPills(await pills(webhook(["example: 'just words'"]))), [
      'trigger.body string "just words"',
    ]);
  });

  it('an example that does not decode as its format is a problem at its line', () => {
    assert.throws(
      () => load(webhook(["example: '<order><id>1</order>'"], 'xml')),
      (e: unknown) => {
        assert.ok(e instanceof WorkflowError);
        assert.equal(e.problems.length, 1);
        assert.equal(e.problems[0]?.line, 6);
        assert.match(e.problems[0]!.message, /^trigger\.webhook\.example is not valid XML: /);
        return true;
      },
    );
  });

  it('the webhook envelope is in the tree: method, path params, headers, query…', async () => {
    const all = await pills(webhook([]));
    assert.deepEqual(
      all.filter((p) => !p.startsWith('trigger.body')),
      [
        'trigger.id string null',
        'trigger.method string "POST"',
        'trigger.path string "/hooks/shop/:shop/orders"',
        'trigger.params object null',
        'trigger.params.shop string null',
        'trigger.query object null',
        'trigger.headers object null',
        'trigger.rawBody string null',
        'trigger.rawBodyEncoding string null',
        'trigger.receivedAt string null',
      ],
    );
  });

  it('an http step gives status, headers and its response example as body', async () => {
    const text = lines(
      'name: w',
      'trigger: {webhook: {}}',
      'steps:',
      '  - id: order',
      '    http:',
      '      url: https://api.example/o',
      '      response: xml',
      "      example: '<res><ok>yes</ok></res>'",
    );
    assert.deepEqual(await pills(text, 'steps.order'), [
      'steps.order.status number null',
      'steps.order.headers object null',
      'steps.order.body object null',
      'steps.order.body.res object null',
      'steps.order.body.res.ok string "yes"',
    ]);
  });

  it('an http step with response: text and no example has a string body', async () => {
    const text = lines(
      'name: w',
      'trigger: {webhook: {}}',
      'steps:',
      '  - id: page',
      '    http: {url: https://api.example/p, response: text}',
    );
    assert.deepEqual(await pills(text, 'steps.page'), [
      'steps.page.status number null',
      'steps.page.headers object null',
      'steps.page.body string null',
    ]);
  });

  it('an http step with response: binary and no example has {base64, contentType, size}', async () => {
    const text = lines(
      'name: w',
      'trigger: {webhook: {}}',
      'steps:',
      '  - id: file',
      '    http: {url: https://api.example/f, response: binary}',
    );
    assert.deepEqual(bodyPills(await pills(text, 'steps.file'), 'steps.file.body'), [
      'steps.file.body object null',
      'steps.file.body.base64 string null',
      'steps.file.body.contentType string null',
      'steps.file.body.size number null',
    ]);
  });

  it('http steps inside a switch have their own source; a hyphenated id is quoted', async () => {
    const text = lines(
      'name: w',
      'trigger: {webhook: {}}',
      'steps:',
      '  - id: route',
      '    switch:',
      '      - when: "{{ true }}"',
      '        then:',
      '          - id: get-order',
      '            http: {url: https://api.example/o, example: {id: 1}}',
    );
    const tree = datatreeBody(await buildDatatree(load(text)));
    assert.deepEqual(
      tree.sources.map((s) => s.source),
      ['trigger', 'steps.get-order'],
    );
    assert.ok(tree.sources[1]!.pills.some((p) => p.path === 'steps.`get-order`.body.id'));
  });

  it('a poll item comes from its example, or from what items finds in the request example', async () => {
    const poll = (extra: string[]) =>
      lines(
        'name: w',
        'trigger:',
        '  poll:',
        '    every: 1m',
        '    request:',
        '      url: https://api.example/orders',
        '      example: {data: [{id: 1, status: paid}, {id: 2, refunded: true}]}',
        '    items: "{{ body.data }}"',
        '    id: "{{ id }}"',
        ...extra,
      );
    assert.deepEqual(bodyPills(await pills(poll([]))), [
      'trigger.body object null',
      'trigger.body.id number 1',
      'trigger.body.status string "paid"',
      'trigger.body.refunded boolean true',
    ]);
    assert.deepEqual(bodyPills(await pills(poll(['    example: {sku: X}']))), [
      'trigger.body object null',
      'trigger.body.sku string "X"',
    ]);
  });

  it('a schedule’s trigger is always known', async () => {
    const all = await pills(lines('name: w', 'trigger:', "  schedule: {cron: '0 2 * * *'}"));
    assert.ok(all.includes('trigger.scheduledAt string null'));
    assert.ok(all.includes('trigger.timezone string "UTC"'));
  });

  it('names JSONata would not read as one name are quoted with backticks', () => {
    assert.equal(
      formatPath(['trigger', 'body', '@id', 'first-name', 'in', '$x', 'ok_1']),
      'trigger.body.`@id`.`first-name`.`in`.`$x`.ok_1',
    );
  });
});

describe('unknown fields', () => {
  const wf = (...stepLines: string[]) =>
    load(
      lines(
        'name: w',
        'trigger:',
        '  webhook:',
        '    path: o/:shop',
        '    example: {order: {id: 1, items: [{sku: A}]}}',
        'steps:',
        '  - id: order',
        '    http:',
        '      url: https://api.example/o',
        '      example: {id: "1", status: placed, items: [{sku: A}]}',
        '  - id: plain',
        '    http: {url: https://api.example/p}',
        '  - id: s',
        '    set:',
        ...stepLines.map((l) => `      ${l}`),
      ),
    );
  const warnings = async (...stepLines: string[]) => {
    const w = wf(...stepLines);
    return unknownFields(w, await buildDatatree(w)).map((p) => `${p.line}: ${p.message}`);
  };

  it('a path no example holds is reported at its line, with the fields there and a guess', async () => {
    assert.deepEqual(await warnings('a: "{{ steps.order.body.stauts }}"'), [
      '15: unknown field steps.order.body.stauts in steps[2].set.a (steps.order.body has id, status, items; did you mean steps.order.body.status?)',
    ]);
  });

  it('paths the examples hold are not reported, list items and filters included', async () => {
    assert.deepEqual(
      await warnings(
        'a: "{{ steps.order.body.items[0].sku & trigger.body.order.items.sku }}"',
        'b: "{{ $count(steps.order.body.items[sku = \'A\']) }}"',
        'c: "{{ trigger.params.shop & steps.order.status & trigger.headers.whatever }}"',
      ),
      [],
    );
  });

  it('a step without an example and a field under an open part are not checked', async () => {
    assert.deepEqual(
      await warnings('a: "{{ steps.plain.body.anything.at.all & trigger.query.page }}"'),
      [],
    );
  });

  it('an unknown envelope field is reported too', async () => {
    assert.deepEqual(await warnings('a: "{{ trigger.param.shop }}"'), [
      '15: unknown field trigger.param in steps[2].set.a (trigger has id, method, path, params, query, headers, body, rawBody, rawBodyEncoding, receivedAt; did you mean trigger.params?)',
    ]);
  });

  it('a field read below a scalar is reported', async () => {
    assert.deepEqual(await warnings('a: "{{ trigger.body.order.id.value }}"'), [
      '15: unknown field trigger.body.order.id.value in steps[2].set.a (trigger.body.order.id is a number with no fields)',
    ]);
  });
});
