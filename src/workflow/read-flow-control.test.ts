/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWorkflow } from './loader.js';
import { HEAD, onlyProblem, yaml } from './validation-helpers.js';

const WEBHOOK = HEAD;

describe('rate_limit', () => {
  it('is read with its limit, window and key', async () => {
    const w = parseWorkflow(
      yaml(...WEBHOOK, `    rate_limit: {limit: 100, per: 1s, key: "{{ headers.'x-shop' }}"}`),
      'w.yaml',
    );
    assert.ok(w.trigger.type === 'webhook');
    const rate = w.trigger.rateLimit;
    assert.equal(rate?.limit, 100);
    assert.equal(rate?.perMs, 1_000);
    assert.equal(await rate?.key?.render({ headers: { 'x-shop': 's1' } }), 's1');
  });
  it('a limit below 1 is reported at its line', () => {
    onlyProblem(
      yaml(...WEBHOOK, '    rate_limit:', '      limit: 0', '      per: 1s'),
      6,
      'trigger.webhook.rate_limit.limit must be a whole number ≥ 1 (got 0)',
    );
  });
  it('a missing limit is reported at the rate_limit mapping', () => {
    onlyProblem(
      yaml(...WEBHOOK, '    rate_limit: {per: 1s}'),
      5,
      "missing required key 'limit' in trigger.webhook.rate_limit",
    );
  });
});

describe('concurrency', () => {
  it('is read with its limit and key', async () => {
    const w = parseWorkflow(
      yaml(...WEBHOOK, 'concurrency: {limit: 2, key: "{{ trigger.body.customer_id }}"}'),
      'w.yaml',
    );
    assert.equal(w.concurrency?.limit, 2);
    assert.equal(await w.concurrency?.key?.render({ trigger: { body: { customer_id: 7 } } }), 7);
  });
  it('a limit above 1000 is reported at its line', () => {
    onlyProblem(
      yaml(...WEBHOOK, 'concurrency:', '  limit: 5000'),
      6,
      'concurrency.limit must be at most 1000 (got 5000)',
    );
  });
  it('an unknown key is reported with the allowed ones', () => {
    onlyProblem(
      yaml(...WEBHOOK, 'concurrency: {limit: 1, keys: x}'),
      5,
      "unknown key 'keys' in concurrency (allowed: limit, key); did you mean 'key'?",
    );
  });
});

describe('debounce', () => {
  it('is read with its key, wait and max wait', async () => {
    const w = parseWorkflow(
      yaml(...WEBHOOK, 'debounce: {key: "{{ trigger.body.user }}", wait: 5s, max_wait: 1m}'),
      'w.yaml',
    );
    assert.equal(w.debounce?.waitMs, 5_000);
    assert.equal(w.debounce?.maxWaitMs, 60_000);
    assert.equal(await w.debounce?.key?.render({ trigger: { body: { user: 'u1' } } }), 'u1');
  });
  it('max_wait defaults to ten waits', () => {
    const w = parseWorkflow(yaml(...WEBHOOK, 'debounce: {wait: 2s}'), 'w.yaml');
    assert.equal(w.debounce?.maxWaitMs, 20_000);
  });
  it('a missing wait is reported at the debounce mapping', () => {
    onlyProblem(
      yaml(...WEBHOOK, 'debounce: {key: "{{ trigger.body.user }}"}'),
      5,
      "missing required key 'wait' in debounce",
    );
  });
  it('a max_wait shorter than wait is reported at its line', () => {
    onlyProblem(
      yaml(...WEBHOOK, 'debounce:', '  wait: 10s', '  max_wait: 5s'),
      7,
      'debounce.max_wait must be at least wait (10000 ms; got 5000 ms)',
    );
  });
  it('a schedule trigger cannot debounce', () => {
    onlyProblem(
      yaml('name: w', 'trigger:', '  schedule: {every: 1m}', 'steps: []', 'debounce: {wait: 1s}'),
      5,
      /debounce applies to events \(webhook and connector triggers\); a schedule trigger/,
    );
  });
  it('request_response delivery cannot debounce', () => {
    onlyProblem(
      yaml(...WEBHOOK, '    delivery: request_response', 'debounce: {wait: 1s}'),
      6,
      /debounce cannot be used with delivery request_response/,
    );
  });
});
