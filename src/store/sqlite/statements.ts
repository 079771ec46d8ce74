/**
 * @module store/sqlite/statements
 * Every SQL statement of the SQLite store, prepared once when the store opens. One constant
 * per operation, named after it; the store composes them.
 *
 * @example
 *   const sql = prepareStatements(db);
 *   sql.insertJob.run({ id, workflow, trigger, rerunOf: null, createdAt: Date.now() });
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { JobStatus } from '../types.js';
import type { InsertStepParams } from '../job-rows.js';
import type {
  ClaimRow,
  DedupeRow,
  JobRow,
  JobSummaryRow,
  StepRow,
  TriggerLifecycleRow,
} from './rows.js';
import {
  concurrencyAllows,
  isDue,
  waitingColumns,
  waitingOnConcurrencySql,
} from '../concurrency-sql.js';
import type { ConcurrencyWaiting } from '../types.js';
import { prepareTriggerStatements } from './trigger-statements.js';
import type { TriggerStatements } from './trigger-statements.js';
import { prepareConnectionStatements } from './connection-statements.js';
import type { ConnectionStatements } from './connection-statements.js';

const SUMMARY_COLUMNS = 'seq, id, workflow, status, created_at, finished_at';
const STEP_COLUMNS =
  'seq, id, type, status, input, output, error, attempts, started_at, duration_ms, waited_ms';

export type { InsertStepParams };

export interface InsertJobParams {
  id: string;
  workflow: string;
  trigger: string;
  rerunOf: string | null;
  createdAt: number;
  /** JSON of the job's trace context (traceText), or null. */
  traceContext: string | null;
  concurrencyKey: string | null;
  concurrencyLimit: number | null;
  version: string | null;
  failureOf: string | null;
}

/** A debounced burst's first event: its job, queued until `runAfter`. */
export interface InsertDebouncedParams {
  id: string;
  workflow: string;
  trigger: string;
  createdAt: number;
  traceContext: string | null;
  concurrencyKey: string | null;
  concurrencyLimit: number | null;
  version: string | null;
  debounceKey: string;
  runAfter: number;
  deadline: number;
}

/** A later event of the burst: the pending job takes its trigger data and waits again. */
export interface UpdateDebouncedParams {
  id: string;
  trigger: string;
  nowMs: number;
  runAfter: number;
}

/** The pending job of a (workflow, debounce key). */
export interface DebouncingRow {
  id: string;
  seq: number;
  debounce_deadline: number;
}

export interface ClaimParams {
  id: string;
  owner: string;
  nowMs: number;
  leaseUntil: number;
}

export type ClaimNextParams = Omit<ClaimParams, 'id'> & { limit: number };

/** What a claim sets: running, one more attempt, the owner and its lease. */
const CLAIM_SET = `status = 'running', attempt = attempt + 1, owner = @owner,
  lease_until = @leaseUntil, started_at = coalesce(started_at, @nowMs), debounce_key = NULL`;
/**
 * A job a claim may take: queued and due, or running with an expired lease or the same
 * owner. A claim takes the debounce key off its job: later events of the key start a new one.
 */
const CLAIMABLE = `((status = 'queued' AND ${isDue('jobs', '@nowMs')}) OR (status = 'running'
  AND (owner IS @owner OR coalesce(lease_until, 0) <= @nowMs)))`;

const CLAIM_RETURNING =
  'seq, id, workflow, attempt, trigger, reply, created_at, trace_context, version, failure_of, ' +
  'debounce_count, debounce_last_at';

/** Parameters of a listing query; `beforeSeq` is Number.MAX_SAFE_INTEGER for the first page. */
export interface ListParams {
  workflow?: string;
  status?: JobStatus;
  beforeSeq: number;
  limit: number;
  nowMs: number;
}

type Statement<Params extends unknown[] | object, Row = unknown> = BetterSqlite3.Statement<
  Params,
  Row
>;

