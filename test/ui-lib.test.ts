/**
 * The web UI's pure logic (src/ui/lib), outside the browser: what the JSON viewer renders of a
 * large value, and how times and sizes read.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatAgo, formatBytes, formatDuration } from '../src/ui/lib/format.js';
import {
  PAGE,
  entriesOf,
  kindOf,
  previewString,
  sizeOf,
  startsOpen,
  summary,
} from '../src/ui/lib/json-tree.js';
import { href, parseRoute } from '../src/ui/lib/routes.js';
import { splitConditions } from '../src/ui/lib/search.js';

describe('search box', () => {
  test('spaces separate conditions, except inside a quoted value or key', () => {
    assert.deepEqual(splitConditions('  body.order.id:123   headers.x-shop:acme '), [
      'body.order.id:123',
      'headers.x-shop:acme',
    ]);
    assert.deepEqual(splitConditions('body.note:"two words" body."a b":"x \\" y"'), [
      'body.note:"two words"',
      'body."a b":"x \\" y"',
    ]);
    assert.deepEqual(splitConditions(''), []);
  });
});

describe('JSON viewer model', () => {
  const big = Array.from({ length: 12_000 }, (_, i) => ({ i }));
  const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i]));

  test('a container lists a page of its entries from where it is asked', () => {
    assert.deepEqual(entriesOf(big, 0, 2), [
      ['0', { i: 0 }],
      ['1', { i: 1 }],
    ]);
    assert.deepEqual(entriesOf(big, 11_999, PAGE), [['11999', { i: 11_999 }]]);
    assert.deepEqual(entriesOf(wide, 100, 2), [
      ['k100', 100],
      ['k101', 101],
    ]);
    assert.deepEqual(entriesOf('text', 0, 10), []);
  });

  test('a container is closed when deep or larger than a page', () => {
    assert.equal(startsOpen({ a: 1 }, 0, 2), true);
    assert.equal(startsOpen({ a: 1 }, 2, 2), false);
    assert.equal(startsOpen(big, 0, 2), false);
    assert.equal(startsOpen(wide, 0, 2), false);
  });

  test('a closed container says what it holds', () => {
    assert.equal(summary(big), '[ 12,000 items ]');
    assert.equal(summary([1]), '[ 1 item ]');
    assert.equal(summary({ a: 1, b: 2 }), '{ 2 keys }');
    assert.equal(summary({}), '{}');
    assert.equal(summary([]), '[]');
    assert.equal(sizeOf(wide), 500);
  });

  test('a long string is cut, saying how much is hidden', () => {
    const long = 'x'.repeat(5_000_000);
    const cut = previewString(long);
    assert.equal(cut.text.length, 300);
    assert.equal(cut.hidden, 4_999_700);
    assert.deepEqual(previewString('short'), { text: 'short', hidden: 0 });
  });

  test('kinds follow JSON', () => {
    assert.deepEqual([null, undefined, [], {}, 'a', 1, true].map(kindOf), [
      'null',
      'null',
      'array',
      'object',
      'string',
      'number',
      'boolean',
    ]);
  });
});

describe('UI formats', () => {
  test('durations, ages and sizes read at a glance', () => {
    assert.equal(formatDuration(null), '–');
    assert.equal(formatDuration(42.4), '42 ms');
    assert.equal(formatDuration(3400), '3.4 s');
    assert.equal(formatDuration(125_000), '2 min 5 s');
    const now = Date.parse('2025-01-02T03:04:05Z');
    assert.equal(formatAgo('2025-01-02T03:04:05Z', now), 'just now');
    assert.equal(formatAgo('2025-01-02T03:03:05Z', now), '1 min ago');
    assert.equal(formatAgo('2025-01-01T03:04:05Z', now), '1 d ago');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(3.2 * 1024 * 1024), '3.2 MB');
  });
});

describe('UI routes', () => {
  test('hash routes round-trip, names and ids encoded', () => {
    for (const route of [
      { page: 'workflows' },
      { page: 'workflow', name: 'orders', tab: 'jobs' },
      { page: 'workflow', name: 'orders', tab: 'datatree' },
      { page: 'jobs' },
      { page: 'failed' },
      { page: 'job', id: '01J0000000000000000000000' },
      { page: 'connections' },
    ] as const) {
      assert.deepEqual(parseRoute(href(route)), route);
    }
    assert.deepEqual(parseRoute('#/nowhere'), { page: 'workflows' });
    assert.deepEqual(parseRoute(''), { page: 'workflows' });
  });
});
