/**
 * @module store/postgres/pool
 * The store's access to PostgreSQL: a node-postgres Pool whose int8 columns read as numbers
 * (epoch ms and seq stay below 2^53), `query` for one statement and `transaction` for several
 * on one connection; both turn failures into StoreErrors (postgres/errors.ts).
 *
 * @example
 *   const db = createPgAccess({ connectionString, schema: 'hookflow' });
 *   const rows = await db.query('getMeta', 'SELECT value FROM meta WHERE key = $1', [key]);
 */
import pg from 'pg';
import { storeError } from './errors.js';

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
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

function createPool(opts: PgAccessOptions, max: number, settings: string[]): pg.Pool {
  if (opts.schema !== 'public') settings.push(`-c search_path=${opts.schema}`);
  const pool = new pg.Pool({
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
  // Made on first use (only workers claim): a claim needs no SET LOCAL synchronous_commit.
  let unflushed: pg.Pool | null = null;

  return {
    pool,
    async query<R extends pg.QueryResultRow>(operation: string, text: string, params?: unknown[]) {
      try {
        return await pool.query<R>(text, params);
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
        if (txOpts?.unflushed) unflushed ??= createPool(opts, 2, ['-c synchronous_commit=off']);
        client = await (txOpts?.unflushed ? (unflushed as pg.Pool) : pool).connect();
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
    end: async () => {
      await Promise.all([pool.end(), unflushed?.end()]);
    },
  };
}
