/**
 * The runtime with a PollSource of its own, as a connector's polling trigger plugs in: state and
 * since handed from poll to poll, jobs per new or changed item, remove. Real SQLite store and
 * local queue; the source is in-process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { createIntake } from '../queue/index.js';
import { WorkflowRegistry } from '../registry/index.js';
import { createStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { createTriggerRuntime } from './index.js';
import type { PollContext, PollSource, TriggerRuntime } from './index.js';

interface Contact {
  email: string;
  rev: number;
}

const HOURLY = { kind: 'every', ms: 3_600_000, text: '1h' } as const;

describe('trigger runtime with a PollSource', () => {
  let dir: string;
  let store: Store;
  let runtime: TriggerRuntime;
  let queued: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookflow-triggers-'));
    store = createStore({ sqliteFile: join(dir, 'hookflow.db') });
    await store.init();
    queued = [];
    runtime = createTriggerRuntime({
      store,
      intake: createIntake(store, (ids) => void queued.push(...ids)),
      registry: new WorkflowRegistry(store),
      log: pino({ level: 'silent' }),
    });
    await runtime.start();
  });
  afterEach(async () => {
    await runtime.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A source over `contacts` that records what each poll was given. */
  function contactsSource(contacts: Contact[]) {
    const calls: PollContext[] = [];
    const source: PollSource = {
      async poll(ctx) {
        calls.push(ctx);
        return { items: [...contacts], state: { page: calls.length } };
      },
      id: (c) => (c as Contact).email,
      updated: (c) => String((c as Contact).rev),
    };
    return { source, calls };
  }

  async function emails(): Promise<string[]> {
    const out: string[] = [];
    for (const id of queued) {
      const job = await store.getJob(id);
      out.push(((job?.trigger as { body?: unknown }).body as Contact).email);
    }
    return out;
  }

  it('polls at once, hands each poll the state the previous one returned, and starts jobs', async () => {
    const contacts: Contact[] = [{ email: 'a@x', rev: 1 }];
    const { source, calls } = contactsSource(contacts);
    await runtime.addPoll('crm', source, { timing: HOURLY, since: new Date(0) });
    await runtime.runNow('crm'); // joins the first poll, started at once
    contacts.push({ email: 'b@x', rev: 1 });
    contacts[0] = { email: 'a@x', rev: 2 };
    await runtime.runNow('crm');
    assert.equal(calls.length, 2);
    assert.equal(calls[0]?.state, null);
    assert.deepEqual(calls[1]?.state, { page: 1 });
    assert.ok(calls[1]!.since!.getTime() > 0, 'since is the first poll’s start');
    // Revision numbers are versions, not dates: the first poll remembers a@x without a job.
    assert.deepEqual(await emails(), ['a@x', 'b@x']);
    const job = await store.getJob(queued[0]!);
    assert.equal(job?.workflow, 'crm');
    assert.equal((job?.trigger as any).itemId, 'a@x');
    assert.equal((job?.trigger as any).updated, '2');
  });

  it('the status tells the last run, success and error, and the next run', async () => {
    let fail = true;
    const source: PollSource = {
      async poll() {
        if (fail) throw new Error('CRM answered 503');
        return { items: [] };
      },
      id: () => 'x',
    };
    await runtime.addPoll('crm', source, { timing: HOURLY });
    await runtime.runNow('crm');
    const failed = runtime.status('crm');
    assert.equal(failed?.lastError, 'CRM answered 503');
    assert.equal(failed?.lastSuccessAt, null);
    assert.ok(Date.parse(failed!.nextRunAt!) > Date.now());
    fail = false;
    await runtime.runNow('crm');
    assert.equal(runtime.status('crm')?.lastError, null);
    assert.ok(runtime.status('crm')?.lastSuccessAt);
  });

  it('an item without an id fails the poll and starts no job', async () => {
    const source: PollSource = {
      async poll() {
        return { items: [{ email: 'a@x' }, {}] };
      },
      id: (c) => (c as { email?: string }).email as string,
    };
    await runtime.addPoll('crm', source, { timing: HOURLY, since: new Date(0) });
    await runtime.runNow('crm');
    assert.match(runtime.status('crm')?.lastError ?? '', /^item 1 has no id/);
    assert.deepEqual(queued, []);
  });

  it('after remove, the workflow has no trigger to run', async () => {
    await runtime.addPoll('crm', contactsSource([]).source, { timing: HOURLY });
    runtime.remove('crm');
    await assert.rejects(runtime.runNow('crm'), /no running poll or schedule trigger/);
  });
});

describe('trigger runtimes of two processes over one store', () => {
  it('a failed poll is the interval’s run for every process: the other does not ask again at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookflow-triggers-'));
    const store = createStore({ sqliteFile: join(dir, 'hookflow.db') });
    await store.init();
    // A loaded database: writing the failure takes a while.
    const slowStore: Store = Object.assign(Object.create(store) as Store, {
      async recordTriggerFailure(workflow: string, atMs: number, error: string) {
        await sleep(200);
        return store.recordTriggerFailure(workflow, atMs, error);
      },
    });
    const runtimes = [0, 1].map(() =>
      createTriggerRuntime({
        store: slowStore,
        intake: createIntake(slowStore, () => {}),
        registry: new WorkflowRegistry(slowStore),
        log: pino({ level: 'silent' }),
      }),
    );
    let polls = 0;
    const source: PollSource = {
      async poll() {
        polls++;
        throw new Error('CRM answered 503');
      },
      id: () => 'x',
    };
    try {
      await runtimes[0]!.addPoll('crm', source, { timing: HOURLY });
      await sleep(50); // the first poll has failed; its failure is being written
      await runtimes[1]!.addPoll('crm', source, { timing: HOURLY });
      await sleep(300);
      assert.equal(polls, 1);
    } finally {
      for (const runtime of runtimes) await runtime.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
