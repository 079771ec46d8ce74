/**
 * @module store/postgres/statistics
 * Keeps the planner's statistics of the tables that grow with every event (jobs, steps,
 * dedupe, job_search) fresh: once a second, a table whose rows changed more than 5,000 times
 * plus once per row it held at its last ANALYZE is analyzed — after about 2,000 jobs, then
 * each time the table grew by about a third (a job changes its row three times) — by one
 * process of the cluster at a time.
 *
 * Why: the hot statements are prepared (prepared.ts), and PostgreSQL keeps the generic plan of
 * a prepared statement once it looks no dearer than the custom ones. A table never analyzed
 * looks tiny to the planner: plans made on a fresh schema read `jobs` whole (a hash join over a
 * sequential scan in the job writes and the accept's check of taken ids), a cost per statement
 * that grows with the table, and that stays while nothing analyzes it. PostgreSQL's autovacuum
 * analyzes far sooner (50 rows + 10 %), but it may be off or behind (a schema just filled by
 * `hookflow migrate`, say); an ANALYZE invalidates the cached plans, and the next executions
 * are planned on the indexes. Measured on a fresh schema under 5 s of the bench's ingest, with
 * autovacuum off: 1.0–3.4 M rows read by sequential scans of `jobs` without it, 0.07–0.2 M with
 * it (all before the first ANALYZE). Growth by a share keeps its cost flat per row: ANALYZE
 * samples at most 30,000 rows.
 *
 * It is upkeep, not a duty: a failed look is tried again a second later (the database away, a
 * lock timeout), and a role that may not analyze the tables (not their owner) stops looking.
 *
 * @example
 *   const keeper = keepStatistics(pool, schema);
 *   await keeper.stop();
 */
import type { PgAccess } from './pool.js';

/** The tables every accepted event writes to. */
const GROWING_TABLES = ['jobs', 'steps', 'dedupe', 'job_search'] as const;

const CHECK_MS = 1_000;

/** Changed rows since the last ANALYZE that call for a new one: MIN + SHARE × its rows then. */
const MIN_CHANGES = 5_000;
const SHARE = 1;

/** insufficient_privilege: the role does not own the tables. */
const NOT_ALLOWED = '42501';

export interface StatisticsKeeper {
  /** Looks now; resolves with the tables it analyzed. */
  check(): Promise<string[]>;
  /** Stops looking; resolves once a look in progress is over. */
  stop(): Promise<void>;
}

export function keepStatistics(db: PgAccess, schema: string): StatisticsKeeper {
  let running: Promise<unknown> | null = null;

  async function check(): Promise<string[]> {
    const { rows } = await db.query<{ relname: string }>(
      'statistics',
      // reltuples: the rows at the last ANALYZE (-1 before the first), as autovacuum counts.
      `SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
       WHERE s.schemaname = $1 AND s.relname = ANY($2::text[])
         AND s.n_mod_since_analyze > $3::bigint + $4::float8 * greatest(c.reltuples, 0)`,
      [schema, GROWING_TABLES, MIN_CHANGES, SHARE],
    );
    if (rows.length === 0) return [];
    const tables = rows.map((r) => r.relname).sort();
    // One process at a time: the others find the lock taken and look again in a second, when
    // the counts are back to zero.
    return db.transaction('statistics', async (client) => {
      const lock = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`,
        [`hookflow:analyze:${schema}`],
      );
      if (!lock.rows[0]?.locked) return [];
      // Names from the list above, never from input.
      await client.query(`ANALYZE ${tables.join(', ')}`);
      return tables;
    });
  }

  const timer = setInterval(() => {
    if (running) return;
    running = check()
      .catch((error: unknown) => {
        if ((error as { code?: unknown }).code === NOT_ALLOWED) clearInterval(timer);
      })
      .finally(() => (running = null));
  }, CHECK_MS);
  timer.unref();

  return {
    check,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
