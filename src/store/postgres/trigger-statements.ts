/**
 * @module store/postgres/trigger-statements
 * The SQL of poll and schedule triggers and of connector trigger lifecycle records on
 * PostgreSQL.
 *
 * @example
 *   await db.query('getTriggerState', GET_STATE, [workflow]);
 */
import { INSERT_JOBS } from './statements.js';

export interface TriggerStateRow {
  state: unknown;
  polled: boolean;
  since_at: number | null;
  last_tick_at: number | null;
  last_run_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
}

export const GET_STATE = `
  SELECT state, polled, since_at, last_tick_at, last_run_at, last_success_at, last_error
  FROM trigger_state WHERE workflow = $1`;

/** Serialises the polls of one workflow across processes, until the transaction ends. */
export const LOCK_POLL = `SELECT pg_advisory_xact_lock(hashtext('hookflow_poll:' || $1))`;

/** $1 workflow, $2 item ids. */
export const FIND_SEEN = `
  SELECT item_id, version, expires_at FROM poll_seen
  WHERE workflow = $1 AND item_id = ANY($2::text[])`;

/** $1 workflow, $2 item ids, $3 versions, $4 expiry. */
export const UPSERT_SEEN = `
  INSERT INTO poll_seen (workflow, item_id, version, expires_at)
  SELECT $1, item_id, version, $4 FROM unnest($2::text[], $3::text[]) AS s (item_id, version)
  ON CONFLICT (workflow, item_id)
  DO UPDATE SET version = excluded.version, expires_at = excluded.expires_at`;

export const PURGE_SEEN = 'DELETE FROM poll_seen WHERE expires_at <= $1';

/** $1 workflow, $2 state (jsonb), $3 since, $4 run at, $5 success at. */
export const SAVE_POLL_SUCCESS = `
  INSERT INTO trigger_state (workflow, state, polled, since_at, last_run_at, last_success_at)
  VALUES ($1, $2::jsonb, true, $3, $4, $5)
  ON CONFLICT (workflow) DO UPDATE SET state = excluded.state, polled = true,
    since_at = excluded.since_at, last_run_at = excluded.last_run_at,
    last_success_at = excluded.last_success_at, last_error = NULL, failures = 0`;

/** $1 workflow, $2 run at, $3 error; returns the consecutive failures, this one included. */
export const SAVE_FAILURE = `
  INSERT INTO trigger_state (workflow, last_run_at, last_error, failures) VALUES ($1, $2, $3, 1)
  ON CONFLICT (workflow) DO UPDATE SET last_run_at = excluded.last_run_at,
    last_error = excluded.last_error, failures = trigger_state.failures + 1
  RETURNING failures`;

/**
 * $1 workflow, $2 tick, $3 now, $4 job id, $5 trigger, $6 version, $7 concurrency key, $8 its
 * limit. Compare-and-set on the newest claimed tick, the job and its notification in one
 * statement: of several processes firing the same tick, ON CONFLICT makes the later ones
 * wait for the first and then change nothing.
 */
export const CLAIM_TICK = `
  WITH claimed AS (
    INSERT INTO trigger_state (workflow, last_tick_at, last_run_at, last_success_at)
    VALUES ($1, $2, $3, $3)
    ON CONFLICT (workflow) DO UPDATE SET last_tick_at = excluded.last_tick_at,
      last_run_at = excluded.last_run_at, last_success_at = excluded.last_success_at,
      last_error = NULL, failures = 0
    WHERE trigger_state.last_tick_at IS NULL OR trigger_state.last_tick_at < excluded.last_tick_at
    RETURNING workflow
  ), job AS (
    INSERT INTO jobs (id, workflow, status, attempt, trigger, created_at, version,
      concurrency_key, concurrency_limit)
    SELECT $4, workflow, 'queued', 0, $5, $3, $6, $7, $8::integer FROM claimed
    RETURNING id
  )
  SELECT id FROM job`;

export const RESET_SCHEDULE = 'UPDATE trigger_state SET last_tick_at = NULL WHERE workflow = $1';

export const LIST_LIFECYCLES = 'SELECT * FROM trigger_lifecycle ORDER BY updated_at, id';

export const SAVE_LIFECYCLE = `
  INSERT INTO trigger_lifecycle
    (id, workflow, fingerprint, spec, status, state, attempts, last_error, next_attempt_at, updated_at)
  VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7, $8, $9, $10)
  ON CONFLICT (id) DO UPDATE SET workflow = excluded.workflow,
    fingerprint = excluded.fingerprint, spec = excluded.spec, status = excluded.status,
    state = excluded.state, attempts = excluded.attempts, last_error = excluded.last_error,
    next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at`;

export const DELETE_LIFECYCLE = 'DELETE FROM trigger_lifecycle WHERE id = $1';

export { INSERT_JOBS };
