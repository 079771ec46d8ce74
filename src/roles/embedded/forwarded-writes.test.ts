import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { MessagePort } from 'node:worker_threads';
import { createStore, newJobId, StoreError } from '../../store/index.js';
import type { Store, TriggerData } from '../../store/index.js';
import { createWriteClient, forwardWrites, serveWrites } from './forwarded-writes.js';
import type { StoreResultMessage, StoreWriteMessage } from './forwarded-writes.js';
import { Pipe } from './pipe.js';
import { runStoreContract } from '../../store/store.contract.js';

const trigger: TriggerData = {
  id: 'evt',
  method: 'POST',
  path: '/hooks/x',
  params: {},
  query: {},
  headers: {},
  body: { n: 1 },
  rawBody: '{"n":1}',
  receivedAt: new Date(0).toISOString(),
};

void describe('writes forwarded to the one writer of a SQLite file', () => {
  let dir: string;
  let writer: Store;
  let reader: Store;
  let forwarded: Store;
  let port: MessagePort;
  const calls: string[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookflow-forward-'));
    const file = join(dir, 'db.sqlite');
    writer = createStore({ sqliteFile: file });
    await writer.init();
    reader = createStore({ sqliteFile: file });
    await reader.init();
    port = serveWrites(writer);
    const pipe: Pipe<StoreWriteMessage, StoreResultMessage> = new Pipe(port, (r) =>
      client.settle(r),
    );
    const client = createWriteClient((m) => {
      calls.push(m.method);
      pipe.send(m);
    });
    forwarded = forwardWrites(reader, client.call);
    calls.length = 0;
  });

  afterEach(async () => {
    port.close();
    await reader.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void it('runs writes on the writer and reads on its own handle, which sees them', async () => {
    const id = newJobId();
    const accepted = await forwarded.acceptEvent({ id, workflow: 'wf', trigger });
    assert.deepEqual(accepted, { kind: 'accepted', jobId: id });
    const claim = { owner: 'w1', leaseMs: 30_000 };
    const job = await forwarded.claimJob(id, claim);
    assert.equal(job?.id, id);
    assert.deepEqual(job?.trigger, trigger);
    // An optional argument left out stays out (JSON would have made it null).
    assert.equal(await forwarded.finishJob(id, 'w1', 'succeeded', null), true);
    assert.equal((await forwarded.getJob(id))?.status, 'succeeded');
    assert.deepEqual(calls, ['acceptEvent', 'claimJob', 'finishJob']);
    // A finished job is not finished again: the writer's compare-and-set answers through.
    assert.equal(await forwarded.finishJob(id, 'w1', 'failed', 'late'), false);
  });

  void it('rejects with the store error the writer threw, code and all', async () => {
    await writer.close();
    await assert.rejects(
      forwarded.acceptEvent({ id: newJobId(), workflow: 'wf', trigger }),
      (e: unknown) => e instanceof StoreError && e.code === 'store_closed',
    );
  });
});

// The whole store contract, with every write crossing a port to the writer as the worker
// thread's do.
runStoreContract('sqlite, writes forwarded to one writer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-forward-'));
  const file = join(dir, 'db.sqlite');
  const writer = createStore({ sqliteFile: file });
  const reader = createStore({ sqliteFile: file });
  const port = serveWrites(writer);
  const pipe: Pipe<StoreWriteMessage, StoreResultMessage> = new Pipe(port, (r) => client.settle(r));
  const client = createWriteClient((m) => pipe.send(m));
  const forwarded = forwardWrites(reader, client.call);
  const lifecycle: Pick<Store, 'init' | 'close'> = {
    async init() {
      await writer.init();
      await reader.init();
    },
    async close() {
      await reader.close();
      await writer.close();
      port.close();
    },
  };
  return {
    store: new Proxy(forwarded, {
      get: (target, prop, receiver) =>
        prop === 'init' || prop === 'close'
          ? lifecycle[prop]
          : (Reflect.get(target, prop, receiver) as unknown),
    }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
