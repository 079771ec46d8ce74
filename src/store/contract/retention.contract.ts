/**
 * @module store/contract/retention
 * The contract of versions and retention: a workflow's text kept once per version with its
 * first and last job, the error workflow's job created once with a failed job's finish, and
 * pruning that keeps the newest jobs and every unfinished one.
 *
 * @example
 *   describe('my store', () => retentionContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newJobId } from '../job-id.js';
import type { FailureJob } from '../types.js';
import { OWNER, finishedJob, newEvent, runningJob } from './fixtures.js';
import type { CurrentStore } from './fixtures.js';

function failureJob(failed: string): FailureJob {
  return {
    id: newJobId(),
    workflow: 'alert',
    version: 'v1',
    trigger: { workflow: 'orders', job: failed, version: null, step: 's', error: 'e', url: 'u' },
  };
}

export function retentionContract(current: CurrentStore): void {
  void describe('versions and retention', () => {
    void it('a version is stored once and listed with its first and last job', async () => {
      const store = current();
      const v = { workflow: 'orders', version: 'aaa', file: 'orders.yaml', text: 'name: orders' };
      await store.putWorkflowVersion(v);
      await store.putWorkflowVersion({ ...v, text: 'ignored: the version is stored already' });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const event = newEvent('orders', { version: 'aaa' });
        await store.acceptEvent(event);
        ids.push(event.id);
      }
      assert.equal((await store.getWorkflowVersion('orders', 'aaa'))?.text, 'name: orders');
      const [listed] = await store.listWorkflowVersions('orders');
      assert.equal(listed?.firstJob?.id, ids[0]);
      assert.equal(listed?.lastJob?.id, ids[2]);
      assert.equal((await store.getJob(ids[1]!))?.version, 'aaa');
    });

    void it("an error workflow's job is created with the failed job's finish, once", async () => {
      const store = current();
      const failed = await runningJob(store);
      const report = failureJob(failed);
      assert.equal(await store.finishJob(failed, OWNER, 'failed', 'boom', report), true);
      assert.equal(
        await store.finishJob(failed, OWNER, 'failed', 'boom', failureJob(failed)),
        false,
      );
      const created = await store.getJob(report.id);
      assert.equal(created?.failureOf, failed);
      assert.equal(created?.status, 'queued');
      assert.deepEqual((await store.listJobs({ workflow: 'alert', limit: 10 })).jobs.length, 1);
    });

    void it('pruning by count keeps the newest jobs and every unfinished one', async () => {
      const store = current();
      const done: string[] = [];
      for (let i = 0; i < 12; i++)
        done.push(await finishedJob(store, i % 2 ? 'failed' : 'succeeded'));
      const queued = newEvent('orders');
      await store.acceptEvent(queued);
      assert.equal(await store.pruneJobs({ workflow: 'orders', keep: 5 }, 3), 3);
      assert.equal(await store.pruneJobs({ workflow: 'orders', keep: 5 }, 100), 5);
      const left = (await store.listJobs({ workflow: 'orders', limit: 50 })).jobs.map((j) => j.id);
      assert.deepEqual(left, [queued.id, ...done.slice(-4).reverse()]);
      assert.equal(await store.countJobs(), 5);
    });

    void it('pruning by age deletes finished jobs created before the cutoff, with their steps', async () => {
      const store = current();
      const old = await finishedJob(store, 'succeeded');
      await new Promise((r) => setTimeout(r, 20));
      const cutoff = Date.now();
      await new Promise((r) => setTimeout(r, 20));
      const recent = await finishedJob(store, 'succeeded');
      assert.equal(await store.pruneJobs({ workflow: 'orders', olderThan: cutoff }, 100), 1);
      assert.equal(await store.getJob(old), null);
      assert.notEqual(await store.getJob(recent), null);
      assert.deepEqual(await store.jobWorkflows(), ['orders']);
      assert.ok((await store.databaseBytes()) > 0);
      await store.reclaimSpace();
    });
  });
}
