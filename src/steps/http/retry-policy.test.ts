import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  backoffDelay,
  isRetryableStatus,
  MAX_BACKOFF_MS,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  sleep,
} from './retry-policy.js';

void describe('retry policy', () => {
  void test('429 and 5xx are retried; other statuses are not', () => {
    for (const status of [429, 500, 502, 503, 504, 599]) assert.ok(isRetryableStatus(status));
    for (const status of [200, 204, 301, 400, 401, 404, 409, 422, 600]) {
      assert.equal(isRetryableStatus(status), false, String(status));
    }
  });

  void test('the backoff doubles after each failed try and stops at 30 s', () => {
    const policy = { attempts: 10, backoffMs: 1000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n)),
      [1000, 2000, 4000, 8000, 16000, 30000],
    );
    assert.equal(MAX_BACKOFF_MS, 30_000);
  });

  void test('Retry-After in seconds', () => {
    assert.equal(parseRetryAfter('0'), 0);
    assert.equal(parseRetryAfter(' 2 '), 2000);
    assert.equal(parseRetryAfter(['3', '9']), 3000);
    assert.equal(parseRetryAfter('120'), 120_000);
    assert.ok(parseRetryAfter('120')! > MAX_RETRY_AFTER_MS);
  });

  void test('Retry-After as an HTTP date, counted from now; a past date is 0', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0);
  });

  void test('an absent or unreadable Retry-After is undefined', () => {
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(parseRetryAfter(''), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter('-1'), undefined);
  });

  void test('sleep rejects when the signal fires', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await assert.rejects(sleep(10_000, controller.signal), /stop/);
    assert.ok(Date.now() - started < 1000);
  });
});
