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

import { prepared } from './prepared.js';
import {
  concurrencyAllows,
  isDue,
  waitingColumns,
  waitingOnConcurrencySql,
} from '../concurrency-sql.js';

/** Epoch ms by the database's clock (clock_timestamp: the time now, not the transaction's start). */
export const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Where workers hear that jobs may be runnable (no payload: a wake-up, not a message). */
export const JOBS_CHANNEL = 'hookflow_jobs';

/**
 * The wake-up, sent on its own after a commit (pool.ts `wakeWorkers`), never inside a
 * committing transaction: a NOTIFY serialises commits (see pool.ts).
 */
export const WAKE_WORKERS = `SELECT pg_notify('${JOBS_CHANNEL}', '')`;

const SUMMARY_COLUMNS = 'seq, id, workflow, status, created_at, finished_at';
const STEP_COLUMNS =
  'seq, id, type, status, input, output, error, attempts, started_at, duration_ms, waited_ms';
const CLAIM_RETURNING =
  'RETURNING seq, id, workflow, attempt, trigger, reply, created_at, trace_context, concurrency_key, ' +
  'version, failure_of, debounce_count, debounce_last_at';

/**
 * $2 owner, $3 lease ms. A claim takes the debounce key off its job (later events of the key
 * start a new one).
 */
const CLAIM_SET = `status = 'running', attempt = attempt + 1, owner = $2,
  lease_until = ${NOW_MS} + $3, started_at = coalesce(started_at, ${NOW_MS}), debounce_key = NULL`;

/** The live keys a batch lost to: $1 workflows, $2 keys. */
export const FIND_DEDUPE = `
  SELECT d.workflow, d.key, d.job_id, d.answer
  FROM dedupe d JOIN unnest($1::text[], $2::text[]) AS k (workflow, key)
    ON d.workflow = k.workflow AND d.key = k.key`;

export const PURGE_DEDUPE = 'DELETE FROM dedupe WHERE expires_at <= $1';

/**
 * Jobs of a batch, unnested: $1 ids, $2 workflows, $3 triggers, $4 rerun_of, $5 created_at
 * (null: now), $6 trace contexts (JSON text or null), $7 concurrency keys, $8 their limits,
 * $9 versions, $10 failure_of.
 */
export const INSERT_JOBS = `
  INSERT INTO jobs (id, workflow, status, attempt, trigger, rerun_of, created_at, trace_context,
    concurrency_key, concurrency_limit, version, failure_of)
  SELECT id, workflow, 'queued', 0, trigger, rerun_of, coalesce(created_at, ${NOW_MS}), trace_context,
    concurrency_key, concurrency_limit, version, failure_of
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[],
    $7::text[], $8::integer[], $9::text[], $10::text[])
    AS j (id, workflow, trigger, rerun_of, created_at, trace_context, concurrency_key,
      concurrency_limit, version, failure_of)`;

/**
 * A whole ingest batch in ONE statement (one round trip; as a single statement it is its own
 * transaction, committed — with `synchronous_commit` on, flushed — before its result returns):
 * the ids already taken are left out, the candidates' dedupe keys are inserted (ON CONFLICT
 * waits for another process's uncommitted insert of the key, and replaces only an expired
 * row), and the jobs whose key won (or that have none) are inserted. Returns one row: how many
 * jobs were inserted (the caller wakes the workers), the taken ids, and the lost keys with the live
 * row this statement's snapshot sees (job_id null: it committed while this statement waited;
 * read it after).
 *
 * $1 ids, $2 workflows, $3 triggers, $4 rerun_of, $5 trace contexts, $6 concurrency keys, $7
 * their limits, $8 versions, $9 dedupe keys (null: none), $10 answers, $11 key expiries, $12
 * now (epoch ms), $13–$15 the search terms of the jobs (job id,
 * path, term; search/match-trigger.ts), inserted for the jobs that were.
 */
