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
import { concurrencyAllows } from '../concurrency-sql.js';
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

export interface ClaimParams {
  id: string;
  owner: string;
  nowMs: number;
  leaseUntil: number;
}

export type ClaimNextParams = Omit<ClaimParams, 'id'> & { limit: number };

/** What a claim sets: running, one more attempt, the owner and its lease. */
const CLAIM_SET = `status = 'running', attempt = attempt + 1, owner = @owner,
  lease_until = @leaseUntil, started_at = coalesce(started_at, @nowMs)`;
/** A job a claim may take: queued, or running with an expired lease or the same owner. */
const CLAIMABLE = `(status = 'queued' OR (status = 'running'
  AND (owner IS @owner OR coalesce(lease_until, 0) <= @nowMs)))`;

const CLAIM_RETURNING =
  'seq, id, workflow, attempt, trigger, reply, created_at, trace_context, version, failure_of';

/** Parameters of a listing query; `beforeSeq` is Number.MAX_SAFE_INTEGER for the first page. */
export interface ListParams {
  workflow?: string;
  status?: JobStatus;
  beforeSeq: number;
  limit: number;
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
  getJob: Statement<[id: string], JobRow>;
  stepsOfJob: Statement<[jobId: string], StepRow>;
  listJobs: Record<'all' | 'byWorkflow' | 'byStatus' | 'byWorkflowAndStatus', ListStatement>;
  lastJobStatus: Statement<[workflow: string], JobStatus>;
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
    claimJob: db.prepare<ClaimParams, ClaimRow>(
      `UPDATE jobs SET ${CLAIM_SET} WHERE id = @id AND ${CLAIMABLE}
         AND ${concurrencyAllows('jobs')}
       RETURNING ${CLAIM_RETURNING}`,
    ),
    // claimJob for a job whose data the store still holds in memory: no row to return.
    markRunning: db.prepare<ClaimParams>(
      `UPDATE jobs SET ${CLAIM_SET} WHERE id = @id AND ${CLAIMABLE} AND ${concurrencyAllows('jobs')}`,
    ),
    // The oldest queued jobs and the oldest running ones whose lease expired, each walked in
    // seq order on jobs_by_status and cut at the limit, rather than one OR over both.
    claimNext: db.prepare<ClaimNextParams, ClaimRow>(
      `UPDATE jobs SET ${CLAIM_SET}
       WHERE seq IN (
         SELECT seq FROM (
           SELECT seq FROM (SELECT seq FROM jobs j WHERE status = 'queued'
                              AND ${concurrencyAllows('j')} ORDER BY seq LIMIT @limit)
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

    getJob: db.prepare<[string], JobRow>(
      `SELECT ${SUMMARY_COLUMNS}, attempt, rerun_of, trigger, reply, error, started_at,
         trace_context, version, failure_of
       FROM jobs WHERE id = ?`,
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
  return `SELECT ${SUMMARY_COLUMNS} FROM jobs WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT @limit`;
}
