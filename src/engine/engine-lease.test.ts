/**
 * The engine and its lease: a run whose lease another worker took writes nothing more and
 * does not finish the job; a renewed lease keeps the job.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { newEvent } from '../store/contract/fixtures.js';
import { createSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/types.js';
import { parseWorkflow } from '../workflow/index.js';
import { Engine } from './engine.js';

const WORKFLOW = parseWorkflow(
  `name: orders
trigger:
  webhook: {}
steps:
  - id: first
    set:
      n: 1
  - id: second
    set:
      n: 2
`,
  'orders.yaml',
  { env: {} },
);

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function openStore(): Promise<Store> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookflow-engine-lease-'));
  dirs.push(dir);
  const store = createSqliteStore({ file: path.join(dir, 'hookflow.db') });
  await store.init();
  return store;
}

/**
 * `real` with a hook run before the first step's record is written. Writes keep their call
 * order, as every store keeps them, so the step after and the finish wait behind it.
 */
function beforeFirstStep(real: Store, hook: () => Promise<void>): Store {
  let chain: Promise<unknown> = Promise.resolve();
  const inOrder = <T>(write: () => Promise<T>): Promise<T> => {
    const result = chain.then(write);
    chain = result.catch(() => {});
    return result;
  };
  return Object.assign(Object.create(real) as Store, {
    saveStep: (...args: Parameters<Store['saveStep']>) =>
      inOrder(async () => {
        if (args[1].seq === 0) await hook();
        return real.saveStep(...args);
      }),
    finishJob: (...args: Parameters<Store['finishJob']>) => inOrder(() => real.finishJob(...args)),
  });
}

function engineOver(store: Store, finished: string[]) {
  return new Engine({
    store,
    owner: 'worker-a',
    leaseMs: 40,
    log: pino({ level: 'silent' }),
    workflow: (name) => (name === 'orders' ? WORKFLOW : undefined),
    replies: { publish: () => {} },
    onFinished: (job) => finished.push(job.id),
  });
}

void describe('engine leases', () => {
  void it('a run whose lease another worker took stores no further step and does not finish the job', async () => {
    const real = await openStore();
    const event = newEvent('orders');
    await real.acceptEvent(event);
    // While the first step's record is on its way, the lease runs out and worker-b claims the job.
    const store = beforeFirstStep(real, async () => {
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(await real.claimJob(event.id, { owner: 'worker-b', leaseMs: 60_000 }));
    });
    const finished: string[] = [];
    await engineOver(store, finished).runJob(event.id);

    const job = await real.getJob(event.id);
    assert.equal(job?.status, 'running');
    assert.deepEqual(job?.steps, []);
    assert.deepEqual(finished, []);
    await real.close();
  });

  void it('renewing the leases of running jobs keeps them from another worker', async () => {
    const real = await openStore();
    const event = newEvent('orders');
    await real.acceptEvent(event);
    let engine: Engine | null = null;
    let stolen: unknown = 'not tried';
    const store = beforeFirstStep(real, async () => {
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 20));
        await engine?.renewLeases();
      }
      stolen = await real.claimJob(event.id, { owner: 'worker-b', leaseMs: 60_000 });
    });
    const finished: string[] = [];
    engine = engineOver(store, finished);
    await engine.runJob(event.id);

    assert.equal(stolen, null);
    assert.deepEqual(finished, [event.id]);
    assert.equal((await real.getJob(event.id))?.status, 'succeeded');
    await real.close();
  });
});
