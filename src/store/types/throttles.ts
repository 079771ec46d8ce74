/**
 * @module store/types/throttles
 * Outbound throttling per connection, shared by every worker: request slots (at most `limit`
 * requests in any `perMs` window) and pauses (an upstream's 429/503 with `Retry-After` holds
 * the connection for everyone until it passes).
 *
 * @example
 *   const turn = await store.takeConnectionSlot('crm', { limit: 10, perMs: 1_000 });
 *   if (!turn.granted) await sleep(turn.waitMs); // then ask again
 *   await store.pauseConnection('crm', 2_000); // the upstream answered 429, Retry-After: 2
 */

/** The answer to a request for a slot: granted, or how long until asking again makes sense. */
export type ConnectionTurn =
  | { granted: true }
  | {
      granted: false;
      /** `paused`: an upstream's Retry-After holds the connection; `rate`: every slot is taken. */
      reason: 'paused' | 'rate';
      /** Until the pause ends, or the oldest slot frees (another worker may take it first). */
      waitMs: number;
    };

export interface ConnectionThrottleStore {
  /**
   * Takes one request slot of connection `name` now: refused while the connection is paused,
   * or when `limit` requests were granted within the last `perMs`. `rate` null: only the pause
   * is checked. PostgreSQL: one statement (a slot row updated under SKIP LOCKED, by the
   * database's clock). SQLite: this process's memory.
   */
  takeConnectionSlot(
    name: string,
    rate: { limit: number; perMs: number } | null,
  ): Promise<ConnectionTurn>;
  /**
   * Pauses connection `name` for `forMs` from now, for every worker; a pause that ends later
   * already in place is kept. Resolves with how long the connection is paused from now.
   */
  pauseConnection(name: string, forMs: number): Promise<number>;
}
