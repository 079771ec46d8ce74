import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store } from '../store/types.js';
import { createMetrics, instrumentStore } from './index.js';

const sources = { queueDepth: () => 0, workflows: () => [] };

function fakeStore(overrides: Partial<Record<keyof Store, unknown>>): Store {
  return overrides as unknown as Store;
}

async function count(metrics: ReturnType<typeof createMetrics>, operation: string) {
  const text = await metrics.render();
  const m = new RegExp(
    `^hookflow_store_operation_duration_seconds_count\\{operation="${operation}"\\} (\\d+)$`,
    'm',
  ).exec(text);
  return m ? Number(m[1]) : 0;
}

describe('instrumentStore', () => {
  it('hands the caller the store method’s own promise and times it', async () => {
    const metrics = createMetrics(sources);
    const promise = Promise.resolve(['job-1']);
    const store = instrumentStore(fakeStore({ unfinishedJobs: () => promise }), metrics);
    assert.equal(store.unfinishedJobs(), promise);
    await promise;
    await new Promise((r) => setImmediate(r));
    assert.equal(await count(metrics, 'unfinishedJobs'), 1);
  });

  it('a failing store call still rejects for its caller, and is timed', async () => {
    const metrics = createMetrics(sources);
    const store = instrumentStore(
      fakeStore({ getJob: () => Promise.reject(new Error('disk gone')) }),
      metrics,
    );
    await assert.rejects(store.getJob('x'), /disk gone/);
    await new Promise((r) => setImmediate(r));
    assert.equal(await count(metrics, 'getJob'), 1);
  });

  it('acceptEvent is timed on the first of every 16 calls', async () => {
    const metrics = createMetrics(sources);
    const store = instrumentStore(
      fakeStore({ acceptEvent: async () => ({ kind: 'accepted', jobId: 'j' }) }),
      metrics,
    );
    for (let i = 0; i < 33; i++) await store.acceptEvent({} as never);
    await new Promise((r) => setImmediate(r));
    assert.equal(await count(metrics, 'acceptEvent'), 3);
  });

  it('saveStep feeds the step-duration histogram', async () => {
    const metrics = createMetrics(sources);
    const store = instrumentStore(fakeStore({ saveStep: async () => true }), metrics);
    await store.saveStep(
      'job',
      {
        seq: 0,
        id: 'order',
        type: 'http',
        status: 'succeeded',
        input: null,
        output: null,
        error: null,
        attempts: 1,
        startedAt: new Date().toISOString(),
        durationMs: 1500,
      },
      'worker-1',
    );
    const text = await metrics.render();
    assert.match(
      text,
      /^hookflow_step_duration_seconds_sum\{type="http",status="succeeded"\} 1\.5$/m,
    );
  });

  it('methods on a class prototype are wrapped too', async () => {
    class ProtoStore {
      async lastJobStatus() {
        return 'succeeded' as const;
      }
    }
    const metrics = createMetrics(sources);
    const store = instrumentStore(new ProtoStore() as unknown as Store, metrics);
    assert.equal(await store.lastJobStatus('w'), 'succeeded');
    await new Promise((r) => setImmediate(r));
    assert.equal(await count(metrics, 'lastJobStatus'), 1);
  });
});
