/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration, parseSize } from './units.js';

describe('parseDuration', () => {
  it('reads ms, s, m, h and d', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('7d'), 604_800_000);
    assert.equal(parseDuration('1.5s'), 1500);
  });
  it('a bare number is milliseconds', () => {
    assert.equal(parseDuration(250), 250);
    assert.equal(parseDuration('250'), 250);
  });
  it('anything else throws saying what is accepted', () => {
    for (const bad of ['5x', '-1s', 'soon', '', null, -5]) {
      assert.throws(
        () => parseDuration(bad),
        /is not a duration like 500ms, 30s, 5m, 2h, 7d or a number of milliseconds/,
      );
    }
  });
});

describe('parseSize', () => {
  it('reads kb, mb and gb as binary units, and bytes', () => {
    assert.equal(parseSize('512kb'), 512 * 1024);
    assert.equal(parseSize('10mb'), 10 * 1024 * 1024);
    assert.equal(parseSize('1GB'), 1024 ** 3);
    assert.equal(parseSize('2MiB'), 2 * 1024 ** 2);
    assert.equal(parseSize(1000), 1000);
    assert.equal(parseSize('100b'), 100);
  });
  it('anything else throws saying what is accepted', () => {
    assert.throws(
      () => parseSize('10 parsecs'),
      /is not a size like 512kb, 10mb, 1gb or a number of bytes/,
    );
  });
});
