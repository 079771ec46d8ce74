/**
 * @module store/contract/triggers
 * The contract of poll and schedule triggers: what a poll remembers and which items start
 * jobs, in one commit; schedule fire times claimed once; the status kept.
 *
 * @example
 *   describe('my store', () => triggersContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newJobId } from '../job-id.js';
import type {
  PolledItem,
  PollResult,
  ScheduleTriggerData,
  Store,
  TriggerFailureAlert,
} from '../types.js';
import type { CurrentStore } from './fixtures.js';
import { CLAIM, HOUR_MS } from './fixtures.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');

function item(id: string, version: string | null = null, baseline = false): PolledItem {
  const jobId = newJobId();
  return {
    id,
    version,
    baseline,
    job: {
      id: jobId,
      trigger: {
        id: jobId,
        type: 'poll',
        body: { id, version },
        itemId: id,
        updated: version,
        receivedAt: new Date(T0).toISOString(),
      },
    },
  };
}

function poll(
  items: PolledItem[],
  startedAt = T0,
  overrides: Partial<PollResult> = {},
): PollResult {
  return {
    workflow: 'orders',
    items,
    state: null,
    startedAt,
    finishedAt: startedAt + 50,
    seenWindowMs: 24 * HOUR_MS,
    ...overrides,
  };
}

/** The ids of the items whose jobs the poll created. */
async function emitted(store: Store, p: PollResult): Promise<string[]> {
  const jobIds = await store.recordPoll(p);
  return jobIds.map((jobId) => p.items.find((i) => i.job.id === jobId)?.id ?? `?${jobId}`);
}

function tick(at: number): { id: string; trigger: ScheduleTriggerData } {
  const id = newJobId();
  const iso = new Date(at).toISOString();
  return {
    id,
    trigger: {
      id,
      type: 'schedule',
      body: null,
      scheduledAt: iso,
      timezone: null,
      receivedAt: iso,
    },
  };
}

