/**
 * @module store/contract/flow-control
 * The contract of concurrency keys in claims and of rate limit counts, on every backend.
 *
 * @example
 *   describe('my store', () => flowControlContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLAIM, OWNER, newEvent } from './fixtures.js';
import type { CurrentStore } from './fixtures.js';

const ONE_PER_KEY = (key: string) => ({ concurrency: { key, limit: 1 } });

export function flowControlContract(current: CurrentStore): void {
  void describe('concurrency keys', () => {
    void it('a claim passes over a job whose key is at its limit, not the jobs behind it', async () => {
      const store = current();
      const a1 = newEvent('orders', ONE_PER_KEY('a'));
      const a2 = newEvent('orders', ONE_PER_KEY('a'));
      const b1 = newEvent('orders', ONE_PER_KEY('b'));
      const free = newEvent('orders');
      for (const e of [a1, a2, b1, free]) await store.acceptEvent(e);
      const claimed = await store.claimNextJobs(CLAIM, 10);
      assert.deepEqual(
        claimed.map((j) => j.id),
        [a1.id, b1.id, free.id],
      );
      assert.equal(await store.claimJob(a2.id, CLAIM), null);
    });

    void it('a held-back job is claimable once the running one of its key finishes', async () => {
      const store = current();
      const first = newEvent('orders', ONE_PER_KEY('a'));
      const second = newEvent('orders', ONE_PER_KEY('a'));
      await store.acceptEvent(first);
      await store.acceptEvent(second);
      assert.equal((await store.claimNextJobs(CLAIM, 10)).length, 1);
      assert.equal(await store.finishJob(first.id, OWNER, 'succeeded', null), true);
      assert.equal((await store.claimJob(second.id, CLAIM))?.id, second.id);
    });

    void it('a key keeps arrival order: a later job is not claimed by id before an earlier one', async () => {
      const store = current();
      const first = newEvent('orders', ONE_PER_KEY('a'));
      const second = newEvent('orders', ONE_PER_KEY('a'));
      await store.acceptEvent(first);
      await store.acceptEvent(second);
      assert.equal(await store.claimJob(second.id, CLAIM), null);
      assert.equal((await store.claimJob(first.id, CLAIM))?.id, first.id);
    });

    void it('two claimers at once never start two jobs of a key with limit 1', async () => {
      const store = current();
      for (let i = 0; i < 6; i++) await store.acceptEvent(newEvent('orders', ONE_PER_KEY('k')));
      const claims = await Promise.all(
        ['w1', 'w2', 'w3'].map((owner) => store.claimNextJobs({ owner, leaseMs: 60_000 }, 5)),
      );
      assert.equal(claims.flat().length, 1);
    });
  });

  void describe('rate limit counts', () => {
    void it('counts events per key in a window and refuses above the limit', async () => {
      const store = current();
      const rate = { limit: 2, perMs: 60_000 };
      const hits = [];
      for (let i = 0; i < 3; i++) hits.push(await store.hitRateLimit('orders', 'shop-1', rate));
      assert.deepEqual(
        hits.map((h) => h.allowed),
        [true, true, false],
      );
      assert.ok(hits[2]!.retryAfterMs > 0 && hits[2]!.retryAfterMs <= 60_000);
      assert.equal((await store.hitRateLimit('orders', 'shop-2', rate)).allowed, true);
      assert.equal((await store.hitRateLimit('billing', 'shop-1', rate)).allowed, true);
    });
  });
}
