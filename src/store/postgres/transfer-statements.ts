/**
 * @module store/postgres/transfer-statements
 * The SQL of the transfer methods (types/transfer.ts) on PostgreSQL: exports page by key,
 * imports insert many rows per statement (arrays, unnested) and replace or skip by primary
 * key.
 *
 * @example
 *   await client.query(IMPORT_JOBS, columnsOf(jobs));
 */
import { EXPORT_JOB_COLUMNS } from '../transfer-rows.js';

export const LIST_META = 'SELECT key, value FROM meta ORDER BY key';

export const LIST_TOKENS = 'SELECT name, tokens FROM connection_tokens ORDER BY name';

export const LIST_TRIGGER_STATES = `
  SELECT workflow, state, polled, since_at, last_tick_at, last_run_at, last_success_at, last_error
  FROM trigger_state ORDER BY workflow`;

/** $1 now, $2 workflow, $3 item id (exclusive), $4 limit. */
export const EXPORT_SEEN = `
  SELECT workflow, item_id, version, expires_at FROM poll_seen
  WHERE expires_at > $1 AND (workflow, item_id) > ($2, $3)
  ORDER BY workflow, item_id LIMIT $4`;

/** $1 now, $2 workflow, $3 key (exclusive), $4 limit. */
export const EXPORT_DEDUPE = `
  SELECT workflow, key, job_id, answer, expires_at FROM dedupe
  WHERE expires_at > $1 AND (workflow, key) > ($2, $3)
  ORDER BY workflow, key LIMIT $4`;

/** $1 after seq, $2 statuses, $3 limit. */
export const EXPORT_JOBS = `
  SELECT ${EXPORT_JOB_COLUMNS} FROM jobs
  WHERE seq > $1 AND status = ANY($2::text[]) ORDER BY seq LIMIT $3`;

/** $1 job ids. */
export const STEPS_OF_JOBS = `
  SELECT job_id, seq, id, type, status, input, output, error, attempts, started_at, duration_ms,
    waited_ms
  FROM steps WHERE job_id = ANY($1::text[]) ORDER BY job_id, seq`;

/** $1 … $8: one array per column. */
export const IMPORT_TRIGGER_STATES = `
  INSERT INTO trigger_state (workflow, state, polled, since_at, last_tick_at, last_run_at,
    last_success_at, last_error)
  SELECT workflow, state::jsonb, polled, since_at, last_tick_at, last_run_at, last_success_at,
    last_error
  FROM unnest($1::text[], $2::text[], $3::boolean[], $4::bigint[], $5::bigint[], $6::bigint[],
    $7::bigint[], $8::text[])
    AS s (workflow, state, polled, since_at, last_tick_at, last_run_at, last_success_at, last_error)
  ON CONFLICT (workflow) DO UPDATE SET state = excluded.state, polled = excluded.polled,
    since_at = excluded.since_at, last_tick_at = excluded.last_tick_at,
    last_run_at = excluded.last_run_at, last_success_at = excluded.last_success_at,
    last_error = excluded.last_error`;

/** $1 workflows, $2 item ids, $3 versions, $4 expiries. */
export const IMPORT_SEEN = `
  INSERT INTO poll_seen (workflow, item_id, version, expires_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
  ON CONFLICT (workflow, item_id)
  DO UPDATE SET version = excluded.version, expires_at = excluded.expires_at`;

/** $1 workflows, $2 keys, $3 job ids, $4 answers, $5 expiries. */
export const IMPORT_DEDUPE = `
  INSERT INTO dedupe (workflow, key, job_id, answer, expires_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
  ON CONFLICT (workflow, key) DO UPDATE
    SET job_id = excluded.job_id, answer = excluded.answer, expires_at = excluded.expires_at`;

/** $1 … $11: one array per column. Returns the ids inserted (the others were stored already). */
export const IMPORT_JOBS = `
  INSERT INTO jobs (id, workflow, status, attempt, rerun_of, trigger, reply, error, created_at,
    started_at, finished_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::text[], $6::text[],
    $7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint[])
  ON CONFLICT (id) DO NOTHING
  RETURNING id`;

/** $1 … $12: one array per column. */
export const IMPORT_STEPS = `
  INSERT INTO steps (job_id, seq, id, type, status, input, output, error, attempts, started_at,
    duration_ms, waited_ms)
  SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::text[], $8::text[], $9::integer[], $10::bigint[], $11::bigint[], $12::bigint[])
  ON CONFLICT (job_id, seq) DO NOTHING`;