export const ACCEPT_BATCH = prepared(
  'hookflow_accept_batch',
  `
  WITH b AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
      $7::integer[], $8::text[], $9::text[], $10::text[], $11::bigint[])
      AS b (id, workflow, trigger, rerun_of, trace_context, concurrency_key, concurrency_limit,
        version, key, answer, expires_at)),
  taken AS (SELECT id FROM jobs WHERE id IN (SELECT id FROM b)),
  won AS (
    INSERT INTO dedupe (workflow, key, job_id, answer, expires_at)
    SELECT workflow, key, id, answer, expires_at FROM b
    WHERE key IS NOT NULL AND id NOT IN (SELECT id FROM taken)
    ON CONFLICT (workflow, key) DO UPDATE
      SET job_id = excluded.job_id, answer = excluded.answer, expires_at = excluded.expires_at
      WHERE dedupe.expires_at <= $12
    RETURNING job_id),
  inserted AS (
    INSERT INTO jobs (id, workflow, status, attempt, trigger, rerun_of, created_at, trace_context,
      concurrency_key, concurrency_limit, version)
    SELECT id, workflow, 'queued', 0, trigger, rerun_of, ${NOW_MS}, trace_context,
      concurrency_key, concurrency_limit, version
    FROM b
    WHERE id NOT IN (SELECT id FROM taken) AND (key IS NULL OR id IN (SELECT job_id FROM won))
    RETURNING id, seq, workflow),
  searched AS (
    INSERT INTO job_search (workflow, path, term, seq)
    SELECT i.workflow, t.path, t.term, i.seq
    FROM unnest($13::text[], $14::text[], $15::text[]) AS t (id, path, term)
      JOIN inserted i ON i.id = t.id
    ON CONFLICT DO NOTHING)
  SELECT
    (SELECT count(*) FROM inserted)::int AS inserted,
    (SELECT coalesce(array_agg(id), '{}') FROM taken) AS taken,
    (SELECT coalesce(json_agg(json_build_object('id', b.id, 'job_id', d.job_id, 'answer', d.answer)), '[]')
     FROM b LEFT JOIN dedupe d ON d.workflow = b.workflow AND d.key = b.key
     WHERE b.key IS NOT NULL AND b.id NOT IN (SELECT id FROM taken)
       AND b.id NOT IN (SELECT job_id FROM won)) AS lost`,
);

/** $1 id, $2 owner, $3 lease ms. */
export const CLAIM_JOB = `
  UPDATE jobs SET ${CLAIM_SET}
  WHERE id = $1 AND ((status = 'queued' AND ${isDue('jobs', NOW_MS)})
    OR (status = 'running' AND (owner = $2 OR coalesce(lease_until, 0) <= ${NOW_MS})))
    AND ${concurrencyAllows('jobs', NOW_MS)}
  ${CLAIM_RETURNING}`;

/**
 * $1 limit, $2 owner, $3 lease ms: the oldest queued jobs that are due. SKIP LOCKED: rows
 * another claimer has locked are passed over, not waited for, so concurrent claimers take
 * different jobs. `status = 'queued'` alone (no OR with running jobs) lets an index scan of
 * jobs_by_status (status, seq) walk the queue in order and stop at the limit; the claim
 * connections turn bitmap scans off (pool.ts), which would read every entry of the status
 * (live or not yet vacuumed) and sort them — per claim, O(the queue's history).
 */
export const CLAIM_QUEUED = prepared(
  'hookflow_claim_queued',
  `
  UPDATE jobs SET ${CLAIM_SET}
  WHERE seq IN (
    SELECT seq FROM jobs j
    WHERE status = 'queued' AND ${isDue('j', NOW_MS)} AND ${concurrencyAllows('j', NOW_MS)}
    ORDER BY seq LIMIT $1
    FOR UPDATE SKIP LOCKED)
  ${CLAIM_RETURNING}`,
);

