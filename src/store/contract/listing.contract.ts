/**
 * @module store/contract/listing
 * The contract of what the management API and UI read: job pages, the last status of a
 * workflow, and the meta settings.
 *
 * @example
 *   describe('my store', () => listingContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookflowError } from '../../errors.js';
import type { JobFilter, JobSummary, Store } from '../types.js';
import type { CurrentStore } from './fixtures.js';
import { acceptMany, finishedJob, newEvent } from './fixtures.js';
import { searchContract } from './search.contract.js';

/** Follows nextCursor to the end; returns every page's ids. */
async function allPages(store: Store, filter: JobFilter): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.listJobs({ ...filter, ...(cursor === undefined ? {} : { cursor }) });
    pages.push(page.jobs.map((j) => j.id));
    if (page.nextCursor === null) return pages;
    cursor = page.nextCursor;
  }
}

export function listingContract(current: CurrentStore): void {
  void describe('listJobs', () => {
    void it('listJobs on an empty store answers no jobs and no cursor', async () => {
      assert.deepEqual(await current().listJobs({ limit: 20 }), { jobs: [], nextCursor: null });
    });

    void it('listJobs pages newest first until nextCursor is null', async () => {
      const store = current();
      const ids = await acceptMany(store, 7);
      const newest = [...ids].reverse();
      assert.deepEqual(await allPages(store, { limit: 3 }), [
        newest.slice(0, 3),
        newest.slice(3, 6),
        newest.slice(6),
      ]);
    });

    void it('a page ending exactly at the oldest job has nextCursor null', async () => {
      const store = current();
      await acceptMany(store, 6);
      const pages = await allPages(store, { limit: 3 });
      assert.deepEqual(
        pages.map((p) => p.length),
        [3, 3],
      );
    });

    void it('jobs created after a page was read do not shift the next page', async () => {
      const store = current();
      const ids = await acceptMany(store, 4);
      const first = await store.listJobs({ limit: 2 });
      await acceptMany(store, 3);
      assert.ok(first.nextCursor);
      const second = await store.listJobs({ limit: 2, cursor: first.nextCursor });
      assert.deepEqual(
        second.jobs.map((j) => j.id),
        [ids[1], ids[0]],
      );
    });

    void it('listJobs filters by workflow, by status, and by both', async () => {
      const store = current();
      const [ordersQueued] = await acceptMany(store, 1, 'orders');
      const ordersFailed = await finishedJob(store, 'failed', 'orders');
      const refundsFailed = await finishedJob(store, 'failed', 'refunds');
      const [refundsQueued] = await acceptMany(store, 1, 'refunds');

      const ids = async (filter: Omit<JobFilter, 'limit'>) =>
        (await allPages(store, { ...filter, limit: 1 })).flat();
      assert.deepEqual(await ids({ workflow: 'orders' }), [ordersFailed, ordersQueued]);
      assert.deepEqual(await ids({ status: 'failed' }), [refundsFailed, ordersFailed]);
      assert.deepEqual(await ids({ workflow: 'refunds', status: 'queued' }), [refundsQueued]);
      assert.deepEqual(await ids({ workflow: 'nope' }), []);
    });

    void it('a job summary tells when it was created and finished and how long it took', async () => {
      const store = current();
      const id = await finishedJob(store, 'succeeded');
      const [summary] = (await store.listJobs({ limit: 1 })).jobs;
      const detail = await store.getJob(id);
      assert.ok(detail);
      const expected: JobSummary = {
        id,
        workflow: 'orders',
        status: 'succeeded',
        createdAt: detail.createdAt,
        finishedAt: detail.finishedAt,
        durationMs: detail.durationMs,
        waiting: null,
      };
      assert.deepEqual(summary, expected);
      assert.equal(typeof summary?.durationMs, 'number');
    });

    void it('limit is capped at 500', async () => {
      const store = current();
      await Promise.all(Array.from({ length: 501 }, () => store.acceptEvent(newEvent('orders'))));
      const page = await store.listJobs({ limit: 10_000 });
      assert.equal(page.jobs.length, 500);
      assert.ok(page.nextCursor);
      const rest = await store.listJobs({ limit: 10_000, cursor: page.nextCursor });
      assert.deepEqual([rest.jobs.length, rest.nextCursor], [1, null]);
    });

    void it('a cursor listJobs did not produce is rejected with invalid_cursor', async () => {
      await assert.rejects(
        current().listJobs({ limit: 10, cursor: 'not-a-cursor!' }),
        (e: unknown) => e instanceof HookflowError && e.code === 'invalid_cursor',
      );
    });
  });

  searchContract(current);

  void describe('lastJobStatus', () => {
    void it('lastJobStatus is null for a workflow without jobs', async () => {
      assert.equal(await current().lastJobStatus('orders'), null);
    });

    void it('lastJobStatus is the status of the newest job of that workflow', async () => {
      const store = current();
      await finishedJob(store, 'failed', 'orders');
      assert.equal(await store.lastJobStatus('orders'), 'failed');
      await acceptMany(store, 1, 'orders');
      await finishedJob(store, 'succeeded', 'refunds');
      assert.equal(await store.lastJobStatus('orders'), 'queued');
      assert.equal(await store.lastJobStatus('refunds'), 'succeeded');
    });
  });

  void describe('meta', () => {
    void it('getMeta is null for a key never set', async () => {
      assert.equal(await current().getMeta('webhook-token:orders'), null);
    });

    void it('setMeta stores a value and a second setMeta replaces it', async () => {
      const store = current();
      await store.setMeta('webhook-token:orders', 'a'.repeat(36));
      assert.equal(await store.getMeta('webhook-token:orders'), 'a'.repeat(36));
      await store.setMeta('webhook-token:orders', 'b');
      assert.equal(await store.getMeta('webhook-token:orders'), 'b');
    });
  });
}
