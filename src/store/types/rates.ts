/**
 * @module store/types/rates
 * Counting events against a rate limit: a fixed window of `perMs` (aligned to the epoch, so
 * every process agrees on where a window starts) per (workflow, key).
 *
 * @example
 *   const hit = await store.hitRateLimit('orders', 'shop-1', { limit: 100, perMs: 1_000 });
 *   if (!hit.allowed) answer429(Math.ceil(hit.retryAfterMs / 1000));
 */

/** One event counted: `allowed` while the window's count is within the limit. */
export interface RateHit {
  allowed: boolean;
  /** Events counted in this window so far, this one included (refused ones too). */
  count: number;
  /** Until the window ends: when a refused sender may try again. */
  retryAfterMs: number;
}

export interface RateStore {
  /**
   * Counts one event for (workflow, key) in the current window and says whether it is within
   * `limit`. PostgreSQL: one upsert on an unlogged table, shared by every process (the
   * database's clock decides the window). SQLite: a counter in this process's memory.
   */
  hitRateLimit(
    workflow: string,
    key: string,
    rate: { limit: number; perMs: number },
  ): Promise<RateHit>;
}
