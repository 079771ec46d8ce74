/**
 * @module store/contract/trace
 * The contract of a job's trace context: stored with the job in the transaction that creates
 * it, handed back by every claim (the first, a resume, another owner's), shown in the detail.
 *
 * @example
 *   describe('my store', () => traceContract(() => store));
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobTrace } from '../types.js';
import type { CurrentStore } from './fixtures.js';
import { CLAIM, OWNER, newEvent, triggerData } from './fixtures.js';

const TRACE: JobTrace = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'vendor=opaque',
};

export function traceContract(current: CurrentStore): void {
  void describe('trace context', () => {
    void it("an event's trace context comes back with its claim and its detail", async () => {
      const store = current();
      const event = newEvent('orders', { trace: TRACE });
      await store.acceptEvent(event);

      assert.deepEqual((await store.claimJob(event.id, CLAIM))?.trace, TRACE);
      assert.deepEqual((await store.getJob(event.id))?.trace, TRACE);
    });

    void it('a job created from stored trigger data (a rerun) keeps the trace context given', async () => {
      const store = current();
      const id = await store.createJob('orders', triggerData(), { rerunOf: 'x', trace: TRACE });

      assert.deepEqual((await store.getJob(id))?.trace, TRACE);
      assert.deepEqual((await store.claimJob(id, CLAIM))?.trace, TRACE);
    });

    void it('another owner claiming a released job gets the same trace context', async () => {
      const store = current();
      const event = newEvent('orders', { trace: TRACE });
      await store.acceptEvent(event);
      await store.claimJob(event.id, CLAIM);
      await store.releaseJob(event.id, OWNER);

      const resumed = await store.claimJob(event.id, { owner: 'worker-b', leaseMs: 60_000 });
      assert.equal(resumed?.attempt, 2);
      assert.deepEqual(resumed?.trace, TRACE);
    });

    void it('a job created without a trace context has none', async () => {
      const store = current();
      const event = newEvent('orders');
      await store.acceptEvent(event);

      assert.equal((await store.claimJob(event.id, CLAIM))?.trace, null);
      assert.equal((await store.getJob(event.id))?.trace, null);
    });

    void it("a claim tells when the job was committed, as the job's detail does", async () => {
      const store = current();
      const event = newEvent('orders');
      await store.acceptEvent(event);
      const claimed = await store.claimNextJobs(CLAIM, 1);

      assert.equal(claimed[0]?.createdAt, (await store.getJob(event.id))?.createdAt);
    });
  });
}