export function triggersContract(current: CurrentStore): void {
  void describe('recordPoll', () => {
    void it('the first poll remembers baseline items without a job and starts the others', async () => {
      const store = current();
      const ids = await emitted(store, poll([item('a', null, true), item('b', null, false)]));
      assert.deepEqual(ids, ['b']);
    });

    void it('a job is queued with the trigger data given and can be claimed', async () => {
      const store = current();
      const b = item('b');
      const [jobId] = await store.recordPoll(poll([b]));
      assert.equal(jobId, b.job.id);
      assert.deepEqual(await store.unfinishedJobs(), [b.job.id]);
      const claimed = await store.claimJob(b.job.id, CLAIM);
      assert.equal(claimed?.workflow, 'orders');
      assert.deepEqual(claimed?.trigger, b.job.trigger);
    });

    void it('later polls start a job for each new id, even one marked baseline', async () => {
      const store = current();
      await store.recordPoll(poll([item('a')]));
      const ids = await emitted(store, poll([item('a'), item('b', null, true)], T0 + 60_000));
      assert.deepEqual(ids, ['b']);
    });

    void it('an item whose version changed starts a job; the same version none', async () => {
      const store = current();
      await store.recordPoll(poll([item('a', 'v1'), item('b', 'v1')]));
      const ids = await emitted(store, poll([item('a', 'v2'), item('b', 'v1')], T0 + 60_000));
      assert.deepEqual(ids, ['a']);
      assert.deepEqual(await emitted(store, poll([item('a', 'v2')], T0 + 120_000)), []);
    });

    void it('an id seen twice in one poll starts one job', async () => {
      const store = current();
      assert.deepEqual(await emitted(store, poll([item('a'), item('a')])), ['a']);
    });

    void it('polls of another workflow do not share what was seen', async () => {
      const store = current();
      await store.recordPoll(poll([item('a')]));
      const other = poll([item('a')], T0, { workflow: 'refunds' });
      assert.deepEqual(await emitted(store, other), ['a']);
    });

    void it('an id absent for longer than its window counts as new again', async () => {
      const store = current();
      await store.recordPoll(poll([item('a')]));
      const later = T0 + 25 * HOUR_MS;
      assert.deepEqual(await emitted(store, poll([item('a')], later)), ['a']);
    });

    void it('an id that keeps appearing keeps being remembered past its first window', async () => {
      const store = current();
      await store.recordPoll(poll([item('a')]));
      for (let h = 12; h <= 48; h += 12) {
        assert.deepEqual(await emitted(store, poll([item('a')], T0 + h * HOUR_MS)), []);
      }
    });

    void it('purgeSeenItems deletes the items past their window, and only those', async () => {
      const store = current();
      await store.recordPoll(poll([item('a')]));
      await store.recordPoll(poll([item('b')], T0 + 12 * HOUR_MS));
      assert.equal(await store.purgeSeenItems(T0 + 30 * HOUR_MS), 1);
      assert.deepEqual(await emitted(store, poll([item('b')], T0 + 30 * HOUR_MS)), []);
    });

    void it('the state, since and status of the poll are kept; a later success clears the error', async () => {
      const store = current();
      assert.equal(await store.getTriggerState('orders'), null);
      await store.recordTriggerFailure('orders', T0 - 1000, 'GET /orders answered 500');
      assert.deepEqual(await store.getTriggerState('orders'), {
        state: null,
        polled: false,
        sinceAt: null,
        lastTickAt: null,
        lastRunAt: T0 - 1000,
        lastSuccessAt: null,
        lastError: 'GET /orders answered 500',
      });
      await store.recordPoll(poll([], T0, { state: { cursor: 'c2' } }));
      assert.deepEqual(await store.getTriggerState('orders'), {
        state: { cursor: 'c2' },
        polled: true,
        sinceAt: T0,
        lastTickAt: null,
        lastRunAt: T0,
        lastSuccessAt: T0 + 50,
        lastError: null,
      });
    });

    void it('a failure after a success keeps the last success and the state', async () => {
      const store = current();
      await store.recordPoll(poll([], T0, { state: { cursor: 'c1' } }));
      await store.recordTriggerFailure('orders', T0 + 60_000, 'timeout');
      const state = await store.getTriggerState('orders');
      assert.equal(state?.lastSuccessAt, T0 + 50);
      assert.equal(state?.lastError, 'timeout');
      assert.deepEqual(state?.state, { cursor: 'c1' });
      assert.equal(state?.polled, true);
    });
  });

  void describe('failure streaks', () => {
    const alert = (failures = 3): TriggerFailureAlert => ({
      after: failures,
      job: {
        id: newJobId(),
        workflow: 'alerts',
        version: null,
        trigger: {
          workflow: 'orders',
          job: null,
          version: null,
          step: null,
          error: 'GET /orders answered 500',
          url: 'http://127.0.0.1/#/workflows/orders',
          trigger: 'poll',
          failures,
        },
      },
    });
    const alertJobs = async (store: Store) =>
      (await store.listJobs({ workflow: 'alerts', limit: 50 })).jobs.length;

    void it('the error workflow job is created once per streak, when it reaches its length', async () => {
      const store = current();
      const raised: boolean[] = [];
      for (let i = 0; i < 5; i++) {
        raised.push(await store.recordTriggerFailure('orders', T0 + i, 'boom', alert()));
      }
      assert.deepEqual(raised, [false, false, true, false, false]);
      assert.equal(await alertJobs(store), 1);
      const [job] = (await store.listJobs({ workflow: 'alerts', limit: 1 })).jobs;
      const detail = await store.getJob(job?.id ?? '');
      assert.deepEqual(detail?.trigger, alert().job.trigger);
      assert.equal(detail?.status, 'queued');
    });

    void it('a success ends the streak: the next one raises the error workflow again', async () => {
      const store = current();
      for (let i = 0; i < 3; i++) await store.recordTriggerFailure('orders', T0, 'boom', alert());
      await store.recordPoll(poll([], T0 + 1000));
      for (let i = 0; i < 2; i++) await store.recordTriggerFailure('orders', T0, 'boom', alert());
      assert.equal(await alertJobs(store), 1);
      await store.recordTriggerFailure('orders', T0, 'boom', alert());
      assert.equal(await alertJobs(store), 2);
    });

    void it('failures recorded at once by several callers raise one job', async () => {
      const store = current();
      const raised = await Promise.all(
        Array.from({ length: 8 }, () => store.recordTriggerFailure('orders', T0, 'boom', alert())),
      );
      assert.equal(raised.filter(Boolean).length, 1);
      assert.equal(await alertJobs(store), 1);
    });
  });

  void describe('claimTick', () => {
    void it('the first claim of a fire time wins and creates its job; a second claim loses', async () => {
      const store = current();
      const first = tick(T0);
      const second = tick(T0);
      assert.equal(await store.claimTick('nightly', T0, first), true);
      assert.equal(await store.claimTick('nightly', T0, second), false);
      assert.deepEqual(await store.unfinishedJobs(), [first.id]);
      assert.equal(await store.getJob(second.id), null);
      assert.equal((await store.getTriggerState('nightly'))?.lastTickAt, T0);
    });

    void it('claims of one fire time made at once give one winner', async () => {
      const store = current();
      const results = await Promise.all([1, 2, 3].map(() => store.claimTick('n', T0, tick(T0))));
      assert.deepEqual(results.filter(Boolean).length, 1);
      assert.equal((await store.unfinishedJobs()).length, 1);
    });

    void it('an earlier fire time than the newest claimed loses; a later one wins', async () => {
      const store = current();
      await store.claimTick('nightly', T0, tick(T0));
      assert.equal(await store.claimTick('nightly', T0 - HOUR_MS, tick(T0 - HOUR_MS)), false);
      assert.equal(await store.claimTick('nightly', T0 + HOUR_MS, tick(T0 + HOUR_MS)), true);
    });

    void it('resetSchedule forgets the newest claimed tick', async () => {
      const store = current();
      await store.claimTick('nightly', T0, tick(T0));
      await store.resetSchedule('nightly');
      assert.equal((await store.getTriggerState('nightly'))?.lastTickAt, null);
      assert.equal(await store.claimTick('nightly', T0 - HOUR_MS, tick(T0 - HOUR_MS)), true);
    });
  });
}
