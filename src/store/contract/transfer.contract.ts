/**
 * @module store/contract/transfer
 * The contract of what moving an installation reads and writes: settings, tokens, trigger
 * state, remembered poll items and dedupe keys listed and replaced as they were; whole jobs
 * exported oldest first with their steps, in pages, and imported once.
 *
 * @example
 *   describe('my store', () => transferContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookflowError } from '../../errors.js';
import type { JobRecord, Page, PageRequest, Store } from '../types.js';
import type { CurrentStore } from './fixtures.js';
import {
  ACK_ANSWER,
  CLAIM,
  HOUR_MS,
  OWNER,
  finishedJob,
  inAnHour,
  newEvent,
  runningJob,
  stepRecord,
  withKey,
} from './fixtures.js';

/** Every item of an export, read `limit` at a time. */
async function readAll<T>(
  exportPage: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const page: Page<T> = await exportPage({ after, limit });
    items.push(...page.items);
    after = page.next;
    pages++;
  } while (after !== null);
  return { items, pages };
}

const allJobs = (store: Store, unfinishedOnly: boolean) =>
  readAll((page) => store.exportJobs({ ...page, unfinishedOnly }), 2);

export function transferContract(current: CurrentStore): void {
  void describe('transfer', () => {
    void it('listMeta lists every setting in key order', async () => {
      const store = current();
      await store.setMeta('webhook-token:orders', 'tok_b');
      await store.setMeta('key-check', 'sealed');
      assert.deepEqual(await store.listMeta(), [
        { key: 'key-check', value: 'sealed' },
        { key: 'webhook-token:orders', value: 'tok_b' },
      ]);
    });

    void it('listConnectionTokens lists every connection’s sealed tokens', async () => {
      const store = current();
      await store.setConnectionTokens('github', 'sealed-1');
      await store.setConnectionTokens('from-file', 'sealed-2');
      assert.deepEqual(await store.listConnectionTokens(), [
        { name: 'from-file', sealed: 'sealed-2' },
        { name: 'github', sealed: 'sealed-1' },
      ]);
    });

    void it('imported trigger states replace what was stored, and read back the same', async () => {
      const store = current();
      await store.recordTriggerFailure('nightly', 1_000, 'boom');
      const states = [
        {
          workflow: 'nightly',
          state: null,
          polled: false,
          sinceAt: null,
          lastTickAt: 1_700_000_000_000,
          lastRunAt: 1_700_000_000_100,
          lastSuccessAt: 1_700_000_000_100,
          lastError: null,
        },
        {
          workflow: 'rss',
          state: { etag: 'W/"1"', pages: [1, 2] },
          polled: true,
          sinceAt: 1_700_000_000_000,
          lastTickAt: null,
          lastRunAt: 1_700_000_000_000,
          lastSuccessAt: 1_700_000_000_500,
          lastError: null,
        },
      ];
      await store.importTriggerStates(states);
      assert.deepEqual(await store.listTriggerStates(), states);
      const rss: Partial<(typeof states)[number]> = { ...states[1] };
      delete rss.workflow;
      assert.deepEqual(await store.getTriggerState('rss'), rss);
    });

    void it('exportSeenItems pages through the items still in their window', async () => {
      const store = current();
      const now = Date.now();
      const live = ['a', 'b', 'c', 'd', 'e'].map((itemId, i) => ({
        workflow: i < 3 ? 'feed' : 'rss',
        itemId,
        version: i % 2 === 0 ? `v${i}` : null,
        expiresAt: now + HOUR_MS,
      }));
      await store.importSeenItems([
        ...live,
        { workflow: 'feed', itemId: 'old', version: null, expiresAt: now - 1 },
      ]);
      const { items, pages } = await readAll((page) => store.exportSeenItems(now, page), 2);
      assert.deepEqual(items, live);
      assert.equal(pages, 3);
    });

    void it('an imported dedupe key answers a duplicate with its job and answer', async () => {
      const store = current();
      const now = Date.now();
      const key = { workflow: 'orders', key: 'k-1', jobId: 'job_old', answer: ACK_ANSWER };
      await store.importDedupeKeys([
        { ...key, expiresAt: inAnHour() },
        { workflow: 'orders', key: 'gone', jobId: 'job_x', answer: null, expiresAt: now - 1 },
      ]);
      const { items } = await readAll((page) => store.exportDedupeKeys(now, page), 1);
      assert.deepEqual(
        items.map(({ expiresAt: _e, ...k }) => k),
        [key],
      );
      const again = await store.acceptEvent(newEvent('orders', withKey('k-1')));
      assert.deepEqual(again, { kind: 'duplicate', jobId: 'job_old', answer: ACK_ANSWER });
    });

    void it('exportJobs gives every job, or the unfinished ones, oldest first with their steps', async () => {
      const store = current();
      const first = await finishedJob(store, 'succeeded');
      const running = await runningJob(store);
      await store.saveStep(running, stepRecord(0), OWNER);
      const second = await finishedJob(store, 'failed', 'billing');
      const queued = newEvent('orders');
      await store.acceptEvent(queued);
      const third = await finishedJob(store, 'succeeded');

      const all = await allJobs(store, false);
      assert.deepEqual(
        all.items.map((j) => j.id),
        [first, running, second, queued.id, third],
      );
      assert.equal(all.pages, 3);
      const unfinished = await allJobs(store, true);
      assert.deepEqual(
        unfinished.items.map((j) => [j.id, j.status, j.steps.length]),
        [
          [running, 'running', 1],
          [queued.id, 'queued', 0],
        ],
      );
    });

    void it('an exported job imported elsewhere reads back the same', async () => {
      const source = current();
      const id = await runningJob(source);
      await source.saveStep(id, stepRecord(0), OWNER);
      await source.saveStep(id, stepRecord(1, { status: 'failed', error: 'HTTP 500' }), OWNER);
      await source.saveReply(id, ACK_ANSWER, OWNER);
      await source.finishJob(id, OWNER, 'failed', 'step_1: HTTP 500');
      const before = await source.getJob(id);
      const [record] = (await allJobs(source, false)).items as [JobRecord];

      // Import into the same store under another id: the copy must read back identically.
      const copy = { ...record, id: `${id}_copy` };
      assert.equal(await source.importJobs([copy]), 1);
      assert.deepEqual(await source.getJob(copy.id), { ...before, id: copy.id });
    });

    void it('importing the same jobs twice inserts them once', async () => {
      const store = current();
      const id = await finishedJob(store, 'succeeded');
      const { items } = await allJobs(store, false);
      const copies = items.map((j) => ({ ...j, id: `${j.id}_copy` }));
      assert.equal(await store.importJobs(copies), 1);
      assert.equal(await store.importJobs(copies), 0);
      assert.equal((await allJobs(store, false)).items.length, 2);
      assert.ok(await store.getJob(id));
    });

    void it('an imported running job arrives queued and resumes after its recorded steps', async () => {
      const store = current();
      const id = await runningJob(store);
      await store.saveStep(id, stepRecord(0), OWNER);
      const [record] = (await allJobs(store, true)).items as [JobRecord];
      const copyId = `${id}_copy`;
      await store.importJobs([{ ...record, id: copyId }]);
      assert.equal((await store.getJob(copyId))?.status, 'queued');
      const claimed = await store.claimJob(copyId, { ...CLAIM, owner: 'worker-b' });
      assert.deepEqual(
        claimed?.steps.map((s) => s.seq),
        [0],
      );
    });

    void it('a page cursor that no export produced is refused with invalid_cursor', async () => {
      const store = current();
      await assert.rejects(
        store.exportDedupeKeys(Date.now(), { after: 'not-a-cursor', limit: 10 }),
        (e: unknown) => e instanceof HookflowError && e.code === 'invalid_cursor',
      );
    });
  });
}
