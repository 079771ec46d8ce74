/**
 * @module store/postgres/statements
 * The SQL of jobs, steps, dedupe keys and settings on PostgreSQL, one constant per operation,
 * named after it; the store composes them. Parameters are positional ($1…), arrays are sent
 * as PostgreSQL arrays and unnested for multi-row writes.
 *
 * Leases and job times use the database's clock (NOW_MS), not each process's: the processes
 * sharing a database may disagree about the time, the database agrees with itself.
 *
 * @example
 *   await db.query('claimJob', CLAIM_JOB, [id, owner, leaseMs]);
 */

/** Epoch ms by the database's clock (clock_timestamp: the time now, not the transaction's start). */
export const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Where workers hear of new jobs; the payload is job ids, comma-separated (never bodies). */
export const JOBS_CHANNEL = 'hookflow_jobs';

const SUMMARY_COLUMNS = 'seq, id, workflow, status, created_at, finished_at';
const STEP_COLUMNS =
  'seq, id, type, status, input, output, error, attempts, started_at, duration_ms';
const CLAIM_RETURNING =
  'RETURNING seq, id, workflow, attempt, trigger, reply, created_at, trace_context';

/** $2 owner, $3 lease ms. */
const CLAIM_SET = `status = 'running', attempt = attempt + 1, owner = $2,
  lease_until = ${NOW_MS} + $3, started_at = coalesce(started_at, ${NOW_MS})`;

/** Dedupe keys of a batch, unnested: $1 workflows, $2 keys, $3 job ids, $4 answers, $5 expiries, $6 now. */
export const INSERT_DEDUPE = `
  INSERT INTO dedupe (workflow, key, job_id, answer, expires_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
  ON CONFLICT (workflow, key) DO UPDATE
    SET job_id = excluded.job_id, answer = excluded.answer, expires_at = excluded.expires_at
    WHERE dedupe.expires_at <= $6
  RETURNING job_id`;

/** The live keys a batch lost to: $1 workflows, $2 keys. */
export const FIND_DEDUPE = `
  SELECT d.workflow, d.key, d.job_id, d.answer
  FROM dedupe d JOIN unnest($1::text[], $2::text[]) AS k (workflow, key)
    ON d.workflow = k.workflow AND d.key = k.key`;

export const PURGE_DEDUPE = 'DELETE FROM dedupe WHERE expires_at <= $1';

/**
 * Jobs of a batch, unnested: $1 ids, $2 workflows, $3 triggers, $4 rerun_of, $5 created_at
 * (null: now), $6 trace contexts (JSON text or null).
 */
export const INSERT_JOBS = `
  INSERT INTO jobs (id, workflow, status, attempt, trigger, rerun_of, created_at, trace_context)
  SELECT id, workflow, 'queued', 0, trigger, rerun_of, coalesce(created_at, ${NOW_MS}), trace_context
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])
    AS j (id, workflow, trigger, rerun_of, created_at, trace_context)`;

/**
 * A whole ingest batch in ONE statement (one round trip; as a single statement it is its own
 * transaction, committed — with `synchronous_commit` on, flushed — before its result returns):
 * the ids already taken are left out, the candidates' dedupe keys are inserted (ON CONFLICT
 * waits for another process's uncommitted insert of the key, and replaces only an expired
 * row), the jobs whose key won (or that have none) are inserted, and the workers are notified
 * at commit when any job was. Returns one row: the taken ids, and the lost keys with the live
 * row this statement's snapshot sees (job_id null: it committed while this statement waited;
 * read it after).
 *
 * $1 ids, $2 workflows, $3 triggers, $4 rerun_of, $5 trace contexts, $6 dedupe keys (null:
 * none), $7 answers, $8 key expiries, $9 now (epoch ms), $10 notification payloads.
 */
export const ACCEPT_BATCH = `
  WITH b AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
      $7::text[], $8::bigint[])
      AS b (id, workflow, trigger, rerun_of, trace_context, key, answer, expires_at)),
  taken AS (SELECT id FROM jobs WHERE id IN (SELECT id FROM b)),
  won AS (
    INSERT INTO dedupe (workflow, key, job_id, answer, expires_at)
    SELECT workflow, key, id, answer, expires_at FROM b
    WHERE key IS NOT NULL AND id NOT IN (SELECT id FROM taken)
    ON CONFLICT (workflow, key) DO UPDATE
      SET job_id = excluded.job_id, answer = excluded.answer, expires_at = excluded.expires_at
      WHERE dedupe.expires_at <= $9
    RETURNING job_id),
  inserted AS (
    INSERT INTO jobs (id, workflow, status, attempt, trigger, rerun_of, created_at, trace_context)
    SELECT id, workflow, 'queued', 0, trigger, rerun_of, ${NOW_MS}, trace_context FROM b
    WHERE id NOT IN (SELECT id FROM taken) AND (key IS NULL OR id IN (SELECT job_id FROM won))
    RETURNING id),
  notified AS (
    SELECT pg_notify('${JOBS_CHANNEL}', p) FROM unnest($10::text[]) AS p
    WHERE EXISTS (SELECT 1 FROM inserted))
  SELECT
    (SELECT count(*) FROM notified) AS notifications,
    (SELECT coalesce(array_agg(id), '{}') FROM taken) AS taken,
    (SELECT coalesce(json_agg(json_build_object('id', b.id, 'job_id', d.job_id, 'answer', d.answer)), '[]')
     FROM b LEFT JOIN dedupe d ON d.workflow = b.workflow AND d.key = b.key
     WHERE b.key IS NOT NULL AND b.id NOT IN (SELECT id FROM taken)
       AND b.id NOT IN (SELECT job_id FROM won)) AS lost`;

