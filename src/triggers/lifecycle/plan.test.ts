import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TriggerLifecycleRecord } from '../../store/types.js';
import { backoffDelay, dueRecords, nextWake, planReconcile } from './plan.js';
import type { DesiredTrigger } from './plan.js';

const NOW = 1_000_000;
const spec = { key: 'mailchimp.subscribe', params: {}, connection: null, webhookUrl: 'u' };
const want = (workflow: string, fingerprint = 'f1'): DesiredTrigger => ({
  workflow,
  fingerprint,
  spec,
});
const rec = (o: Partial<TriggerLifecycleRecord>): TriggerLifecycleRecord => ({
  id: 'r1',
  workflow: 'w',
  fingerprint: 'f1',
  spec,
  status: 'ready',
  state: { id: 1 },
  attempts: 1,
  lastError: null,
  nextAttemptAt: null,
  updatedAt: 0,
  ...o,
});
const ids = () => 'new';

describe('lifecycle plan', () => {
  test('a new enabled trigger gets a pending record due now', () => {
    const plan = planReconcile(new Map([['w', want('w')]]), [], NOW, ids);
    assert.deepEqual(
      plan.save.map((r) => [r.id, r.status, r.nextAttemptAt]),
      [['new', 'pending', NOW]],
    );
  });

  test('an unchanged ready trigger needs nothing (a restart calls no init)', () => {
    const plan = planReconcile(new Map([['w', want('w')]]), [rec({})], NOW, ids);
    assert.deepEqual(plan, { save: [], remove: [] });
  });

  test('a changed trigger retires the ready record and adds a pending one', () => {
    const plan = planReconcile(new Map([['w', want('w', 'f2')]]), [rec({})], NOW, ids);
    assert.deepEqual(
      plan.save.map((r) => [r.id, r.status]),
      [
        ['r1', 'retiring'],
        ['new', 'pending'],
      ],
    );
  });

  test('a disabled trigger whose init never succeeded is dropped: nothing to destroy', () => {
    const plan = planReconcile(new Map(), [rec({ status: 'pending', attempts: 2 })], NOW, ids);
    assert.deepEqual(plan, { save: [], remove: ['r1'] });
  });

  test('destroys run before inits, and an init waits for its workflow’s destroy', () => {
    const records = [
      rec({ id: 'a', status: 'pending', nextAttemptAt: NOW }),
      rec({ id: 'b', status: 'retiring', nextAttemptAt: NOW }),
      rec({ id: 'c', workflow: 'other', status: 'pending', nextAttemptAt: NOW }),
      rec({ id: 'd', workflow: 'later', status: 'pending', nextAttemptAt: NOW + 5 }),
    ];
    assert.deepEqual(
      dueRecords(records, NOW).map((r) => r.id),
      ['b', 'c'],
    );
    assert.equal(nextWake(records), NOW);
  });

  test('backoff doubles from the first wait and stops at 5 minutes', () => {
    assert.deepEqual(
      [1, 2, 3].map((n) => backoffDelay(n, 1000)),
      [1000, 2000, 4000],
    );
    assert.equal(backoffDelay(30, 1000), 300_000);
  });
});
