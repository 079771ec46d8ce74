/**
 * @module store/postgres/rate-store
 * Rate limit counters on PostgreSQL, shared by every process: one row per (workflow, key,
 * window) in an UNLOGGED table (no WAL write, no flush: a counter lost in a database crash
 * only forgives), incremented by one upsert per event, outside the event's commit batch.
 * Exact: the row lock serialises the increments of one window, so a window admits `limit`
 * events across all processes. Windows that ended are swept by each process once a minute.
 *
 * @example
 *   return { ...coreMethods, ...createRateMethods(db) };
 */
import type { RateStore } from '../types.js';
import type { PgAccess } from './pool.js';
import { NOW_MS } from './statements.js';

const SWEEP_MS = 60_000;

/** $1 workflow, $2 key, $3 window ms. The window by the database's clock, aligned to the epoch. */
const HIT_RATE = `
  WITH w AS (SELECT ${NOW_MS} AS now)
  INSERT INTO rate_windows (workflow, key, window_end, hits)
  SELECT $1, $2, (w.now / $3::bigint) * $3::bigint + $3::bigint, 1 FROM w
  ON CONFLICT (workflow, key, window_end) DO UPDATE SET hits = rate_windows.hits + 1
  RETURNING hits, window_end - ${NOW_MS} AS remaining_ms`;

const SWEEP_RATES = `DELETE FROM rate_windows WHERE window_end < ${NOW_MS}`;

export function createRateMethods(db: PgAccess): RateStore {
  let nextSweep = Date.now() + SWEEP_MS;
  return {
    async hitRateLimit(workflow, key, { limit, perMs }) {
      if (Date.now() >= nextSweep) {
        nextSweep = Date.now() + SWEEP_MS;
        // Best effort: a failed sweep leaves rows the next one deletes.
        void db.query('sweepRateWindows', SWEEP_RATES).catch(() => {});
      }
      const { rows } = await db.query<{ hits: number; remaining_ms: string }>(
        'hitRateLimit',
        HIT_RATE,
        [workflow, key, perMs],
      );
      const hits = rows[0]?.hits ?? Number.MAX_SAFE_INTEGER;
      const remaining = Math.max(0, Number(rows[0]?.remaining_ms ?? perMs));
      return { allowed: hits <= limit, count: hits, retryAfterMs: remaining };
    },
  };
}
