import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { itemDate } from './run-poll.js';

describe('the date of an updated value (for since)', () => {
  it('ISO-8601 and RFC 2822 dates are dates', () => {
    assert.equal(itemDate('2025-03-01T10:00:00Z'), Date.parse('2025-03-01T10:00:00Z'));
    assert.equal(itemDate('2025-03-01'), Date.parse('2025-03-01T00:00:00Z'));
    assert.equal(itemDate('Sat, 01 Mar 2025 10:00:00 GMT'), Date.parse('2025-03-01T10:00:00Z'));
  });
  it('Unix time is 10 digits (seconds) or 13 (milliseconds)', () => {
    assert.equal(itemDate('1740823200'), 1_740_823_200_000);
    assert.equal(itemDate('1740823200123'), 1_740_823_200_123);
  });
  it('other numbers are versions, and text that is no date is none', () => {
    assert.equal(itemDate('3'), null);
    assert.equal(itemDate('2.5'), null);
    assert.equal(itemDate('v7'), null);
    assert.equal(itemDate('rev 3'), null);
    assert.equal(itemDate(null), null);
  });
});
