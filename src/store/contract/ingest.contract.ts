/**
 * @module store/contract/ingest
 * The contract of `acceptEvent` and dedupe: what ingress relies on before answering a caller.
 *
 * @example
 *   describe('my store', () => ingestContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookflowError } from '../../errors.js';
import type { AcceptResult } from '../types.js';
import type { CurrentStore } from './fixtures.js';
import { ACK_ANSWER, HOUR_MS, inAnHour, newEvent, triggerData, withKey } from './fixtures.js';

export function ingestContract(current: CurrentStore): void {
  void describe('acceptEvent', () => {
    void it('an accepted event becomes a queued job holding its trigger data', async () => {
      const store = current();
      const before = Date.now();
      const event = newEvent('orders');
      assert.deepEqual(await store.acceptEvent(event), { kind: 'accepted', jobId: event.id });

      const job = await store.getJob(event.id);
      assert.ok(job);
      const { createdAt, ...rest } = job;
      assert.deepEqual(rest, {
        id: event.id,
        workflow: 'orders',
        status: 'queued',
        finishedAt: null,
        durationMs: null,
        attempt: 0,
        rerunOf: null,
        waiting: { reason: 'queue' },
        version: null,
        failureOf: null,
        replay: null,
        trigger: event.trigger,
        steps: [],
        reply: null,
        error: null,
        trace: null,
      });
      assert.ok(Date.parse(createdAt) >= before - 1000 && Date.parse(createdAt) <= Date.now());
      assert.equal(new Date(createdAt).toISOString(), createdAt);
    });

    void it('trigger data with base64 raw bodies and nested values reads back unchanged', async () => {
      const store = current();
      const trigger = triggerData({
        rawBody: Buffer.from([0, 255, 10]).toString('base64'),
        rawBodyEncoding: 'base64',
        body: { deep: [null, true, 1.5, { s: '"quoted"\n' }] },
      });
      const event = newEvent('orders', { trigger });
      await store.acceptEvent(event);
      assert.deepEqual((await store.getJob(event.id))?.trigger, trigger);
    });

    void it('an event without a dedupe key is never a duplicate', async () => {
      const store = current();
      const a = newEvent('orders');
      const b = newEvent('orders', { trigger: a.trigger });
      assert.equal((await store.acceptEvent(a)).kind, 'accepted');
      assert.equal((await store.acceptEvent(b)).kind, 'accepted');
    });
  });

  void describe('dedupe', () => {
    void it('a duplicate dedupe key gets the first answer and no second job', async () => {
      const store = current();
      const first = newEvent('orders', { ...withKey('delivery-1'), answer: ACK_ANSWER });
      const second = newEvent('orders', {
        ...withKey('delivery-1'),
        answer: { ...ACK_ANSWER, status: 201 },
      });
      await store.acceptEvent(first);

      assert.deepEqual(await store.acceptEvent(second), {
        kind: 'duplicate',
        jobId: first.id,
        answer: ACK_ANSWER,
      });
      assert.equal(await store.getJob(second.id), null);
      assert.equal((await store.listJobs({ limit: 10 })).jobs.length, 1);
    });

    void it('a duplicate of an event stored without an answer gets answer null', async () => {
      const store = current();
      const first = newEvent('orders', withKey('k'));
      await store.acceptEvent(first);
      assert.deepEqual(await store.acceptEvent(newEvent('orders', withKey('k'))), {
        kind: 'duplicate',
        jobId: first.id,
        answer: null,
      });
    });

    void it('dedupe keys are scoped to their workflow', async () => {
      const store = current();
      assert.equal((await store.acceptEvent(newEvent('orders', withKey('k')))).kind, 'accepted');
      assert.equal((await store.acceptEvent(newEvent('refunds', withKey('k')))).kind, 'accepted');
    });

    void it('a dedupe key past its expiry no longer counts, and the new job takes it over', async () => {
      const store = current();
      const expired = newEvent('orders', withKey('k', Date.now() - 1000));
      const fresh = newEvent('orders', withKey('k'));
      await store.acceptEvent(expired);

      assert.deepEqual(await store.acceptEvent(fresh), { kind: 'accepted', jobId: fresh.id });
      const third = await store.acceptEvent(newEvent('orders', withKey('k')));
      assert.deepEqual(third, { kind: 'duplicate', jobId: fresh.id, answer: null });
    });

    void it('two events with the same new key in one turn: the second is a duplicate of the first', async () => {
      const store = current();
      const a = newEvent('orders', { ...withKey('same-turn'), answer: ACK_ANSWER });
      const b = newEvent('orders', withKey('same-turn'));
      const [ra, rb] = await Promise.all([store.acceptEvent(a), store.acceptEvent(b)]);

      assert.deepEqual(ra, { kind: 'accepted', jobId: a.id });
      assert.deepEqual(rb, { kind: 'duplicate', jobId: a.id, answer: ACK_ANSWER });
      assert.equal(await store.getJob(b.id), null);
    });

    void it('purgeDedupe deletes the keys past their window and counts them', async () => {
      const store = current();
      const base = Date.now() + HOUR_MS;
      await store.acceptEvent(newEvent('orders', withKey('short', base + 1000)));
      const long = newEvent('orders', withKey('long', base + 2000));
      await store.acceptEvent(long);

      assert.equal(await store.purgeDedupe(base + 1500), 1);
      assert.equal(await store.purgeDedupe(base + 1500), 0);
      assert.equal(
        (await store.acceptEvent(newEvent('orders', withKey('short')))).kind,
        'accepted',
      );
      const again = await store.acceptEvent(newEvent('orders', withKey('long')));
      assert.deepEqual(again, { kind: 'duplicate', jobId: long.id, answer: null });
    });
  });

  void describe('group commit', () => {
    void it('2,000 concurrent acceptEvent calls all resolve and every job exists', async () => {
      const store = current();
      const events = Array.from({ length: 2000 }, (_, i) =>
        newEvent(`wf-${i % 3}`, i % 2 === 0 ? withKey(`key-${i}`) : {}),
      );
      const results = await Promise.all(events.map((e) => store.acceptEvent(e)));

      assert.deepEqual(
        results,
        events.map((e): AcceptResult => ({ kind: 'accepted', jobId: e.id })),
      );
      assert.deepEqual(
        await store.unfinishedJobs(),
        events.map((e) => e.id),
      );
    });

    void it('an event whose id is taken is rejected alone; the rest of its batch is stored', async () => {
      const store = current();
      const taken = newEvent('orders');
      await store.acceptEvent(taken);
      const a = newEvent('orders');
      const clash = newEvent('other', { id: taken.id, ...withKey('lost-key', inAnHour()) });
      const b = newEvent('orders');

      const [ra, rclash, rb] = await Promise.allSettled([
        store.acceptEvent(a),
        store.acceptEvent(clash),
        store.acceptEvent(b),
      ]);
      assert.equal(ra.status, 'fulfilled');
      assert.equal(rb.status, 'fulfilled');
      assert.ok(rclash.status === 'rejected');
      assert.ok(rclash.reason instanceof HookflowError);
      assert.equal(rclash.reason.code, 'store_write_failed');

      assert.ok(await store.getJob(a.id));
      assert.ok(await store.getJob(b.id));
      assert.equal((await store.getJob(taken.id))?.workflow, 'orders');
      // The rejected event's dedupe key was rolled back with it.
      assert.equal(
        (await store.acceptEvent(newEvent('other', withKey('lost-key')))).kind,
        'accepted',
      );
    });
  });
}
