/**
 * @module store/contract/locks
 * The contract of cluster-wide locks: one holder at a time, released when the work ends.
 *
 * @example
 *   describe('my store', () => locksContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CurrentStore } from './fixtures.js';

export function locksContract(current: CurrentStore): void {
  void describe('locks', () => {
    void it('a lock held refuses a caller that does not wait', async () => {
      const store = current();
      let inner: unknown = 'not tried';
      const outer = await store.withLock('poll:orders', { wait: false }, async () => {
        inner = await store.withLock('poll:orders', { wait: false }, async () => 'ran');
        return 'outer ran';
      });
      assert.deepEqual(outer, { held: true, value: 'outer ran' });
      assert.deepEqual(inner, { held: false });
    });

    void it('a waiting caller runs once the holder is done, also when it threw', async () => {
      const store = current();
      const order: string[] = [];
      const first = store.withLock('refresh:github', { wait: true }, async () => {
        order.push('first');
        await new Promise((r) => setTimeout(r, 30));
        throw new Error('the first holder failed');
      });
      await new Promise((r) => setTimeout(r, 5));
      const second = store.withLock('refresh:github', { wait: true }, async () => {
        order.push('second');
        return 2;
      });
      await assert.rejects(first, /the first holder failed/);
      assert.deepEqual(await second, { held: true, value: 2 });
      assert.deepEqual(order, ['first', 'second']);
    });

    void it('locks of different keys do not exclude each other', async () => {
      const store = current();
      const result = await store.withLock('a', { wait: false }, () =>
        store.withLock('b', { wait: false }, async () => 'both'),
      );
      assert.deepEqual(result, { held: true, value: { held: true, value: 'both' } });
    });
  });
}
