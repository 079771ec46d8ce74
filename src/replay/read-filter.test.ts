import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { batchSize, readFilter, readTime } from './read-filter.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');

describe('replay filters', () => {
  test('a time is a duration before now or an ISO time', () => {
    assert.equal(readTime('2h', NOW, 'since'), Date.parse('2026-12-06T10:00:00Z'));
    assert.equal(readTime('30m', NOW, 'since'), Date.parse('2026-12-06T11:30:00Z'));
    assert.equal(readTime('7d', NOW, 'since'), Date.parse('2026-11-29T12:00:00Z'));
    assert.equal(
      readTime('2026-12-01T08:00:00Z', NOW, 'until'),
      Date.parse('2026-12-01T08:00:00Z'),
    );
    assert.equal(readTime('2026-12-01', NOW, 'until'), Date.parse('2026-12-01T00:00:00Z'));
  });

  test('anything else is refused, naming the field', () => {
    for (const bad of ['yesterday', '2 weeks', '12/01/2026', '']) {
      assert.throws(() => readTime(bad, NOW, 'since'), /since '.*' is neither a duration/);
    }
  });

  test('status defaults to failed; since must come before until', () => {
    assert.deepEqual(readFilter({}, NOW), { status: 'failed' });
    assert.deepEqual(readFilter({ workflow: 'w', error: '', ids: ['a', 'a', 'b'] }, NOW), {
      status: 'failed',
      workflow: 'w',
      ids: ['a', 'b'],
    });
    assert.throws(() => readFilter({ since: '1h', until: '2h' }, NOW), /must be before until/);
  });

  test('batches hold about a fifth of a second of the rate, 1 to 200 jobs', () => {
    assert.equal(batchSize(1), 1);
    assert.equal(batchSize(20), 4);
    assert.equal(batchSize(1000), 200);
  });
});
