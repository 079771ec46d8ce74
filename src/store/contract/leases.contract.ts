/**
 * @module store/contract/leases
 * The contract of claims with an owner and a lease: one owner at a time, an expired lease
 * claimable by another, a job finished once, a stale owner's writes refused.
 *
 * @example
 *   describe('my store', () => leasesContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Claim } from '../types.js';
import type { CurrentStore } from './fixtures.js';
import {
  ACK_ANSWER,
  CLAIM,
  OWNER,
  acceptMany,
  newEvent,
  runningJob,
  stepRecord,
} from './fixtures.js';

const OTHER: Claim = { owner: 'worker-b', leaseMs: CLAIM.leaseMs };
/** A lease short enough to expire within a test. */
const SHORT_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Claims `id` for `owner` with a lease that expires after SHORT_MS, and waits for it to. */
async function expiredClaim(store: ReturnType<CurrentStore>, id: string, owner = OWNER) {
  await store.claimJob(id, { owner, leaseMs: SHORT_MS });
  await sleep(SHORT_MS * 2);
}

export function leasesContract(current: CurrentStore): void {
  void describe('claims and leases', () => {
    void it('two owners racing for one job: exactly one claims it', async () => {
      const store = current();
      const event = newEvent('orders');
      await store.acceptEvent(event);
      const [a, b] = await Promise.all([
        store.claimJob(event.id, CLAIM),
        store.claimJob(event.id, OTHER),
      ]);
      assert.equal([a, b].filter((c) => c !== null).length, 1);
      assert.equal((await store.getJob(event.id))?.attempt, 1);
    });

    void it("a job under another owner's live lease is not claimed", async () => {
      const store = current();
      const id = await runningJob(store);
      assert.equal(await store.claimJob(id, OTHER), null);
    });

    void it('a job whose lease expired is claimed by another owner and resumes after its saved steps', async () => {
      const store = current();
      const event = newEvent('orders');
      await store.acceptEvent(event);
      await store.claimJob(event.id, { owner: OWNER, leaseMs: SHORT_MS });
      const step = stepRecord(0);
      await store.saveStep(event.id, step, OWNER);
      await sleep(SHORT_MS * 2);

      const resumed = await store.claimJob(event.id, OTHER);
      assert.equal(resumed?.attempt, 2);
      assert.deepEqual(resumed?.steps, [step]);
    });

    void it("a stale owner's saveStep, saveReply and finishJob are refused and write nothing", async () => {
      const store = current();
      const event = newEvent('orders');
      await store.acceptEvent(event);
      await expiredClaim(store, event.id);
      await store.claimJob(event.id, OTHER);

      assert.equal(await store.saveStep(event.id, stepRecord(0), OWNER), false);
      assert.equal(await store.saveReply(event.id, ACK_ANSWER, OWNER), false);
      assert.equal(await store.finishJob(event.id, OWNER, 'failed', 'late'), false);
      const job = await store.getJob(event.id);
      assert.equal(job?.status, 'running');
      assert.deepEqual(job?.steps, []);
      assert.equal(job?.reply, null);
    });

    void it('the new owner finishes the job once; the stale one cannot finish it again', async () => {
      const store = current();
      const event = newEvent('orders');
      await store.acceptEvent(event);
      await expiredClaim(store, event.id);
      await store.claimJob(event.id, OTHER);

      assert.equal(await store.finishJob(event.id, OTHER.owner, 'succeeded', null), true);
      assert.equal(await store.finishJob(event.id, OWNER, 'failed', 'late'), false);
      assert.equal(await store.finishJob(event.id, OTHER.owner, 'failed', 'again'), false);
      assert.equal((await store.getJob(event.id))?.status, 'succeeded');
    });

    void it('a step is refused for a job that is queued, not claimed', async () => {
      const store = current();
      const event = newEvent('orders');
      await store.acceptEvent(event);
      assert.equal(await store.saveStep(event.id, stepRecord(0), OWNER), false);
      assert.deepEqual((await store.getJob(event.id))?.steps, []);
    });

    void it('renewLeases returns only the ids the owner still holds', async () => {
      const store = current();
      const held = await runningJob(store);
      const lost = newEvent('orders');
      await store.acceptEvent(lost);
      await expiredClaim(store, lost.id);
      await store.claimJob(lost.id, OTHER);
      const finished = await runningJob(store);
      await store.finishJob(finished, OWNER, 'succeeded', null);

      const renewed = await store.renewLeases(OWNER, [held, lost.id, finished, 'unknown'], 60_000);
      assert.deepEqual(renewed, [held]);
    });

    void it('a renewed lease keeps the job from being claimed after its first deadline', async () => {
      const store = current();
      const event = newEvent('orders');
      await store.acceptEvent(event);
      await store.claimJob(event.id, { owner: OWNER, leaseMs: SHORT_MS });
      assert.deepEqual(await store.renewLeases(OWNER, [event.id], 60_000), [event.id]);
      await sleep(SHORT_MS * 2);
      assert.equal(await store.claimJob(event.id, OTHER), null);
    });

    void it('releaseJob puts a running job back in the queue for another owner at once', async () => {
      const store = current();
      const id = await runningJob(store);
      assert.equal(await store.releaseJob(id, OTHER.owner), false);
      assert.equal(await store.releaseJob(id, OWNER), true);
      assert.equal((await store.getJob(id))?.status, 'queued');
      assert.equal((await store.claimJob(id, OTHER))?.attempt, 2);
    });

    void it('a claim with a lease that is not a positive whole number is refused', async () => {
      const store = current();
      const event = newEvent('orders');
      await store.acceptEvent(event);
      await assert.rejects(store.claimJob(event.id, { owner: OWNER, leaseMs: 0 }), {
        code: 'store_invalid_value',
      });
      assert.equal((await store.getJob(event.id))?.status, 'queued');
    });
  });

  void describe('claimNextJobs', () => {
    void it('claimNextJobs claims the oldest queued jobs, up to the limit', async () => {
      const store = current();
      const ids = await acceptMany(store, 5);
      const claimed = await store.claimNextJobs(CLAIM, 3);
      assert.deepEqual(
        claimed.map((j) => j.id),
        ids.slice(0, 3),
      );
      assert.ok(claimed.every((j) => j.attempt === 1 && j.workflow === 'orders'));
      assert.equal((await store.getJob(ids[3] as string))?.status, 'queued');
    });

    void it('claimNextJobs takes a running job whose lease expired, but none under a live lease', async () => {
      const store = current();
      const [expired, live] = await acceptMany(store, 2);
      await store.claimJob(expired as string, { owner: OWNER, leaseMs: SHORT_MS });
      await store.claimJob(live as string, CLAIM);
      await sleep(SHORT_MS * 2);

      const claimed = await store.claimNextJobs(OTHER, 10);
      assert.deepEqual(
        claimed.map((j) => [j.id, j.attempt]),
        [[expired, 2]],
      );
    });

    void it('claimNextJobs never hands one job to two claimers running at once', async () => {
      const store = current();
      const ids = await acceptMany(store, 40);
      const claimers = Array.from({ length: 6 }, (_, i) => ({
        owner: `worker-${i}`,
        leaseMs: CLAIM.leaseMs,
      }));
      const batches = await Promise.all(
        claimers.flatMap((claim) => [store.claimNextJobs(claim, 4), store.claimNextJobs(claim, 4)]),
      );
      const claimed = batches.flat().map((j) => j.id);
      assert.equal(new Set(claimed).size, claimed.length, 'a job was claimed twice');
      assert.equal(claimed.length, Math.min(40, 12 * 4));
      assert.ok(claimed.every((id) => ids.includes(id)));
    });

    void it('claimNextJobs on an empty queue answers an empty list', async () => {
      assert.deepEqual(await current().claimNextJobs(CLAIM, 10), []);
    });
  });
}