/** $1 limit, $2 owner, $3 lease ms: running jobs whose owner's lease expired (a dead worker). */
export const CLAIM_EXPIRED = prepared(
  'hookflow_claim_expired',
  `
  UPDATE jobs SET ${CLAIM_SET}
  WHERE seq IN (
    SELECT seq FROM jobs j
    WHERE status = 'running' AND coalesce(lease_until, 0) <= ${NOW_MS}
    ORDER BY seq LIMIT $1
    FOR UPDATE SKIP LOCKED)
  ${CLAIM_RETURNING}`,
);

/** For writes whose loss in a database crash is harmless (claims): no wait for the WAL flush. */
export const ASYNC_COMMIT = 'SET LOCAL synchronous_commit = off';

/** $1 ids, $2 owner, $3 lease ms. Locks in id order, as JOB_WRITES does. */
export const RENEW_LEASES = prepared(
  'hookflow_renew_leases',
  `
  UPDATE jobs SET lease_until = ${NOW_MS} + $3
  WHERE id IN (
    SELECT id FROM jobs WHERE id = ANY($1::text[]) AND owner = $2 AND status = 'running'
    ORDER BY id FOR NO KEY UPDATE)
  RETURNING id`,
);

export const RELEASE_JOB = `
  UPDATE jobs SET status = 'queued', owner = NULL, lease_until = NULL
  WHERE id = $1 AND owner = $2 AND status = 'running'`;

/**
 * $1 status, $2 error, $3 id, $4 owner. The finish of a job with a concurrency key frees a
 * slot: its caller wakes the workers after the commit, so a job of its key held back on
 * another worker starts at once rather than at the next safety poll.
 */
export const FINISH_JOB = `
  UPDATE jobs SET status = $1, error = $2, finished_at = ${NOW_MS}, lease_until = NULL
  WHERE id = $3 AND owner = $4 AND status = 'running'
  RETURNING concurrency_key`;

/**
 * An error workflow's job, with the failed job's finish: $1 id, $2 workflow, $3 trigger,
 * $4 version, $5 the failed job. A failed job already reported (failure_of is unique) is skipped.
 * Returns the id when inserted: the caller wakes the workers after the commit.
 */
export const INSERT_FAILURE_JOB = `
  WITH job AS (
    INSERT INTO jobs (id, workflow, status, attempt, trigger, created_at, version, failure_of)
    VALUES ($1, $2, 'queued', 0, $3, ${NOW_MS}, $4, $5)
    ON CONFLICT (failure_of) WHERE failure_of IS NOT NULL DO NOTHING
    RETURNING id
  )
  SELECT id FROM job`;

/**
 * The writes of many running jobs in ONE statement (job-writes.ts): each job's steps, reply and
 * finish, all compare-and-sets on its owner. `held` locks the jobs still running under the
 * writer's owner, in id order (as RENEW_LEASES does: two statements locking the same jobs never
 * deadlock); the steps of a job not held are not stored, and the row lock keeps a claim by
 * another owner waiting until this commits. A reply is kept only when the job has none (the
 * first wins); a finish ends the job. Returns the ids held, i.e. whose writes were stored, and
 * a null row when a job with a concurrency key finished: a slot is free, the caller wakes the
 * workers after the commit (as for FINISH_JOB).
 *
 * $1 job ids, $2 owners, $3 replies, $4 finish statuses, $5 finish errors (one row per job;
 * null: no such write); $6 … $16 the steps (job id, seq, id, type, status, input, output,
 * error, attempts, started at, duration).
 */
