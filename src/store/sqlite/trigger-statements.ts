/**
 * @module store/sqlite/trigger-statements
 * The statements of poll and schedule triggers (migration 4), prepared once with the others.
 *
 * @example
 *   const row = sql.triggers.getState.get('orders');
 */
import type BetterSqlite3 from 'better-sqlite3';

export interface TriggerStateRow {
  state: string | null;
  polled: number;
  since_at: number | null;
  last_tick_at: number | null;
  last_run_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
}

export interface SeenRow {
  version: string | null;
  expires_at: number;
}

export interface PollSuccessParams {
  workflow: string;
  state: string | null;
  sinceAt: number;
  runAt: number;
  successAt: number;
}

export interface ClaimTickParams {
  workflow: string;
  tickAt: number;
  nowMs: number;
}

type Statement<Params extends unknown[] | object, Row = unknown> = BetterSqlite3.Statement<
  Params,
  Row
>;

export interface TriggerStatements {
  getState: Statement<[workflow: string], TriggerStateRow>;
  findSeen: Statement<[workflow: string, itemId: string], SeenRow>;
  upsertSeen: Statement<
    [workflow: string, itemId: string, version: string | null, expiresAt: number]
  >;
  purgeSeen: Statement<[nowMs: number]>;
  savePollSuccess: Statement<PollSuccessParams>;
  /** Returns the consecutive failures, this one included. */
  saveFailure: Statement<[workflow: string, atMs: number, error: string], number>;
  claimTick: Statement<ClaimTickParams>;
  resetSchedule: Statement<[workflow: string]>;
}

export function prepareTriggerStatements(db: BetterSqlite3.Database): TriggerStatements {
  return {
    getState: db.prepare<[string], TriggerStateRow>(
      `SELECT state, polled, since_at, last_tick_at, last_run_at, last_success_at, last_error
       FROM trigger_state WHERE workflow = ?`,
    ),
    findSeen: db.prepare<[string, string], SeenRow>(
      'SELECT version, expires_at FROM poll_seen WHERE workflow = ? AND item_id = ?',
    ),
    upsertSeen: db.prepare<[string, string, string | null, number]>(
      `INSERT INTO poll_seen (workflow, item_id, version, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (workflow, item_id)
       DO UPDATE SET version = excluded.version, expires_at = excluded.expires_at`,
    ),
    purgeSeen: db.prepare<[number]>('DELETE FROM poll_seen WHERE expires_at <= ?'),
    savePollSuccess: db.prepare<PollSuccessParams>(
      `INSERT INTO trigger_state (workflow, state, polled, since_at, last_run_at, last_success_at)
       VALUES (@workflow, @state, 1, @sinceAt, @runAt, @successAt)
       ON CONFLICT (workflow) DO UPDATE SET state = excluded.state, polled = 1,
         since_at = excluded.since_at, last_run_at = excluded.last_run_at,
         last_success_at = excluded.last_success_at, last_error = NULL, failures = 0`,
    ),
    saveFailure: db
      .prepare<[string, number, string], number>(
        `INSERT INTO trigger_state (workflow, last_run_at, last_error, failures) VALUES (?, ?, ?, 1)
         ON CONFLICT (workflow) DO UPDATE SET last_run_at = excluded.last_run_at,
           last_error = excluded.last_error, failures = trigger_state.failures + 1
         RETURNING failures`,
      )
      .pluck(),
    // Compare-and-set on the newest claimed tick: of several servers firing the same tick, the
    // first to commit changes the row, the others change nothing and start no job.
    claimTick: db.prepare<ClaimTickParams>(
      `INSERT INTO trigger_state (workflow, last_tick_at, last_run_at, last_success_at)
       VALUES (@workflow, @tickAt, @nowMs, @nowMs)
       ON CONFLICT (workflow) DO UPDATE SET last_tick_at = excluded.last_tick_at,
         last_run_at = excluded.last_run_at, last_success_at = excluded.last_success_at,
         last_error = NULL, failures = 0
       WHERE trigger_state.last_tick_at IS NULL OR trigger_state.last_tick_at < excluded.last_tick_at`,
    ),
    resetSchedule: db.prepare<[string]>(
      'UPDATE trigger_state SET last_tick_at = NULL WHERE workflow = ?',
    ),
  };
}
