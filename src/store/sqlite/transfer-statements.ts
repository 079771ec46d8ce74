/**
 * @module store/sqlite/transfer-statements
 * The statements of the transfer methods (types/transfer.ts), prepared on first use: they
 * run when an installation moves, never on the ingest path.
 *
 * @example
 *   const rows = prepareTransferStatements(db).exportAllJobs.all(0, 201);
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { InsertStepParams, JobRow } from '../job-rows.js';
import type { DedupeKeyRow, ImportJobParams, SeenItemRow } from '../transfer-rows.js';
import { EXPORT_JOB_COLUMNS } from '../transfer-rows.js';
import type { TriggerStateRow } from './trigger-statements.js';

type Statement<Params extends unknown[] | object, Row = unknown> = BetterSqlite3.Statement<
  Params,
  Row
>;

export interface TriggerStateParams {
  workflow: string;
  state: string | null;
  polled: number;
  sinceAt: number | null;
  lastTickAt: number | null;
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
}

type KeyPage = [nowMs: number, workflow: string, key: string, limit: number];

export interface TransferStatements {
  listMeta: Statement<[], { key: string; value: string }>;
  listTokens: Statement<[], { name: string; tokens: string }>;
  listTriggerStates: Statement<[], TriggerStateRow & { workflow: string }>;
  exportSeen: Statement<KeyPage, SeenItemRow>;
  exportDedupe: Statement<KeyPage, DedupeKeyRow>;
  exportAllJobs: Statement<[afterSeq: number, limit: number], JobRow>;
  exportUnfinishedJobs: Statement<[afterSeq: number, limit: number], JobRow>;
  putTriggerState: Statement<TriggerStateParams>;
  insertJob: Statement<ImportJobParams>;
  insertStep: Statement<InsertStepParams>;
}

const exportJobs = (where: string) =>
  `SELECT ${EXPORT_JOB_COLUMNS} FROM jobs WHERE seq > ? ${where} ORDER BY seq LIMIT ?`;

export function prepareTransferStatements(db: BetterSqlite3.Database): TransferStatements {
  return {
    listMeta: db.prepare('SELECT key, value FROM meta ORDER BY key'),
    listTokens: db.prepare('SELECT name, tokens FROM connection_tokens ORDER BY name'),
    listTriggerStates: db.prepare(
      `SELECT workflow, state, polled, since_at, last_tick_at, last_run_at, last_success_at,
         last_error FROM trigger_state ORDER BY workflow`,
    ),
    exportSeen: db.prepare(
      `SELECT workflow, item_id, version, expires_at FROM poll_seen
       WHERE expires_at > ? AND (workflow, item_id) > (?, ?)
       ORDER BY workflow, item_id LIMIT ?`,
    ),
    exportDedupe: db.prepare(
      `SELECT workflow, key, job_id, answer, expires_at FROM dedupe
       WHERE expires_at > ? AND (workflow, key) > (?, ?)
       ORDER BY workflow, key LIMIT ?`,
    ),
    exportAllJobs: db.prepare(exportJobs('')),
    exportUnfinishedJobs: db.prepare(exportJobs(`AND status IN ('queued', 'running')`)),
    putTriggerState: db.prepare(
      `INSERT OR REPLACE INTO trigger_state (workflow, state, polled, since_at, last_tick_at,
         last_run_at, last_success_at, last_error)
       VALUES (@workflow, @state, @polled, @sinceAt, @lastTickAt, @lastRunAt, @lastSuccessAt,
         @lastError)`,
    ),
    insertJob: db.prepare(
      `INSERT OR IGNORE INTO jobs (id, workflow, status, attempt, rerun_of, trigger, reply, error,
         created_at, started_at, finished_at)
       VALUES (@id, @workflow, @status, @attempt, @rerunOf, @trigger, @reply, @error,
         @createdAt, @startedAt, @finishedAt)`,
    ),
    insertStep: db.prepare(
      `INSERT OR IGNORE INTO steps (job_id, seq, id, type, status, input, output, error,
         attempts, started_at, duration_ms, waited_ms)
       VALUES (@jobId, @seq, @id, @type, @status, @input, @output, @error, @attempts,
         @startedAt, @durationMs, @waitedMs)`,
    ),
  };
}
