/**
 * @module store/postgres/lock-store
 * Cluster-wide locks on PostgreSQL: a session advisory lock on a connection held for the
 * duration of the work. Session, not transaction, locks: the work is HTTP calls to third
 * parties, which must not keep a transaction open; and a process that dies (or loses its
 * connection) frees the lock at once, so a crashed poll never blocks the next one.
 *
 * Keys are hashed with the schema's name: two installations in one database never collide.
 *
 * @example
 *   return { ...coreMethods, ...createLockMethods(db, schema) };
 */
import type pg from 'pg';
import type { LockStore } from '../types.js';
import { storeError } from './errors.js';
import type { PgAccess } from './pool.js';

export function createLockMethods(db: PgAccess, schema: string): LockStore {
  return {
    async withLock(key, opts, fn) {
      const operation = `withLock ${key}`;
      let client: pg.PoolClient;
      try {
        client = await db.pool.connect();
      } catch (error) {
        throw storeError(operation, error);
      }
      const lockKey = `${schema}:${key}`;
      let broken: Error | undefined;
      try {
        if (opts.wait) {
          await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
        } else {
          const { rows } = await client.query<{ locked: boolean }>(
            'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
            [lockKey],
          );
          if (rows[0]?.locked !== true) {
            client.release();
            return { held: false };
          }
        }
      } catch (error) {
        client.release(error instanceof Error ? error : true);
        throw storeError(operation, error);
      }
      try {
        return { held: true, value: await fn() };
      } finally {
        // A connection that cannot unlock is dropped: closing it frees the lock.
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch((e) => {
          broken = e instanceof Error ? e : new Error(String(e));
        });
        client.release(broken);
      }
    },
  };
}