export interface Statements {
  findDedupe: Statement<[workflow: string, key: string, nowMs: number], DedupeRow>;
  upsertDedupe: Statement<
    [workflow: string, key: string, jobId: string, answer: string | null, expiresAt: number]
  >;
  purgeDedupe: Statement<[nowMs: number]>;
  insertJob: Statement<InsertJobParams>;
  insertFailureJob: Statement<InsertJobParams>;
  findDebouncing: Statement<[workflow: string, key: string], DebouncingRow>;
  insertDebounced: Statement<InsertDebouncedParams>;
  updateDebounced: Statement<UpdateDebouncedParams>;
  waitingOnConcurrency: Statement<{ nowMs: number }, ConcurrencyWaiting>;
  insertSearchTerm: Statement<[workflow: string, path: string, term: string, seq: number | bigint]>;
  claimJob: Statement<ClaimParams, ClaimRow>;
  markRunning: Statement<ClaimParams>;
  claimNext: Statement<ClaimNextParams, ClaimRow>;
  renewLeases: Statement<[leaseUntil: number, owner: string, idsJson: string], string>;
  releaseJob: Statement<[id: string, owner: string]>;
  expireLeases: Statement<[]>;
  finishJob: Statement<
    [status: JobStatus, error: string | null, nowMs: number, id: string, owner: string]
  >;
  saveReply: Statement<[reply: string, id: string, owner: string]>;
  holdsJob: Statement<[id: string, owner: string], number>;
  upsertStep: Statement<InsertStepParams>;
  getJob: Statement<{ id: string; nowMs: number }, JobRow>;
  stepsOfJob: Statement<[jobId: string], StepRow>;
  listJobs: Record<'all' | 'byWorkflow' | 'byStatus' | 'byWorkflowAndStatus', ListStatement>;
  lastJobStatus: Statement<[workflow: string], JobStatus>;
  nthSeq: Statement<[workflow: string, beforeSeq: number, offset: number], number>;
  searchSince: Statement<[workflow: string, path: string], number>;
  declareSearchPath: Statement<[workflow: string, path: string]>;
  forgetSearchPaths: Statement<[workflow: string, keepJson: string]>;
  unfinishedJobs: Statement<[], string>;
  getMeta: Statement<[key: string], string>;
  setMeta: Statement<[key: string, value: string]>;
  listTriggerLifecycles: Statement<[], TriggerLifecycleRow>;
  saveTriggerLifecycle: Statement<TriggerLifecycleRow>;
  deleteTriggerLifecycle: Statement<[id: string]>;
  /** Poll and schedule triggers (trigger-statements.ts). */
  triggers: TriggerStatements;
  connections: ConnectionStatements;
}

type ListStatement = Statement<ListParams, JobSummaryRow>;

