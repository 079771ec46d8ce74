/**
 * @module store/postgres/pool
 * The store's access to PostgreSQL: a node-postgres Pool whose int8 columns read as numbers
 * (epoch ms and seq stay below 2^53), `query` for one statement and `transaction` for several
 * on one connection; both turn failures into StoreErrors (postgres/errors.ts). `wakeWorkers`
 * tells listening workers that jobs may be runnable, after the commit that made them so.
 *
 * Why the wake-up is a statement of its own rather than a `pg_notify` inside the committing
 * transaction: PostgreSQL serialises the commits of transactions that NOTIFY (one lock on the
 * notification queue, held until the commit's WAL flush), so every accept batch waited for the
 * previous one's fsync and group commit was lost — 8 accept statements waiting on that lock on
 * average under load. The wake-up goes out on a connection with `synchronous_commit` off,
 * where the lock is held for microseconds. A process that dies between the commit and its
 * wake-up loses nothing: the workers' safety poll claims the job within a second.
 *
 * @example
 *   const db = createPgAccess({ connectionString, schema: 'hookflow' });
 *   const rows = await db.query('getMeta', 'SELECT value FROM meta WHERE key = $1', [key]);
 */
import type pg from 'pg';
import { pgDriver } from './driver.js';
import { storeError } from './errors.js';
import { queryOf } from './prepared.js';
import { WAKE_WORKERS } from './statements.js';

export interface PgAccessOptions {
  connectionString: string;
  /** The schema every table is in (search_path of every connection). */
  schema: string;
  /** Connections at most. */
  poolSize: number;
}

export interface PgAccess {
  readonly pool: pg.Pool;
  query<R extends pg.QueryResultRow>(
    operation: string,
    text: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  /**
   * Runs `fn` in BEGIN … COMMIT on one connection; rolls back and rethrows when it throws.
   * `unflushed`: on a connection with `synchronous_commit` off, whose commit does not wait for
   * the WAL flush — only for writes whose loss in a database crash is harmless (claims).
   */
  transaction<T>(
    operation: string,
    fn: (client: pg.PoolClient) => Promise<T>,
    opts?: TransactionOptions,
  ): Promise<T>;
  /**
   * NOTIFY the jobs channel, after the commit of runnable jobs. Never throws and never waits
   * for the flush; wake-ups asked for while one is on its way become one more after it.
   */
  wakeWorkers(): void;
  end(): Promise<void>;
}

export interface TransactionOptions {
  unflushed?: boolean;
}

const INT8_OID = 20;

/** int8 as a number: seq, epoch-ms timestamps and counts stay far below 2^53. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pgDriver().types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

function createPool(opts: PgAccessOptions, max: number, settings: string[]): pg.Pool {
  if (opts.schema !== 'public') settings.push(`-c search_path=${opts.schema}`);
  const { Pool } = pgDriver();
  const pool = new Pool({
    connectionString: opts.connectionString,
    max,
    types,
    // A connection that cannot be made in this time fails the call with store_unavailable.
    connectionTimeoutMillis: 5_000,
    ...(settings.length > 0 ? { options: settings.join(' ') } : {}),
  });
  // An idle connection dropped by the server emits here; unhandled, it would end the process.
  // The pool replaces it; the next call that needs the database reports the outage.
  pool.on('error', () => {});
  // A connection the pool has lent out (a transaction, a held lock) that drops between two
  // queries emits 'error' on itself, which pg-pool does not listen to while it is lent:
  // unhandled, that too would end the process. Its next query fails instead (store_unavailable).
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export function createPgAccess(opts: PgAccessOptions): PgAccess {
  const pool = createPool(opts, opts.poolSize, []);
  // Made on first use: claims and wake-ups need no SET LOCAL synchronous_commit. Claims walk
  // the queue in index order and stop at their limit, whatever the statistics say: a bitmap
  // scan reads the whole status, and a sequential scan with a sort (a plan made while the table
  // was small, or after an ANALYZE that ran during a backlog, most rows then being queued)
  // reads the whole table.
  let unflushed: pg.Pool | null = null;
  const unflushedPool = () =>
    (unflushed ??= createPool(opts, 2, [
      '-c synchronous_commit=off',
      '-c enable_bitmapscan=off',
      '-c enable_seqscan=off',
    ]));
  let waking: Promise<void> | null = null;
  let wakeAgain = false;

  async function sendWakeUps(): Promise<void> {
    do {
      wakeAgain = false;
      // Lost (database out of reach): the workers' safety poll finds the jobs.
      await unflushedPool()
        .query(WAKE_WORKERS)
        .catch(() => {});
    } while (wakeAgain);
  }

  return {
    pool,
    async query<R extends pg.QueryResultRow>(operation: string, text: string, params?: unknown[]) {
      try {
        return await pool.query<R>(queryOf(text, params));
      } catch (error) {
        throw storeError(operation, error);
      }
    },
    async transaction<T>(
      operation: string,
      fn: (client: pg.PoolClient) => Promise<T>,
      txOpts?: TransactionOptions,
    ) {
      let client: pg.PoolClient;
      try {
        client = await (txOpts?.unflushed ? unflushedPool() : pool).connect();
      } catch (error) {
        throw storeError(operation, error);
      }
      let broken: unknown = null;
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        broken = await client.query('ROLLBACK').then(
          () => null,
          (e: unknown) => e,
        );
        throw storeError(operation, error);
      } finally {
        // A connection whose ROLLBACK failed is in an unknown state: destroy it.
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
    wakeWorkers() {
      if (waking) {
        wakeAgain = true;
        return;
      }
      waking = sendWakeUps().finally(() => {
        waking = null;
      });
    },
    end: async () => {
      await waking;
      await Promise.all([pool.end(), unflushed?.end()]);
    },
  };
}
