import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookflowError } from '../errors.js';
import {
  matchNeedles,
  matchText,
  matchesTrigger,
  parseMatch,
  parseMatchPath,
  parseMatches,
  searchTerms,
} from './index.js';

const invalid = (text: string, why: RegExp) =>
  assert.throws(
    () => parseMatch(text),
    (e: unknown) => e instanceof HookflowError && e.code === 'invalid_match' && why.test(e.message),
  );

describe('match syntax', () => {
  it('PATH:VALUE splits at the first colon after the path; the value keeps its colons', () => {
    const m = parseMatch('body.event.at:2025-01-01T10:00:00Z');
    assert.deepEqual(m.path, { root: 'body', keys: ['event', 'at'], text: 'body.event.at' });
    assert.deepEqual(m.value, { kind: 'loose', text: '2025-01-01T10:00:00Z' });
  });

  it('a quoted key may hold dots, colons and quotes; header names are lower-cased', () => {
    assert.deepEqual(parseMatch('body."order.id":5').path.keys, ['order.id']);
    assert.deepEqual(parseMatch('body."a:\\"b":5').path.keys, ['a:"b']);
    assert.equal(parseMatch('headers.X-Shop:acme').path.text, 'headers.x-shop');
    assert.equal(matchText(parseMatch('body."order.id":"5"')), 'body."order.id":"5"');
  });

  it('a value in double quotes is one JSON string and matches strings only', () => {
    assert.deepEqual(parseMatch('body.id:"12 3"').value, { kind: 'string', value: '12 3' });
    invalid('body.id:"12', /one JSON string/);
  });

  it('bad conditions are refused with invalid_match saying what is wrong', () => {
    invalid('body.order.id', /no ":"/);
    invalid('trigger.id:1', /must start at body, query, headers, params/);
    invalid('body:1', /name a key inside body/);
    invalid('body..id:1', /empty or unquoted key/);
    invalid('body."id:1', /no closing quote/);
    assert.throws(() => parseMatches(Array(9).fill('body.a:1')), /at most 8/);
    assert.throws(() => parseMatchPath('nope.a'), /must start at/);
  });
});

describe('what a match means', () => {
  const trigger = {
    body: {
      order: { id: 123, ref: '0123', paid: true, note: null, items: [{ sku: 'A' }, { sku: 'B' }] },
    },
    headers: { 'x-tag': ['a', 'b'] },
    query: {},
    params: {},
  };
  const holds = (text: string) => matchesTrigger(trigger, [parseMatch(text)]);

  it('a bare value matches the string or the number, boolean or null it spells', () => {
    assert.equal(holds('body.order.id:123'), true);
    assert.equal(holds('body.order.id:123.0'), true);
    assert.equal(holds('body.order.id:1.23e2'), true);
    assert.equal(holds('body.order.ref:0123'), true);
    assert.equal(holds('body.order.ref:123'), false);
    assert.equal(holds('body.order.paid:true'), true);
    assert.equal(holds('body.order.note:null'), true);
    assert.equal(holds('body.order.id:"123"'), false);
  });

  it('arrays are searched element by element unless the key is an index; objects never match', () => {
    assert.equal(holds('body.order.items.sku:B'), true);
    assert.equal(holds('body.order.items.1.sku:B'), true);
    assert.equal(holds('body.order.items.0.sku:B'), false);
    assert.equal(holds('headers.x-tag:b'), true);
    assert.equal(holds('body.order:123'), false);
    assert.equal(holds('body.missing.id:1'), false);
  });

  it('the index holds each distinct value at a declared path as a typed term', () => {
    assert.deepEqual(
      searchTerms(trigger, [
        parseMatchPath('body.order.items.sku'),
        parseMatchPath('body.order.id'),
      ]),
      [
        { path: 'body.order.items.sku', term: 'sA' },
        { path: 'body.order.items.sku', term: 'sB' },
        { path: 'body.order.id', term: 'n123' },
      ],
    );
  });

  it('the stored JSON of a matching job holds one of the needles', () => {
    for (const [text, value] of [
      ['body.a:123', 123],
      ['body.a:123', '123'],
      ['body.a:1e3', 1000],
      ['body.a:"x\\"y"', 'x"y'],
      ['body.a:true', true],
      ['body.a:null', null],
    ] as const) {
      const stored = JSON.stringify({ body: { a: value } });
      const m = parseMatch(text);
      assert.equal(matchesTrigger(JSON.parse(stored), [m]), true, text);
      assert.ok(
        matchNeedles(m).some((n) => stored.includes(n)),
        text,
      );
    }
  });
});
