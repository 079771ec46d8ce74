/**
 * @module store/contract/throttles
 * The contract of connection throttles on every backend: request slots per connection (at
 * most `limit` in any window of `perMs`), pauses that hold a connection for everyone, and the
 * time a step waited, kept on its record.
 *
 * @example
 *   describe('my store', () => throttlesContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLAIM, OWNER, newEvent, stepRecord } from './fixtures.js';
import type { CurrentStore } from './fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function throttlesContract(current: CurrentStore): void {
  void describe('connection throttles', () => {
    void it('grants `limit` slots in a window, then says how long until the oldest frees', async () => {
      const store = current();
      const rate = { limit: 3, perMs: 60_000 };
      const turns = [];
      for (let i = 0; i < 4; i++) turns.push(await store.takeConnectionSlot('crm', rate));
      assert.deepEqual(
        turns.map((t) => t.granted),
        [true, true, true, false],
      );
      const refused = turns[3]!;
      assert.ok(!refused.granted && refused.reason === 'rate');
      assert.ok(refused.waitMs > 55_000 && refused.waitMs <= 60_000, `waitMs ${refused.waitMs}`);
      assert.equal((await store.takeConnectionSlot('erp', rate)).granted, true);
    });

    void it('a slot frees once it is `perMs` old, not before', async () => {
      const store = current();
      const rate = { limit: 1, perMs: 300 };
      assert.equal((await store.takeConnectionSlot('crm', rate)).granted, true);
      const early = await store.takeConnectionSlot('crm', rate);
      assert.ok(!early.granted && early.waitMs > 0 && early.waitMs <= 300);
      await sleep(early.granted ? 0 : early.waitMs + 20);
      assert.equal((await store.takeConnectionSlot('crm', rate)).granted, true);
    });

    void it('takers at once never get more than `limit` slots of a window', async () => {
      const store = current();
      const rate = { limit: 5, perMs: 60_000 };
      const turns = await Promise.all(
        Array.from({ length: 20 }, () => store.takeConnectionSlot('crm', rate)),
      );
      assert.equal(turns.filter((t) => t.granted).length, 5);
    });

    void it('a raised limit grants the new slots at once', async () => {
      const store = current();
      assert.equal(
        (await store.takeConnectionSlot('crm', { limit: 1, perMs: 60_000 })).granted,
        true,
      );
      assert.equal(
        (await store.takeConnectionSlot('crm', { limit: 1, perMs: 60_000 })).granted,
        false,
      );
      assert.equal(
        (await store.takeConnectionSlot('crm', { limit: 2, perMs: 60_000 })).granted,
        true,
      );
    });

    void it('a pause refuses every taker until it ends, with or without a rate', async () => {
      const store = current();
      const paused = await store.pauseConnection('crm', 400);
      assert.ok(paused > 300 && paused <= 400, `paused ${paused}`);
      for (const rate of [null, { limit: 10, perMs: 1_000 }]) {
        const turn = await store.takeConnectionSlot('crm', rate);
        assert.ok(!turn.granted && turn.reason === 'paused', JSON.stringify(turn));
        assert.ok(turn.waitMs > 0 && turn.waitMs <= 400);
      }
      assert.equal((await store.takeConnectionSlot('erp', null)).granted, true);
      await sleep(450);
      assert.equal((await store.takeConnectionSlot('crm', null)).granted, true);
      assert.equal(
        (await store.takeConnectionSlot('crm', { limit: 10, perMs: 1_000 })).granted,
        true,
      );
    });

    void it('a shorter pause does not end a longer one', async () => {
      const store = current();
      await store.pauseConnection('crm', 60_000);
      const kept = await store.pauseConnection('crm', 1_000);
      assert.ok(kept > 55_000, `kept ${kept}`);
      const turn = await store.takeConnectionSlot('crm', null);
      assert.ok(!turn.granted && turn.waitMs > 55_000);
    });

    void it("a step's wait for its connection is kept on its record", async () => {
      const store = current();
      const event = newEvent('orders');
      await store.acceptEvent(event);
      await store.claimJob(event.id, CLAIM);
      const step = stepRecord(0, { waitedMs: 1_500, durationMs: 1_620 });
      await store.saveStep(event.id, step, OWNER);
      assert.deepEqual((await store.getJob(event.id))?.steps, [step]);
    });
  });
}
