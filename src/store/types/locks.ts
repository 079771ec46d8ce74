/**
 * @module store/types/locks
 * Cluster-wide locks: what several Hookflow processes over one database use so that a poll, a
 * connector trigger's init/destroy or an OAuth2 refresh happens in one of them at a time.
 *
 * @example
 *   const polled = await store.withLock(`poll:${name}`, { wait: false }, () => poll());
 *   if (!polled.held) return; // another process is polling right now
 */

/** What {@link LockStore.withLock} returns: `held: false` when it did not run `fn`. */
export type LockResult<T> = { held: true; value: T } | { held: false };

export interface LockStore {
  /**
   * Runs `fn` while holding the lock `key`, then releases it (also when `fn` throws). With
   * `wait: false`, returns `{ held: false }` at once when someone else holds it.
   *
   * PostgreSQL: a session advisory lock, so a process that dies frees it at once. SQLite (one
   * process): the callers of this store handle exclude each other.
   */
  withLock<T>(key: string, opts: { wait: boolean }, fn: () => Promise<T>): Promise<LockResult<T>>;
}
