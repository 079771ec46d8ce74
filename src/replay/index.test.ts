/**
 * The replay runner over real stores: one process at a time drives a replay (two runners over
 * one PostgreSQL schema, as two processes would be), and a runner stopped mid-replay leaves it
 * for the next one to finish, one job per original.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import pg from 'pg';
import { createIntake } from '../queue/index.js';
import { createStore, newJobId } from '../store/index.js';
import type { Store } from '../store/index.js';
import { CLAIM, OWNER, newEvent } from '../store/contract/fixtures.js';
import { startReplays } from './index.js';

const DATABASE_URL = process.env['HOOKFLOW_TEST_DATABASE_URL'];
const log = pino({ level: 'silent' });

async function failedJobs(store: Store, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const event = newEvent('orders');
    await store.acceptEvent(event);
    await store.claimJob(event.id, CLAIM);
    await store.finishJob(event.id, OWNER, 'failed', 'HTTP 503');
  }
}

/** A runner whose committed batches are counted. */
function runner(store: Store, counted: { batches: number }) {
  const intake = createIntake(store, () => {});
  return startReplays({
    store,
    intake: {
      async commitReplayBatch(batch) {
        const ids = await intake.commitReplayBatch(batch);
        if (ids !== null) counted.batches++;
        return ids;
      },
    },
    loaded: () => true,
    log,
    intervalMs: 50,
  });
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('replay runner on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-replay-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a runner stopped mid-replay leaves it to the next, which finishes it once', async () => {
    const store = createStore({ sqliteFile: join(dir, 'a.db') });
    await store.init();
    await failedJobs(store, 40);
    const replay = await store.createReplay({
      id: newJobId(),
      filter: { status: 'failed' },
      version: 'current',
      rate: 20, // batches of 4, five a second
    });
    const first = { batches: 0 };
    const a = runner(store, first);
    await until(async () => ((await store.getReplay(replay.id))?.created ?? 0) >= 8);
    await a.stop();
    const midway = (await store.getReplay(replay.id))!;
    assert.equal(midway.status, 'running');
    assert.ok(midway.created < 40, `${midway.created} created before the stop`);

    const second = { batches: 0 };
    const b = runner(store, second);
    await until(async () => (await store.getReplay(replay.id))?.status === 'done');
    await b.stop();
    const done = (await store.getReplay(replay.id))!;
    assert.equal(done.created, 40);
    assert.equal(done.jobs.queued, 40);
    assert.ok(second.batches > 0);
    await store.close();
  });
});

describe(
  'replay runner on PostgreSQL',
  { skip: DATABASE_URL ? false : 'set HOOKFLOW_TEST_DATABASE_URL' },
  () => {
    const schema = `hookflow_test_replay_${Math.random().toString(16).slice(2, 10)}`;
    after(async () => {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    });

    test('two processes over one database: one of them drives a replay', async () => {
      const stores = [0, 1].map(() => createStore({ databaseUrl: DATABASE_URL!, schema }));
      for (const s of stores) await s.init();
      await failedJobs(stores[0]!, 60);
      const replay = await stores[0]!.createReplay({
        id: newJobId(),
        filter: { status: 'failed' },
        version: 'current',
        rate: 100,
      });
      const counts = [{ batches: 0 }, { batches: 0 }];
      const runners = stores.map((s, i) => runner(s, counts[i]!));
      await until(async () => (await stores[1]!.getReplay(replay.id))?.status === 'done');
      await Promise.all(runners.map((r) => r.stop()));
      const done = (await stores[1]!.getReplay(replay.id))!;
      assert.equal(done.created, 60);
      assert.equal(
        counts.filter((c) => c.batches > 0).length,
        1,
        `batches per process: ${counts.map((c) => c.batches).join(', ')}`,
      );
      for (const s of stores) await s.close();
    });
  },
);