export const TAKEN_IDS = 'SELECT id FROM jobs WHERE id = ANY($1::text[])';

/** One notification per element of $1 (comma-separated ids, each under 8000 bytes). */
export const NOTIFY_JOBS = `SELECT pg_notify('${JOBS_CHANNEL}', p) FROM unnest($1::text[]) AS p`;

/** $1 id, $2 owner, $3 lease ms. */
export const CLAIM_JOB = `
  UPDATE jobs SET ${CLAIM_SET}
  WHERE id = $1 AND (status = 'queued'
    OR (status = 'running' AND (owner = $2 OR coalesce(lease_until, 0) <= ${NOW_MS})))
  ${CLAIM_RETURNING}`;

/**
 * $1 limit, $2 owner, $3 lease ms. SKIP LOCKED: rows another claimer has locked are passed
 * over, not waited for, so concurrent claimers take different jobs.
 */
export const CLAIM_NEXT = `
  UPDATE jobs SET ${CLAIM_SET}
  WHERE seq IN (
    SELECT seq FROM jobs
    WHERE status IN ('queued', 'running')
      AND (status = 'queued' OR coalesce(lease_until, 0) <= ${NOW_MS})
    ORDER BY seq LIMIT $1
    FOR UPDATE SKIP LOCKED)
  ${CLAIM_RETURNING}`;

/** For writes whose loss in a database crash is harmless (claims): no wait for the WAL flush. */
export const ASYNC_COMMIT = 'SET LOCAL synchronous_commit = off';

/** $1 ids, $2 owner, $3 lease ms. */
export const RENEW_LEASES = `
  UPDATE jobs SET lease_until = ${NOW_MS} + $3
  WHERE id = ANY($1::text[]) AND owner = $2 AND status = 'running'
  RETURNING id`;

export const RELEASE_JOB = `
  UPDATE jobs SET status = 'queued', owner = NULL, lease_until = NULL
  WHERE id = $1 AND owner = $2 AND status = 'running'`;

/** $1 status, $2 error, $3 id, $4 owner. */
export const FINISH_JOB = `
  UPDATE jobs SET status = $1, error = $2, finished_at = ${NOW_MS}, lease_until = NULL
  WHERE id = $3 AND owner = $4 AND status = 'running'`;

/** The first reply wins; a row still matches (and says the owner holds the job) when one exists. */
export const SAVE_REPLY = `
  UPDATE jobs SET reply = coalesce(reply, $1)
  WHERE id = $2 AND owner = $3 AND status = 'running'`;

/**
 * $1 job id … $11 duration, $12 owner. FOR SHARE holds the job row until this commits: a
 * claim by another owner waits, and a claim committed first makes the row fail the check.
 */
export const UPSERT_STEP = `
  INSERT INTO steps (job_id, ${STEP_COLUMNS})
  SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
  WHERE EXISTS (SELECT 1 FROM jobs WHERE id = $1 AND owner = $12 AND status = 'running' FOR SHARE)
  ON CONFLICT (job_id, seq) DO UPDATE SET
    id = excluded.id, type = excluded.type, status = excluded.status, input = excluded.input,
    output = excluded.output, error = excluded.error, attempts = excluded.attempts,
    started_at = excluded.started_at, duration_ms = excluded.duration_ms`;

export const GET_JOB = `
  SELECT ${SUMMARY_COLUMNS}, attempt, rerun_of, trigger, reply, error, started_at, trace_context
  FROM jobs WHERE id = $1`;

export const STEPS_OF_JOB = `SELECT ${STEP_COLUMNS} FROM steps WHERE job_id = $1 ORDER BY seq`;

export const LAST_JOB_STATUS =
  'SELECT status FROM jobs WHERE workflow = $1 ORDER BY seq DESC LIMIT 1';

export const UNFINISHED_JOBS = `SELECT id FROM jobs WHERE status IN ('queued', 'running') ORDER BY seq`;

export const GET_META = 'SELECT value FROM meta WHERE key = $1';
export const SET_META = `
  INSERT INTO meta (key, value) VALUES ($1, $2)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value`;

/**
 * A listing query: $1 beforeSeq, $2 limit, then $3 workflow and/or status. One statement per
 * filter combination, so the planner walks the matching index newest first and stops at LIMIT.
 */
export function listJobsSql(byWorkflow: boolean, byStatus: boolean): string {
  const where = ['seq < $1'];
  if (byWorkflow) where.push(`workflow = $${where.length + 2}`);
  if (byStatus) where.push(`status = $${where.length + 2}`);
  return `SELECT ${SUMMARY_COLUMNS} FROM jobs WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $2`;
}
