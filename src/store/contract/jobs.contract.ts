/**
 * @module store/contract/jobs
 * The contract of a job's life: claim (and resume), steps, reply, finish, rerun, and the
 * unfinished jobs picked up at start-up.
 *
 * @example
 *   describe('my store', () => jobsContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CurrentStore } from './fixtures.js';
import {
  ACK_ANSWER,
  CLAIM,
  OWNER,
  finishedJob,
  newEvent,
  runningJob,
  stepRecord,
} from './fixtures.js';

export function jobsContract(current: CurrentStore): void {
  void describe('claimJob', () => {
    void it('claimJob moves a queued job to running and counts the attempt', async () => {
      const store = current();
      const event = newEvent('orders');
      await store.acceptEvent(event);

      const claimed = await store.claimJob(event.id, CLAIM);
      const job = await store.getJob(event.id);
      assert.deepEqual(claimed, {
        id: event.id,
        workflow: 'orders',
        attempt: 1,
        version: null,
        failureOf: null,
        trigger: event.trigger,
        steps: [],
        reply: null,
        createdAt: job?.createdAt,
        trace: null,
      });
      assert.equal(job?.status, 'running');
      assert.equal(job?.attempt, 1);
    });

    void it('the same owner claiming its running job again (resume) counts another attempt and returns the saved steps in order', async () => {
      const store = current();
      const id = await runningJob(store);
      const s0 = stepRecord(0);
      const s1 = stepRecord(1, { status: 'failed', error: 'HTTP 503', attempts: 3, output: null });
      await store.saveStep(id, s1, OWNER);
      await store.saveStep(id, s0, OWNER);
      await store.saveReply(id, ACK_ANSWER, OWNER);

      const resumed = await store.claimJob(id, CLAIM);
      assert.equal(resumed?.attempt, 2);
      assert.deepEqual(resumed?.steps, [s0, s1]);
      assert.deepEqual(resumed?.reply, ACK_ANSWER);
    });

    void it('claimJob answers null for an unknown job', async () => {
      assert.equal(await current().claimJob('01JUNKNOWNJOB0000000000000', CLAIM), null);
    });

    void it('claimJob answers null for a finished job and leaves it finished', async () => {
      const store = current();
      const id = await finishedJob(store, 'succeeded');
      assert.equal(await store.claimJob(id, CLAIM), null);
      const job = await store.getJob(id);
      assert.equal(job?.status, 'succeeded');
      assert.equal(job?.attempt, 1);
    });
  });

  void describe('steps and reply', () => {
    void it('a step keeps its input, output, error, attempts and timing as saved', async () => {
      const store = current();
      const id = await runningJob(store);
      const step = stepRecord(0, {
        status: 'failed',
        input: { headers: { accept: 'application/json' }, body: [1, 'two'] },
        output: 'plain text',
        error: 'connect ECONNREFUSED 127.0.0.1:9',
        attempts: 4,
        startedAt: '2025-03-04T05:06:07.089Z',
        durationMs: 1234,
      });
      assert.equal(await store.saveStep(id, step, OWNER), true);
      assert.deepEqual((await store.getJob(id))?.steps, [step]);
    });

    void it('a step saved without output reads back with output null', async () => {
      const store = current();
      const id = await runningJob(store);
      await store.saveStep(id, stepRecord(0, { status: 'skipped', output: undefined }), OWNER);
      assert.equal((await store.getJob(id))?.steps[0]?.output, null);
    });

    void it('saveStep replaces the step with the same seq', async () => {
      const store = current();
      const id = await runningJob(store);
      await store.saveStep(id, stepRecord(0, { status: 'failed', error: 'timeout' }), OWNER);
      const retried = stepRecord(0, { attempts: 2 });
      await store.saveStep(id, retried, OWNER);
      assert.deepEqual((await store.getJob(id))?.steps, [retried]);
    });

    void it('the first reply wins', async () => {
      const store = current();
      const id = await runningJob(store);
      assert.equal(await store.saveReply(id, ACK_ANSWER, OWNER), true);
      assert.equal(
        await store.saveReply(id, { status: 500, headers: {}, body: 'late' }, OWNER),
        true,
      );
      assert.deepEqual((await store.getJob(id))?.reply, ACK_ANSWER);
    });
  });

  void describe('finishJob', () => {
    void it('finishJob completes a running job once', async () => {
      const store = current();
      const id = await runningJob(store);

      assert.equal(await store.finishJob(id, OWNER, 'succeeded', null), true);
      assert.equal(await store.finishJob(id, OWNER, 'failed', 'again'), false);
      const job = await store.getJob(id);
      assert.equal(job?.status, 'succeeded');
      assert.equal(job?.error, null);
      assert.ok(job?.finishedAt);
      assert.equal(job.durationMs, Date.parse(job.finishedAt) - Date.parse(job.createdAt));
      assert.ok(job.durationMs >= 0);
    });

    void it('a failed job keeps its error', async () => {
      const store = current();
      const id = await finishedJob(store, 'failed');
      const job = await store.getJob(id);
      assert.equal(job?.status, 'failed');
      assert.equal(job?.error, 'step_1: HTTP 500');
    });

    void it('finishJob does not finish a job that was never claimed', async () => {
      const store = current();
      const event = newEvent('orders');
      await store.acceptEvent(event);
      assert.equal(await store.finishJob(event.id, OWNER, 'succeeded', null), false);
      assert.equal((await store.getJob(event.id))?.status, 'queued');
    });

    void it('finishJob of an unknown job is false', async () => {
      assert.equal(
        await current().finishJob('01JUNKNOWNJOB0000000000000', OWNER, 'failed', 'x'),
        false,
      );
    });
  });

  void describe('createJob (rerun)', () => {
    void it('createJob makes a new queued job from stored trigger data, marked as a rerun', async () => {
      const store = current();
      const original = await finishedJob(store, 'failed');
      const trigger = (await store.getJob(original))?.trigger;
      assert.ok(trigger);

      const rerun = await store.createJob('orders', trigger, { rerunOf: original });
      assert.notEqual(rerun, original);
      const job = await store.getJob(rerun);
      assert.equal(job?.status, 'queued');
      assert.equal(job?.attempt, 0);
      assert.equal(job?.rerunOf, original);
      assert.deepEqual(job?.trigger, trigger);
      assert.deepEqual(job?.steps, []);
    });

    void it('job ids sort by creation time', async () => {
      const store = current();
      const first = newEvent('orders');
      await store.acceptEvent(first);
      const ids = await Promise.all(
        Array.from({ length: 50 }, () => store.createJob('orders', first.trigger, {})),
      );
      assert.deepEqual([...ids].sort(), ids);
      assert.ok((ids[0] ?? '') > first.id);
    });
  });

  void describe('unfinishedJobs', () => {
    void it('unfinishedJobs lists queued and running jobs, oldest first', async () => {
      const store = current();
      const queued = newEvent('orders');
      const running = newEvent('refunds');
      await store.acceptEvent(queued);
      await store.acceptEvent(running);
      await store.claimJob(running.id, CLAIM);
      await finishedJob(store, 'succeeded');
      await finishedJob(store, 'failed');
      const later = newEvent('orders');
      await store.acceptEvent(later);

      assert.deepEqual(await store.unfinishedJobs(), [queued.id, running.id, later.id]);
    });
  });
}
