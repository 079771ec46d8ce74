/**
 * A connection the pool has lent out (a held lock, an open transaction) that drops between two
 * queries fails its caller with store_unavailable, never the process. Against a real
 * PostgreSQL cut off through a loopback proxy; runs only when HOOKFLOW_TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  POSTGRES_SKIP,
  dropSchema,
  randomSchema,
  startDatabaseProxy,
} from '../../../test/helpers/backends.js';
import type { TcpProxy } from '../../../test/helpers/tcp-proxy.js';
import { HookflowError } from '../../errors.js';
import type { Store } from '../types.js';
import { createPostgresStore } from './postgres-store.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

void describe('PostgreSQL pool: a lent connection that drops', { skip: POSTGRES_SKIP }, () => {
  const schema = randomSchema();
  let proxy: TcpProxy;
  let store: Store;
  before(async () => {
    const cut = await startDatabaseProxy();
    proxy = cut.proxy;
    store = createPostgresStore({ databaseUrl: cut.url, schema });
    await store.init();
  });
  after(async () => {
    proxy.restore();
    await store.close();
    await proxy.close();
    await dropSchema(schema);
  });

  void it('while a lock is held, fails the unlock and the next call, not the process', async () => {
    const held = await store.withLock('cut-while-held', { wait: true }, async () => {
      proxy.cut();
      // The dropped socket reports its error now, between the lock's two queries.
      await sleep(200);
      return 'done';
    });
    assert.deepEqual(held, { held: true, value: 'done' });
    await assert.rejects(
      store.getMeta('k'),
      (e: unknown) => e instanceof HookflowError && e.code === 'store_unavailable',
    );
    proxy.restore();
    assert.equal(await store.getMeta('k'), null);
  });
});
