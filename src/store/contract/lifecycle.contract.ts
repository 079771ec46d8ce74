/**
 * @module store/contract/lifecycle.contract
 * Connector trigger lifecycle records: kept across a reopen, replaced by id, deleted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TriggerLifecycleRecord } from '../types.js';
import type { CurrentStore } from './fixtures.js';

function record(overrides: Partial<TriggerLifecycleRecord> = {}): TriggerLifecycleRecord {
  return {
    id: 'tl_1',
    workflow: 'subscribers',
    fingerprint: 'f1',
    spec: { key: 'mailchimp.subscribe', params: { list_id: 'l1', api_key: '${env:MC_KEY}' } },
    status: 'pending',
    state: null,
    attempts: 0,
    lastError: null,
    nextAttemptAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function lifecycleContract(current: CurrentStore): void {
  void describe('trigger lifecycle records', () => {
    void it('a saved record reads back as saved, state and spec as JSON', async () => {
      const r = record({ status: 'ready', state: { webhookId: 'wh_9', n: 2 }, attempts: 1 });
      await current().saveTriggerLifecycle(r);
      assert.deepEqual(await current().listTriggerLifecycles(), [r]);
    });

    void it('saving the same id replaces the record', async () => {
      await current().saveTriggerLifecycle(record());
      const failed = record({
        status: 'failed',
        attempts: 3,
        lastError: '500',
        nextAttemptAt: null,
      });
      await current().saveTriggerLifecycle(failed);
      assert.deepEqual(await current().listTriggerLifecycles(), [failed]);
    });

    void it('a deleted record is gone, others stay', async () => {
      await current().saveTriggerLifecycle(record());
      await current().saveTriggerLifecycle(record({ id: 'tl_2', status: 'retiring' }));
      await current().deleteTriggerLifecycle('tl_1');
      const left = await current().listTriggerLifecycles();
      assert.deepEqual(
        left.map((r) => r.id),
        ['tl_2'],
      );
    });
  });
}
