/**
 * The store contract and PostgreSQL's own behaviours, against a real database. Runs only when
 * HOOKFLOW_TEST_DATABASE_URL is set; each store gets a schema of its own (random name), dropped
 * after it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { HookflowError } from '../../errors.js';
import { newEvent, withKey } from '../contract/fixtures.js';
import { runStoreContract } from '../store.contract.js';
import { MIGRATIONS } from './migrations.js';
import { createPostgresStore } from './postgres-store.js';

const url = process.env['HOOKFLOW_TEST_DATABASE_URL'];
const skip = url
  ? false
  : 'PostgreSQL store tests skipped: set HOOKFLOW_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them';

const admin = url ? new pg.Pool({ connectionString: url, max: 2 }) : null;
const schemas: string[] = [];
function newSchema(): string {
  const name = `hookflow_test_${randomBytes(6).toString('hex')}`;
  schemas.push(name);
  return name;
}
async function dropSchema(name: string): Promise<void> {
  await admin?.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
}
after(async () => {
  for (const name of schemas) await dropSchema(name);
  await admin?.end();
});

const hasCode = (code: string) => (e: unknown) => e instanceof HookflowError && e.code === code;

runStoreContract(
  'postgres',
  async () => {
    const schema = newSchema();
    return {
      store: createPostgresStore({ databaseUrl: url as string, schema }),
      cleanup: () => dropSchema(schema),
    };
  },
  { skip },
);

void describe('PostgreSQL store', { skip }, () => {
  void it('processes starting together on one schema migrate it once', async () => {
    const schema = newSchema();
    const stores = Array.from({ length: 4 }, () =>
      createPostgresStore({ databaseUrl: url as string, schema }),
    );
    try {
      await Promise.all(stores.map((s) => s.init()));
      const { rows } = await (admin as pg.Pool).query<{ version: number }>(
        `SELECT version FROM ${schema}.hookflow_migrations ORDER BY version`,
      );
      assert.deepEqual(
        rows.map((r) => r.version),
        MIGRATIONS.map((m) => m.version),
      );
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  void it('a schema from a newer Hookflow is refused with both versions in the message', async () => {
    const schema = newSchema();
    await (admin as pg.Pool).query(`CREATE SCHEMA ${schema}`);
    await (admin as pg.Pool).query(
      `CREATE TABLE ${schema}.hookflow_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
       INSERT INTO ${schema}.hookflow_migrations (version) VALUES (99)`,
    );
    const store = createPostgresStore({ databaseUrl: url as string, schema });
    await assert.rejects(store.init(), (e: unknown) => {
      assert.ok(hasCode('store_schema_too_new')(e));
      const latest = MIGRATIONS.at(-1)?.version;
      assert.match((e as Error).message, new RegExp(`version 99 .* up to ${latest}`));
      return true;
    });
    await store.close();
  });

  void it('the same dedupe key from two processes at once gives one job', async () => {
    const schema = newSchema();
    const a = createPostgresStore({ databaseUrl: url as string, schema });
    const b = createPostgresStore({ databaseUrl: url as string, schema });
    await a.init();
    await b.init();
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).acceptEvent(newEvent('orders', withKey('same'))),
        ),
      );
      const accepted = results.filter((r) => r.kind === 'accepted');
      assert.equal(accepted.length, 1);
      assert.ok(results.every((r) => r.jobId === accepted[0]?.jobId));
      assert.equal((await a.listJobs({ limit: 50 })).jobs.length, 1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  void it('accepted events wake hookflow_jobs after their commit: the woken worker sees the jobs', async () => {
    const schema = newSchema();
    const store = createPostgresStore({ databaseUrl: url as string, schema });
    await store.init();
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const reader = new pg.Client({ connectionString: url });
    await reader.connect();
    try {
      // What a worker does when woken: look at the queue. Every job must be there by then.
      const seen: number[] = [];
      listener.on('notification', () => {
        void reader
          .query(`SELECT count(*)::int AS n FROM ${schema}.jobs WHERE status = 'queued'`)
          .then((r) => seen.push((r.rows[0] as { n: number }).n));
      });
      await listener.query('LISTEN hookflow_jobs');
      const events = [newEvent('orders'), newEvent('orders'), newEvent('orders')];
      await Promise.all(events.map((e) => store.acceptEvent(e)));
      const deadline = Date.now() + 2000;
      while (seen.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(seen.length >= 1, 'no wake-up heard');
      assert.equal(seen[0], events.length);
    } finally {
      await Promise.all([listener.end(), reader.end()]);
      await store.close();
    }
  });

  void it('an unreachable database rejects acceptEvent with store_unavailable', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const store = createPostgresStore({ databaseUrl: 'postgres://postgres@127.0.0.1:1/test' });
    await assert.rejects(store.init(), hasCode('store_unavailable'));
    await store.close();
  });

  void it('calls before init are rejected with store_not_ready, after close with store_closed', async () => {
    const schema = newSchema();
    const store = createPostgresStore({ databaseUrl: url as string, schema });
    await assert.rejects(store.acceptEvent(newEvent()), hasCode('store_not_ready'));
    await assert.rejects(store.getMeta('x'), hasCode('store_not_ready'));
    await store.init();
    await store.close();
    await assert.rejects(store.acceptEvent(newEvent()), hasCode('store_closed'));
    await assert.rejects(store.listConnections(), hasCode('store_closed'));
  });
});