export function prepareStatements(db: BetterSqlite3.Database): Statements {
  return {
    findDedupe: db.prepare<[string, string, number], DedupeRow>(
      'SELECT job_id, answer FROM dedupe WHERE workflow = ? AND key = ? AND expires_at > ?',
    ),
    // Replaces an expired row for the same key, which findDedupe no longer sees.
    upsertDedupe: db.prepare<[string, string, string, string | null, number]>(
      'INSERT OR REPLACE INTO dedupe (workflow, key, job_id, answer, expires_at) VALUES (?, ?, ?, ?, ?)',
    ),
    purgeDedupe: db.prepare<[number]>('DELETE FROM dedupe WHERE expires_at <= ?'),

    insertJob: db.prepare<InsertJobParams>(
      `INSERT INTO jobs (id, workflow, status, attempt, rerun_of, trigger, created_at, trace_context,
         concurrency_key, concurrency_limit, version, failure_of)
       VALUES (@id, @workflow, 'queued', 0, @rerunOf, @trigger, @createdAt, @traceContext,
               @concurrencyKey, @concurrencyLimit, @version, @failureOf)`,
    ),
    // An error workflow's job: a failed job already reported (failure_of is unique) is skipped.
    insertFailureJob: db.prepare<InsertJobParams>(
      `INSERT OR IGNORE INTO jobs (id, workflow, status, attempt, rerun_of, trigger, created_at,
         trace_context, concurrency_key, concurrency_limit, version, failure_of)
       VALUES (@id, @workflow, 'queued', 0, @rerunOf, @trigger, @createdAt, @traceContext,
               @concurrencyKey, @concurrencyLimit, @version, @failureOf)`,
    ),
    findDebouncing: db.prepare<[string, string], DebouncingRow>(
      `SELECT id, seq, debounce_deadline FROM jobs
       WHERE workflow = ? AND debounce_key = ? AND status = 'queued'`,
    ),
    insertDebounced: db.prepare<InsertDebouncedParams>(
      `INSERT INTO jobs (id, workflow, status, attempt, trigger, created_at, trace_context,
         concurrency_key, concurrency_limit, version, run_after, debounce_key, debounce_count,
         debounce_deadline, debounce_last_at)
       VALUES (@id, @workflow, 'queued', 0, @trigger, @createdAt, @traceContext,
         @concurrencyKey, @concurrencyLimit, @version, @runAfter, @debounceKey, 1, @deadline,
         @createdAt)`,
    ),
    updateDebounced: db.prepare<UpdateDebouncedParams>(
      `UPDATE jobs SET trigger = @trigger, debounce_count = debounce_count + 1,
         debounce_last_at = @nowMs, run_after = @runAfter
       WHERE id = @id AND status = 'queued'`,
    ),
    waitingOnConcurrency: db.prepare<{ nowMs: number }, ConcurrencyWaiting>(
      waitingOnConcurrencySql('@nowMs'),
    ),
    insertSearchTerm: db.prepare<[string, string, string, number | bigint]>(
      'INSERT OR IGNORE INTO job_search (workflow, path, term, seq) VALUES (?, ?, ?, ?)',
    ),
    claimJob: db.prepare<ClaimParams, ClaimRow>(
      `UPDATE jobs SET ${CLAIM_SET} WHERE id = @id AND ${CLAIMABLE}
         AND ${concurrencyAllows('jobs', '@nowMs')}
       RETURNING ${CLAIM_RETURNING}`,
    ),
    // claimJob for a job whose data the store still holds in memory: no row to return.
    markRunning: db.prepare<ClaimParams>(
      `UPDATE jobs SET ${CLAIM_SET} WHERE id = @id AND ${CLAIMABLE}
         AND ${concurrencyAllows('jobs', '@nowMs')}`,
    ),
    // The oldest queued jobs and the oldest running ones whose lease expired, each walked in
    // seq order on jobs_by_status and cut at the limit, rather than one OR over both.
    claimNext: db.prepare<ClaimNextParams, ClaimRow>(
      `UPDATE jobs SET ${CLAIM_SET}
       WHERE seq IN (
         SELECT seq FROM (
           SELECT seq FROM (SELECT seq FROM jobs j WHERE status = 'queued'
                              AND ${isDue('j', '@nowMs')} AND ${concurrencyAllows('j', '@nowMs')}
                              ORDER BY seq LIMIT @limit)
           UNION ALL
           SELECT seq FROM (SELECT seq FROM jobs WHERE status = 'running'
                              AND coalesce(lease_until, 0) <= @nowMs ORDER BY seq LIMIT @limit)
         ) ORDER BY seq LIMIT @limit)
       RETURNING ${CLAIM_RETURNING}`,
    ),
    renewLeases: db
      .prepare<[leaseUntil: number, owner: string, ids: string], string>(
        `UPDATE jobs SET lease_until = ?
         WHERE owner = ? AND status = 'running' AND id IN (SELECT value FROM json_each(?))
         RETURNING id`,
      )
      .pluck(),
    releaseJob: db.prepare<[string, string]>(
      `UPDATE jobs SET status = 'queued', owner = NULL, lease_until = NULL
       WHERE id = ? AND owner = ? AND status = 'running'`,
    ),
    // Left by a previous run of the one process this file serves: claimable at once.
    expireLeases: db.prepare<[]>(
      `UPDATE jobs SET lease_until = 0 WHERE status = 'running' AND lease_until > 0`,
    ),
    finishJob: db.prepare<[JobStatus, string | null, number, string, string]>(
      `UPDATE jobs SET status = ?, error = ?, finished_at = ?, lease_until = NULL
       WHERE id = ? AND owner = ? AND status = 'running'`,
    ),
    // The first reply wins: later ones leave it as it is. A change (same value) still tells
    // that the owner holds the job.
    saveReply: db.prepare<[string, string, string]>(
      `UPDATE jobs SET reply = coalesce(reply, ?) WHERE id = ? AND owner = ? AND status = 'running'`,
    ),
    holdsJob: db
      .prepare<[string, string], number>(
        `SELECT 1 FROM jobs WHERE id = ? AND owner = ? AND status = 'running'`,
      )
      .pluck(),
    upsertStep: db.prepare<InsertStepParams>(
      `INSERT OR REPLACE INTO steps (job_id, ${STEP_COLUMNS})
       VALUES (@jobId, @seq, @id, @type, @status, @input, @output, @error, @attempts,
               @startedAt, @durationMs, @waitedMs)`,
    ),

    getJob: db.prepare<{ id: string; nowMs: number }, JobRow>(
      `SELECT ${SUMMARY_COLUMNS}, ${waitingColumns('@nowMs')}, attempt, rerun_of, trigger, reply,
         error, started_at, trace_context, version, failure_of, replay_id
       FROM jobs WHERE id = @id`,
    ),
    stepsOfJob: db.prepare<[string], StepRow>(
      `SELECT ${STEP_COLUMNS} FROM steps WHERE job_id = ? ORDER BY seq`,
    ),
    listJobs: {
      all: db.prepare<ListParams, JobSummaryRow>(listSql(false, false)),
      byWorkflow: db.prepare<ListParams, JobSummaryRow>(listSql(true, false)),
      byStatus: db.prepare<ListParams, JobSummaryRow>(listSql(false, true)),
      byWorkflowAndStatus: db.prepare<ListParams, JobSummaryRow>(listSql(true, true)),
    },
    lastJobStatus: db
      .prepare<[string], JobStatus>(
        'SELECT status FROM jobs WHERE workflow = ? ORDER BY seq DESC LIMIT 1',
      )
      .pluck(),
    // Where a search's scan window ends: walks the (workflow, seq) index only.
    nthSeq: db
      .prepare<[string, number, number], number>(
        'SELECT seq FROM jobs WHERE workflow = ? AND seq < ? ORDER BY seq DESC LIMIT 1 OFFSET ?',
      )
      .pluck(),
    searchSince: db
      .prepare<[string, string], number>(
        'SELECT since_seq FROM search_paths WHERE workflow = ? AND path = ?',
      )
      .pluck(),
    // Run in the write batch: every job committed before has a smaller seq.
    declareSearchPath: db.prepare<[string, string]>(
      `INSERT OR IGNORE INTO search_paths (workflow, path, since_seq)
       SELECT ?, ?, coalesce(max(seq), 0) + 1 FROM jobs`,
    ),
    forgetSearchPaths: db.prepare<[string, string]>(
      `DELETE FROM search_paths WHERE workflow = ? AND path NOT IN (SELECT value FROM json_each(?))`,
    ),
    unfinishedJobs: db
      .prepare<[], string>(`SELECT id FROM jobs WHERE status IN ('queued', 'running') ORDER BY seq`)
      .pluck(),

    getMeta: db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck(),
    setMeta: db.prepare<[string, string]>(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),

    listTriggerLifecycles: db.prepare<[], TriggerLifecycleRow>(
      'SELECT * FROM trigger_lifecycle ORDER BY updated_at, id',
    ),
    saveTriggerLifecycle: db.prepare<TriggerLifecycleRow>(
      `INSERT OR REPLACE INTO trigger_lifecycle
         (id, workflow, fingerprint, spec, status, state, attempts, last_error, next_attempt_at, updated_at)
       VALUES (@id, @workflow, @fingerprint, @spec, @status, @state, @attempts, @last_error,
               @next_attempt_at, @updated_at)`,
    ),
    deleteTriggerLifecycle: db.prepare<[string]>('DELETE FROM trigger_lifecycle WHERE id = ?'),
    triggers: prepareTriggerStatements(db),
    connections: prepareConnectionStatements(db),
  };
}

/**
 * One listing statement per filter combination, rather than `(? IS NULL OR …)`, so that the
 * planner can walk the (workflow, seq) or (status, seq) index newest first and stop at LIMIT.
 */
function listSql(byWorkflow: boolean, byStatus: boolean): string {
  const where = ['seq < @beforeSeq'];
  if (byWorkflow) where.push('workflow = @workflow');
  if (byStatus) where.push('status = @status');
  return `SELECT ${SUMMARY_COLUMNS}, ${waitingColumns('@nowMs')} FROM jobs
    WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT @limit`;
}