export const JOB_WRITES = prepared(
  'hookflow_job_writes',
  `
  WITH w AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
      AS w (id, owner, reply, status, error)),
  held AS (
    SELECT j.id FROM jobs j JOIN w ON j.id = w.id AND j.owner = w.owner
    WHERE j.status = 'running' ORDER BY j.id FOR NO KEY UPDATE OF j),
  updated AS (
    UPDATE jobs j SET
      reply = coalesce(j.reply, w.reply),
      status = coalesce(w.status, j.status),
      error = CASE WHEN w.status IS NULL THEN j.error ELSE w.error END,
      finished_at = CASE WHEN w.status IS NULL THEN j.finished_at ELSE ${NOW_MS} END,
      lease_until = CASE WHEN w.status IS NULL THEN j.lease_until END
    FROM w
    WHERE j.id = w.id AND (w.reply IS NOT NULL OR w.status IS NOT NULL)
      AND j.id IN (SELECT id FROM held)
    RETURNING j.concurrency_key, w.status),
  woken AS (
    SELECT 1 FROM updated WHERE status IS NOT NULL AND concurrency_key IS NOT NULL LIMIT 1),
  stored AS (
    INSERT INTO steps (job_id, ${STEP_COLUMNS})
    SELECT * FROM unnest($6::text[], $7::int[], $8::text[], $9::text[], $10::text[], $11::text[],
      $12::text[], $13::text[], $14::int[], $15::bigint[], $16::bigint[], $17::bigint[])
      AS s (job_id, ${STEP_COLUMNS})
    WHERE s.job_id IN (SELECT id FROM held)
    ON CONFLICT (job_id, seq) DO UPDATE SET
      id = excluded.id, type = excluded.type, status = excluded.status, input = excluded.input,
      output = excluded.output, error = excluded.error, attempts = excluded.attempts,
      started_at = excluded.started_at, duration_ms = excluded.duration_ms,
      waited_ms = excluded.waited_ms)
  SELECT id FROM held UNION ALL SELECT NULL FROM woken`,
);

export const GET_JOB = `
  SELECT ${SUMMARY_COLUMNS}, ${waitingColumns(NOW_MS)}, attempt, rerun_of, trigger, reply, error, started_at, trace_context,
    version, failure_of, replay_id
  FROM jobs WHERE id = $1`;

export const STEPS_OF_JOB = `SELECT ${STEP_COLUMNS} FROM steps WHERE job_id = $1 ORDER BY seq`;

export const LAST_JOB_STATUS =
  'SELECT status FROM jobs WHERE workflow = $1 ORDER BY seq DESC LIMIT 1';

export const WAITING_ON_CONCURRENCY = waitingOnConcurrencySql(NOW_MS);

export const UNFINISHED_JOBS = `SELECT id FROM jobs WHERE status IN ('queued', 'running') ORDER BY seq`;

export const GET_META = 'SELECT value FROM meta WHERE key = $1';
export const SET_META = `
  INSERT INTO meta (key, value) VALUES ($1, $2)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value`;

/**
 * A listing query: $1 beforeSeq, $2 limit, then $3 workflow and/or status. One statement per
 * filter combination, so the planner walks the matching index newest first and stops at LIMIT.
 */
/** $1 workflow, $2 path. */
export const SEARCH_SINCE = 'SELECT since_seq FROM search_paths WHERE workflow = $1 AND path = $2';

/**
 * $1 workflow, $2 declared paths. The next value of the seq sequence: a job inserted by a
 * transaction still in flight took a smaller one, so it is scanned, never missed.
 */
export const DECLARE_SEARCH_PATHS = `
  WITH forgot AS (DELETE FROM search_paths WHERE workflow = $1 AND path <> ALL($2::text[]))
  INSERT INTO search_paths (workflow, path, since_seq)
  SELECT $1, path, nextval(pg_get_serial_sequence('jobs', 'seq')) FROM unnest($2::text[]) AS path
  ON CONFLICT (workflow, path) DO NOTHING`;

/** Where a search's scan window ends: $1 workflow, $2 before seq, $3 offset. */
export const NTH_SEQ =
  'SELECT seq FROM jobs WHERE workflow = $1 AND seq < $2 ORDER BY seq DESC LIMIT 1 OFFSET $3';

export function listJobsSql(byWorkflow: boolean, byStatus: boolean): string {
  const where = ['seq < $1'];
  if (byWorkflow) where.push(`workflow = $${where.length + 2}`);
  if (byStatus) where.push(`status = $${where.length + 2}`);
  return `SELECT ${SUMMARY_COLUMNS}, ${waitingColumns(NOW_MS)} FROM jobs
    WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $2`;
}
