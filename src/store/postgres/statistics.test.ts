/**
 * The planner's statistics of the growing tables are kept fresh: a table that changed enough
 * since its last ANALYZE is analyzed within seconds, by the keeper's own once-a-second look, and
 * one that did not is left alone. Runs only when HOOKFLOW_TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  POSTGRES_SKIP,
  TEST_DATABASE_URL,
  dropSchema,
  randomSchema,
} from '../../../test/helpers/backends.js';
import { createPgAccess } from './pool.js';
import type { PgAccess } from './pool.js';
import { keepStatistics } from './statistics.js';
import type { StatisticsKeeper } from './statistics.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

void describe('PostgreSQL statistics keeper', { skip: POSTGRES_SKIP }, () => {
  const schema = randomSchema();
  let db: PgAccess;
  let keeper: StatisticsKeeper | null = null;

  async function analyzed(table: string): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      'test',
      `SELECT analyze_count::int AS n FROM pg_stat_user_tables
       WHERE schemaname = $1 AND relname = $2`,
      [schema, table],
    );
    return rows[0]?.n ?? -1;
  }

  /**
   * Runs `text` and has its backend publish its table counts at once: an idle backend
   * otherwise publishes them up to 10 s later (a busy one every second).
   */
  async function change(text: string): Promise<void> {
    await db.transaction('test', async (client) => {
      await client.query(text);
      await client.query('SELECT pg_stat_force_next_flush()');
    });
  }

  before(async () => {
    db = createPgAccess({ connectionString: TEST_DATABASE_URL ?? '', schema, poolSize: 2 });
    await db.query('test', `CREATE SCHEMA ${schema}`);
    await db.query('test', 'CREATE TABLE jobs (seq bigint PRIMARY KEY, status text)');
    await db.query('test', 'CREATE TABLE steps (job_id bigint, seq int)');
    await db.query('test', 'CREATE TABLE unrelated (n int)');
  });
  after(async () => {
    await keeper?.stop();
    await db.end();
    await dropSchema(schema);
  });

  void it('analyzes a table that changed past the threshold, within seconds, and only it', async () => {
    await change(`INSERT INTO jobs SELECT n, 'queued' FROM generate_series(1, 6000) n`);
    await change(`INSERT INTO steps SELECT n, 0 FROM generate_series(1, 100) n`);
    await change(`INSERT INTO unrelated SELECT n FROM generate_series(1, 9000) n`);
    keeper = keepStatistics(db, schema);
    const deadline = Date.now() + 15_000;
    while ((await analyzed('jobs')) < 1 && Date.now() < deadline) await sleep(200);
    assert.equal(await analyzed('jobs'), 1, 'jobs was analyzed');
    assert.equal(await analyzed('steps'), 0, 'steps changed too little');
    assert.equal(await analyzed('unrelated'), 0, 'a table of no interest is left alone');
  });

  void it('does not analyze again until the table changed as many times as it has rows', async () => {
    assert.ok(keeper);
    // 6,000 rows: the next ANALYZE waits for 5,000 + 6,000 changes.
    await change(`UPDATE jobs SET status = 'running' WHERE seq <= 3000`);
    await sleep(1500);
    assert.deepEqual(await keeper.check(), []);
    await change(`UPDATE jobs SET status = 'succeeded'`);
    await change(`UPDATE jobs SET status = 'failed' WHERE seq <= 3000`);
    const deadline = Date.now() + 15_000;
    while ((await analyzed('jobs')) < 2 && Date.now() < deadline) await sleep(200);
    assert.equal(await analyzed('jobs'), 2);
  });
});
