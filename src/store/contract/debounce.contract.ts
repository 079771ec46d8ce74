/**
 * @module store/contract/debounce
 * The contract of debounced events, of why a queued job waits, of concurrency keys on poll
 * and schedule jobs, and of the count of jobs held back by their key, on every backend.
 *
 * @example
 *   describe('my store', () => debounceContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLAIM, OWNER, newEvent, triggerData, withKey } from './fixtures.js';
import type { CurrentStore } from './fixtures.js';
import type { JobDebounce, NewEvent } from '../types.js';
import { newJobId } from '../job-id.js';

const HOUR_MS = 3_600_000;

function debounced(key: string, over: Partial<JobDebounce> = {}): Pick<NewEvent, 'debounce'> {
  return { debounce: { key, waitMs: HOUR_MS, maxWaitMs: 2 * HOUR_MS, ...over } };
}

function bodyEvent(n: number, extra: Partial<NewEvent> = {}): NewEvent {
  return newEvent('orders', { trigger: triggerData({ body: { n } }), ...extra });
}

export function debounceContract(current: CurrentStore): void {
  void describe('debounced events', () => {
    void it('events of one key become one queued job with the last trigger data and the count', async () => {
      const store = current();
      const results = [];
      for (let n = 1; n <= 3; n++)
        results.push(await store.acceptEvent(bodyEvent(n, debounced('a'))));
      const ids = new Set(results.map((r) => r.jobId));
      assert.equal(ids.size, 1);
      const job = await store.getJob([...ids][0] as string);
      assert.deepEqual((job?.trigger as { body: unknown }).body, { n: 3 });
      const debounce = (
        job?.trigger as { debounce?: { count: number; firstAt: string; lastAt: string } }
      ).debounce;
      assert.equal(debounce?.count, 3);
      assert.ok(debounce && debounce.firstAt <= debounce.lastAt);
      assert.equal(job?.waiting?.reason, 'debounce');
      assert.equal((await store.listJobs({ limit: 10 })).jobs.length, 1);
    });

    void it('other keys and other workflows debounce apart', async () => {
      const store = current();
      const a = await store.acceptEvent(bodyEvent(1, debounced('a')));
      const b = await store.acceptEvent(bodyEvent(2, debounced('b')));
      const other = await store.acceptEvent(newEvent('billing', debounced('a')));
      assert.equal(new Set([a.jobId, b.jobId, other.jobId]).size, 3);
    });

    void it('a debounced job is not claimed before its time, by id or in a batch', async () => {
      const store = current();
      const e = bodyEvent(1, debounced('a'));
      await store.acceptEvent(e);
      assert.equal(await store.claimJob(e.id, CLAIM), null);
      assert.deepEqual(await store.claimNextJobs(CLAIM, 10), []);
    });

    void it('once its wait has passed the job is claimed, with the burst in its trigger data', async () => {
      const store = current();
      const first = bodyEvent(1, debounced('a', { waitMs: 1 }));
      await store.acceptEvent(first);
      await store.acceptEvent(bodyEvent(2, debounced('a', { waitMs: 1 })));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const [job] = await store.claimNextJobs(CLAIM, 10);
      assert.equal(job?.id, first.id);
      assert.deepEqual((job?.trigger as { body: unknown }).body, { n: 2 });
      assert.equal((job?.trigger as { debounce?: { count: number } }).debounce?.count, 2);
    });

    void it('an event after the claim starts a new job for the key', async () => {
      const store = current();
      const first = bodyEvent(1, debounced('a', { waitMs: 1 }));
      await store.acceptEvent(first);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal((await store.claimJob(first.id, CLAIM))?.id, first.id);
      const later = await store.acceptEvent(bodyEvent(2, debounced('a')));
      assert.notEqual(later.jobId, first.id);
      await store.finishJob(first.id, OWNER, 'succeeded', null);
    });

    void it('max wait caps how far later events push the start', async () => {
      const store = current();
      const opts = debounced('a', { waitMs: HOUR_MS, maxWaitMs: 30 });
      const first = bodyEvent(1, opts);
      await store.acceptEvent(first);
      await store.acceptEvent(bodyEvent(2, opts));
      await new Promise((resolve) => setTimeout(resolve, 60));
      assert.equal((await store.claimJob(first.id, CLAIM))?.id, first.id);
    });

    void it('a duplicate of a debounced event answers with the job that carries it and counts once', async () => {
      const store = current();
      const first = await store.acceptEvent(bodyEvent(1, debounced('a')));
      const keyed = bodyEvent(2, { ...debounced('a'), ...withKey('delivery-2') });
      assert.equal((await store.acceptEvent(keyed)).jobId, first.jobId);
      const again = await store.acceptEvent({
        ...bodyEvent(2, debounced('a')),
        ...withKey('delivery-2'),
      });
      assert.deepEqual(again, { kind: 'duplicate', jobId: first.jobId, answer: null });
      const job = await store.getJob(first.jobId);
      assert.equal((job?.trigger as { debounce?: { count: number } }).debounce?.count, 2);
    });
  });

  void describe('why a queued job waits', () => {
    void it('held by its concurrency key, or runnable behind other jobs', async () => {
      const store = current();
      const concurrency = { key: 'cus_1', limit: 1 };
      const first = newEvent('orders', { concurrency });
      const second = newEvent('orders', { concurrency });
      await store.acceptEvent(first);
      await store.acceptEvent(second);
      assert.deepEqual((await store.getJob(first.id))?.waiting, { reason: 'queue' });
      assert.equal((await store.claimJob(first.id, CLAIM))?.id, first.id);
      assert.equal((await store.getJob(first.id))?.waiting, null);
      const held = { reason: 'concurrency', key: 'cus_1', limit: 1 };
      assert.deepEqual((await store.getJob(second.id))?.waiting, held);
      const listed = (await store.listJobs({ limit: 10 })).jobs.find((j) => j.id === second.id);
      assert.deepEqual(listed?.waiting, held);
      assert.deepEqual(await store.jobsWaitingOnConcurrency(), [{ workflow: 'orders', jobs: 1 }]);
      await store.finishJob(first.id, OWNER, 'succeeded', null);
      assert.deepEqual(await store.jobsWaitingOnConcurrency(), []);
    });

    void it('a debounced job not yet due holds no later job of its concurrency key back', async () => {
      const store = current();
      const concurrency = { key: 'shared', limit: 1 };
      await store.acceptEvent(newEvent('orders', { concurrency, ...debounced('a') }));
      const plain = newEvent('orders', { concurrency });
      await store.acceptEvent(plain);
      assert.deepEqual(
        (await store.claimNextJobs(CLAIM, 10)).map((j) => j.id),
        [plain.id],
      );
    });
  });

  void describe('concurrency keys of poll and schedule jobs', () => {
    void it('a poll job and a schedule job carry their key to the claim', async () => {
      const store = current();
      const concurrency = { key: 'k', limit: 1 };
      const at = new Date().toISOString();
      const item = (id: string) => ({
        id,
        version: null,
        baseline: false,
        job: {
          id: newJobId(),
          trigger: {
            id,
            type: 'poll' as const,
            body: { id },
            itemId: id,
            updated: null,
            receivedAt: at,
          },
          concurrency,
        },
      });
      const now = Date.now();
      const polled = await store.recordPoll({
        workflow: 'feed',
        items: [item('1'), item('2')],
        state: null,
        startedAt: now,
        finishedAt: now,
        seenWindowMs: HOUR_MS,
      });
      assert.equal(polled.length, 2);
      const tick = {
        id: newJobId(),
        trigger: {
          id: 't',
          type: 'schedule' as const,
          body: null,
          scheduledAt: at,
          timezone: null,
          receivedAt: at,
        },
        concurrency,
      };
      assert.equal(await store.claimTick('feed', now, tick), true);
      const claimed = await store.claimNextJobs(CLAIM, 10);
      assert.deepEqual(
        claimed.map((j) => j.id),
        [polled[0]],
      );
      assert.deepEqual((await store.getJob(tick.id))?.waiting, {
        reason: 'concurrency',
        key: 'k',
        limit: 1,
      });
    });
  });
}
