/**
 * @module store/postgres/throttle-store
 * Connection throttles on PostgreSQL, shared by every worker process. A connection with
 * `rate: {limit, per}` has `limit` slot rows, each holding when it was last used; a request
 * takes the least recently used slot that is at least `per` old (`FOR UPDATE SKIP LOCKED`, so
 * concurrent takers never queue on one row) and stamps it with the database's clock. Each slot
 * is used at most once per `per`, so no window of `per` holds more than `limit` grants across
 * the cluster: exact at the grant, one statement per request. A pause is one row per
 * connection. Both tables are UNLOGGED (no WAL; a database crash only forgives); slots missing
 * after such a crash, or after the limit was raised, are created on the next take.
 *
 * @example
 *   return { ...coreMethods, ...createThrottleMethods(db) };
 */
import type { ConnectionThrottleStore } from '../types.js';
import type { PgAccess } from './pool.js';
import { NOW_MS } from './statements.js';

/** $1 connection, $2 limit, $3 per ms. */
const TAKE_SLOT = `
  WITH t AS (SELECT ${NOW_MS} AS now),
  p AS (
    SELECT c.paused_until - t.now AS paused_ms FROM connection_pauses c, t
    WHERE c.connection = $1 AND c.paused_until > t.now),
  pick AS (
    SELECT s.slot FROM connection_slots s
    WHERE s.connection = $1 AND s.slot < $2 AND s.used_at <= (SELECT now FROM t) - $3::bigint
      AND NOT EXISTS (SELECT 1 FROM p)
    ORDER BY s.used_at LIMIT 1
    FOR UPDATE SKIP LOCKED),
  took AS (
    UPDATE connection_slots s SET used_at = (SELECT now FROM t)
    FROM pick WHERE s.connection = $1 AND s.slot = pick.slot
    RETURNING s.slot),
  n AS (SELECT count(*)::int AS took FROM took)
  -- Only when refused: when the oldest slot frees (an index scan's first row), and whether
  -- the slots exist (they are made all at once, so the last one tells).
  SELECT n.took, (SELECT paused_ms FROM p) AS paused_ms,
    CASE WHEN n.took = 0 THEN (
      SELECT used_at + $3::bigint - (SELECT now FROM t) FROM connection_slots
      WHERE connection = $1 AND slot < $2 ORDER BY used_at LIMIT 1) END AS free_ms,
    CASE WHEN n.took = 0 THEN EXISTS (
      SELECT 1 FROM connection_slots WHERE connection = $1 AND slot = $2 - 1) END AS complete
  FROM n`;

/** $1 connection, $2 limit. */
const ADD_SLOTS = `
  INSERT INTO connection_slots (connection, slot, used_at)
  SELECT $1, g, 0 FROM generate_series(0, $2::int - 1) AS g
  ON CONFLICT DO NOTHING`;

/** $1 connection. */
const PAUSED = `
  SELECT paused_until - ${NOW_MS} AS paused_ms FROM connection_pauses
  WHERE connection = $1 AND paused_until > ${NOW_MS}`;

/** $1 connection, $2 ms. A later end already stored wins. */
const PAUSE = `
  INSERT INTO connection_pauses (connection, paused_until) VALUES ($1, ${NOW_MS} + $2::bigint)
  ON CONFLICT (connection) DO UPDATE
    SET paused_until = greatest(connection_pauses.paused_until, excluded.paused_until)
  RETURNING paused_until - ${NOW_MS} AS paused_ms`;

/** When every free slot was locked by another taker: ask again soon. */
const CONTENDED_MS = 2;

interface TakeRow {
  took: number;
  paused_ms: string | null;
  free_ms: string | null;
  complete: boolean | null;
}

export function createThrottleMethods(db: PgAccess): ConnectionThrottleStore {
  return {
    async takeConnectionSlot(name, rate) {
      if (rate === null) {
        const { rows } = await db.query<{ paused_ms: string }>('takeConnectionSlot', PAUSED, [
          name,
        ]);
        const paused = rows[0];
        return paused
          ? { granted: false, reason: 'paused', waitMs: Number(paused.paused_ms) }
          : { granted: true };
      }
      for (;;) {
        const { rows } = await db.query<TakeRow>('takeConnectionSlot', TAKE_SLOT, [
          name,
          rate.limit,
          rate.perMs,
        ]);
        const row = rows[0];
        if (!row) throw new Error('takeConnectionSlot: the statement returned no row');
        if (row.took > 0) return { granted: true };
        if (row.paused_ms !== null) {
          return { granted: false, reason: 'paused', waitMs: Number(row.paused_ms) };
        }
        if (row.complete === false) {
          await db.query('addConnectionSlots', ADD_SLOTS, [name, rate.limit]);
          continue;
        }
        const free = Number(row.free_ms ?? 0);
        return { granted: false, reason: 'rate', waitMs: Math.max(CONTENDED_MS, free) };
      }
    },
    async pauseConnection(name, forMs) {
      const { rows } = await db.query<{ paused_ms: string }>('pauseConnection', PAUSE, [
        name,
        Math.max(0, Math.round(forMs)),
      ]);
      return Math.max(0, Number(rows[0]?.paused_ms ?? forMs));
    },
  };
}
