/**
 * @module store/contract/replays
 * The contract of bulk replays: what a filter matches, a replay bounded to the jobs stored when
 * it was created, one new job per original however often a batch is committed, and a cancel
 * that stops the next batch.
 *
 * @example
 *   describe('my store', () => replaysContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newJobId } from '../job-id.js';
import type { ReplayBatch, ReplayCandidate, Store } from '../types.js';
import { CLAIM, OWNER, finishedJob, newEvent } from './fixtures.js';
import type { CurrentStore } from './fixtures.js';

async function failedJob(store: Store, workflow: string, error: string): Promise<string> {
  const event = newEvent(workflow);
  await store.acceptEvent(event);
  await store.claimJob(event.id, CLAIM);
  await store.finishJob(event.id, OWNER, 'failed', error);
  return event.id;
}

function batchOf(replay: string, candidates: ReplayCandidate[]): ReplayBatch {
  return {
    replay,
    afterSeq: candidates.at(-1)?.seq ?? 0,
    skipped: 0,
    jobs: candidates.map((c) => ({
      id: newJobId(),
      original: c.id,
      workflow: c.workflow,
      trigger: c.trigger,
    })),
  };
}

export function replaysContract(current: CurrentStore): void {
  void describe('replays', () => {
    void it('a filter matches by status, workflow, error text, ids and time; newest first', async () => {
      const store = current();
      const a = await failedJob(store, 'orders', 'step call: POST http://x answered 500');
      const b = await failedJob(store, 'orders', 'step call: timeout');
      const c = await failedJob(store, 'billing', 'step call: POST http://x answered 500');
      await finishedJob(store, 'succeeded', 'orders');

      const failed = await store.matchJobs({ status: 'failed' }, 10);
      assert.equal(failed.count, 3);
      assert.deepEqual(
        failed.sample.map((j) => j.id),
        [c, b, a],
      );
      assert.equal(failed.sample[1]?.error, 'step call: timeout');
      assert.equal(failed.sample[0]?.workflow, 'billing');

      const orders = await store.matchJobs({ status: 'failed', workflow: 'orders' }, 10);
      assert.equal(orders.count, 2);
      const answered = await store.matchJobs({ status: 'failed', error: 'ANSWERED 500' }, 1);
      assert.equal(answered.count, 2, 'error text matches whatever its case');
      assert.equal(answered.sample.length, 1);
      const picked = await store.matchJobs({ status: 'failed', ids: [a, c, 'nope'] }, 10);
      assert.equal(picked.count, 2);
      const future = await store.matchJobs({ status: 'failed', since: Date.now() + 60_000 }, 10);
      assert.equal(future.count, 0);
      const past = await store.matchJobs({ status: 'failed', until: Date.now() + 60_000 }, 10);
      assert.equal(past.count, 3);
      assert.equal((await store.matchJobs({ status: 'succeeded' }, 10)).count, 1);
    });

    void it('a replay takes the jobs stored when it was created, oldest first', async () => {
      const store = current();
      const first = await failedJob(store, 'orders', 'boom');
      const second = await failedJob(store, 'orders', 'boom');
      const running = newEvent('orders');
      await store.acceptEvent(running);
      await store.claimJob(running.id, CLAIM);
      const replay = await store.createReplay({
        id: newJobId(),
        filter: { status: 'failed' },
        version: 'current',
        rate: 10,
      });
      assert.equal(replay.status, 'running');
      assert.equal(replay.matched, 2);
      // Created, or finished, after the replay: not part of it.
      await failedJob(store, 'orders', 'boom');
      await new Promise((r) => setTimeout(r, 5));
      await store.finishJob(running.id, OWNER, 'failed', 'boom');
      const candidates = await store.replayCandidates(replay.id, 10);
      assert.deepEqual(
        candidates.map((c) => c.id),
        [first, second],
      );
      assert.deepEqual(await store.runningReplays(), [replay.id]);
    });

    void it('a batch committed twice makes one new job per original, linked to both', async () => {
      const store = current();
      const originals = [
        await failedJob(store, 'orders', 'x'),
        await failedJob(store, 'orders', 'x'),
      ];
      const replay = await store.createReplay({
        id: newJobId(),
        filter: { status: 'failed' },
        version: 'original',
        rate: 10,
      });
      const candidates = await store.replayCandidates(replay.id, 10);
      const created = await store.commitReplayBatch(batchOf(replay.id, candidates));
      assert.equal(created?.length, 2);
      // The same originals again (a second driver, a batch retried after a crash): no job.
      const again = await store.commitReplayBatch(batchOf(replay.id, candidates));
      assert.deepEqual(again, []);
      assert.deepEqual(await store.replayCandidates(replay.id, 10), [], 'progress moved past them');
      const unreplayed = await store.matchJobs({ status: 'failed', replayed: false }, 10);
      assert.equal(unreplayed.count, 0);
      assert.equal((await store.matchJobs({ status: 'failed', replayed: true }, 10)).count, 2);

      const job = await store.getJob(created![0]!);
      assert.equal(job?.rerunOf, originals[0]);
      assert.equal(job?.replay, replay.id);
      assert.equal(job?.status, 'queued');
      const now = await store.getReplay(replay.id);
      assert.equal(now?.created, 2);
      assert.deepEqual(now?.jobs, { queued: 2, running: 0, succeeded: 0, failed: 0 });

      assert.equal(await store.finishReplay(replay.id, 'done', null), true);
      assert.equal(await store.finishReplay(replay.id, 'done', null), false, 'finished once');
      const done = await store.getReplay(replay.id);
      assert.equal(done?.status, 'done');
      assert.ok(done?.finishedAt);
      assert.deepEqual(await store.runningReplays(), []);
    });

    void it('after a cancel a batch writes nothing', async () => {
      const store = current();
      await failedJob(store, 'orders', 'x');
      const replay = await store.createReplay({
        id: newJobId(),
        filter: { status: 'failed' },
        version: 'current',
        rate: 10,
      });
      const candidates = await store.replayCandidates(replay.id, 10);
      const cancelled = await store.cancelReplay(replay.id);
      assert.equal(cancelled?.status, 'cancelled');
      assert.equal(await store.commitReplayBatch(batchOf(replay.id, candidates)), null);
      assert.equal((await store.getReplay(replay.id))?.created, 0);
      assert.equal(await store.cancelReplay('unknown'), null);
    });

    void it('a finished replay counts the matched jobs it never reached as skipped', async () => {
      const store = current();
      await failedJob(store, 'orders', 'x');
      await failedJob(store, 'orders', 'x');
      const replay = await store.createReplay({
        id: newJobId(),
        filter: { status: 'failed' },
        version: 'current',
        rate: 10,
      });
      const [one] = await store.replayCandidates(replay.id, 1);
      await store.commitReplayBatch({ ...batchOf(replay.id, [one!]), jobs: [], skipped: 1 });
      await store.finishReplay(replay.id, 'done', null);
      const done = await store.getReplay(replay.id);
      assert.equal(done?.skipped, 2);
      assert.equal(done?.created, 0);
      const listed = await store.listReplays(10);
      assert.deepEqual(
        listed.map((r) => r.id),
        [replay.id],
      );
    });
  });
}
