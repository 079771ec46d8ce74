/**
 * @module store/sqlite/sqlite-store
 * The embedded durable store: one SQLite file on better-sqlite3, in WAL mode with
 * `synchronous = FULL`. Every write goes through the group-commit batcher (write-batcher.ts:
 * the durability argument is there); reads run at once on the same connection, so they see
 * every write whose promise has resolved.
 *
 * @example
 *   const store = createSqliteStore({ file: '.hookflow/hookflow.db' });
 *   await store.init();
 *   const result = await store.acceptEvent({ id: newJobId(), workflow: 'orders', trigger });
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import type { HttpReply } from '../../workflow/types.js';
import { StoreError } from '../errors.js';
import { clampPageSize, decodeJobCursor, encodeJobCursor } from '../job-cursor.js';
import { newJobId } from '../job-id.js';
import type {
  AcceptResult,
  ClaimedJob,
  JobFilter,
  NewEvent,
  StepRecord,
  Store,
  TriggerData,
} from '../types.js';
import { migrate } from './migrations.js';
import { connectionMethods } from './sqlite-connections.js';
import { jsonOrNull, parseReply, toJobDetail, toJobSummary, toStepRecord } from './rows.js';
import type { InsertStepParams, Statements } from './statements.js';
import { prepareStatements } from './statements.js';
import type { WriteBatcher } from './write-batcher.js';
import { createWriteBatcher } from './write-batcher.js';

export interface SqliteStoreOptions {
  /** Path of the database file; its directory is created when missing. */
  file: string;
  /** How long a write waits for another process's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
}

interface Open {
  db: BetterSqlite3.Database;
  sql: Statements;
  batcher: WriteBatcher;
}

export function createSqliteStore(opts: SqliteStoreOptions): Store {
  let open: Open | null = null;
  let closed = false;

  function ready(operation: string): Open {
    if (open !== null) return open;
    throw closed
      ? new StoreError('store_closed', `${operation} after the store was closed`)
      : new StoreError('store_not_ready', `${operation} before init(); await store.init() first`);
  }

  /** Queues a write for the next group commit. Called from async methods: throws reject. */
  function write<T>(operation: string, op: (sql: Statements) => T): Promise<T> {
    const { sql, batcher } = ready(operation);
    return batcher.write(operation, () => op(sql));
  }

  return {
    async init() {
      if (open !== null) return;
      if (closed) throw new StoreError('store_closed', 'init() after the store was closed');
      open = openDatabase(opts);
    },

    async close() {
      if (open === null) {
        closed = true;
        return;
      }
      const { db, batcher } = open;
      open = null;
      closed = true;
      batcher.close();
      db.close();
    },

    async acceptEvent(event: NewEvent): Promise<AcceptResult> {
      const trigger = JSON.stringify(event.trigger);
      const answer = jsonOrNull(event.answer);
      return write('acceptEvent', (sql): AcceptResult => {
        const now = Date.now();
        const { dedupe } = event;
        if (dedupe !== undefined) {
          const seen = sql.findDedupe.get(event.workflow, dedupe.key, now);
          if (seen !== undefined) {
            return { kind: 'duplicate', jobId: seen.job_id, answer: parseReply(seen.answer) };
          }
        }
        sql.insertJob.run({
          id: event.id,
          workflow: event.workflow,
          trigger,
          rerunOf: null,
          createdAt: now,
        });
        if (dedupe !== undefined) {
          sql.upsertDedupe.run(event.workflow, dedupe.key, event.id, answer, dedupe.expiresAt);
        }
        return { kind: 'accepted', jobId: event.id };
      });
    },

    async createJob(workflow: string, trigger: TriggerData, jobOpts: { rerunOf?: string }) {
      const id = newJobId();
      const triggerJson = JSON.stringify(trigger);
      return write('createJob', (sql) => {
        sql.insertJob.run({
          id,
          workflow,
          trigger: triggerJson,
          rerunOf: jobOpts.rerunOf ?? null,
          createdAt: Date.now(),
        });
        return id;
      });
    },

    async claimJob(id: string): Promise<ClaimedJob | null> {
      return write('claimJob', (sql) => {
        const row = sql.claimJob.get(Date.now(), id);
        if (row === undefined) return null;
        return {
          id,
          workflow: row.workflow,
          attempt: row.attempt,
          trigger: JSON.parse(row.trigger) as TriggerData,
          steps: sql.stepsOfJob.all(id).map(toStepRecord),
          reply: parseReply(row.reply),
        };
      });
    },

    async saveStep(jobId: string, step: StepRecord) {
      const params = stepParams(jobId, step);
      return write('saveStep', (sql) => {
        sql.upsertStep.run(params);
      });
    },

    async saveReply(jobId: string, reply: HttpReply) {
      const replyJson = JSON.stringify(reply);
      return write('saveReply', (sql) => {
        sql.saveReply.run(replyJson, jobId);
      });
    },

    async finishJob(jobId: string, status: 'succeeded' | 'failed', error: string | null) {
      return write(
        'finishJob',
        (sql) => sql.finishJob.run(status, error, Date.now(), jobId).changes > 0,
      );
    },

    async unfinishedJobs() {
      return ready('unfinishedJobs').sql.unfinishedJobs.all();
    },

    async getJob(id: string) {
      const { sql } = ready('getJob');
      const row = sql.getJob.get(id);
      return row === undefined ? null : toJobDetail(row, sql.stepsOfJob.all(id));
    },

    async listJobs(filter: JobFilter) {
      const { sql } = ready('listJobs');
      const limit = clampPageSize(filter.limit);
      const beforeSeq =
        filter.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeJobCursor(filter.cursor);
      const { workflow, status } = filter;
      // One row more than asked tells whether another page exists.
      const params = { beforeSeq, limit: limit + 1 };
      const rows =
        workflow !== undefined && status !== undefined
          ? sql.listJobs.byWorkflowAndStatus.all({ ...params, workflow, status })
          : workflow !== undefined
            ? sql.listJobs.byWorkflow.all({ ...params, workflow })
            : status !== undefined
              ? sql.listJobs.byStatus.all({ ...params, status })
              : sql.listJobs.all.all(params);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const nextCursor =
        rows.length > limit && last !== undefined ? encodeJobCursor(last.seq) : null;
      return { jobs: page.map(toJobSummary), nextCursor };
    },

    async lastJobStatus(workflow: string) {
      return ready('lastJobStatus').sql.lastJobStatus.get(workflow) ?? null;
    },

    async getMeta(key: string) {
      return ready('getMeta').sql.getMeta.get(key) ?? null;
    },

    async setMeta(key: string, value: string) {
      return write('setMeta', (sql) => {
        sql.setMeta.run(key, value);
      });
    },

    async purgeDedupe(nowMs: number) {
      return write('purgeDedupe', (sql) => sql.purgeDedupe.run(nowMs).changes);
    },

    ...connectionMethods(write, (operation) => ready(operation).sql),
  };
}

function openDatabase(opts: SqliteStoreOptions): Open {
  fs.mkdirSync(path.dirname(path.resolve(opts.file)), { recursive: true });
  const busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new StoreError(
      'store_invalid_value',
      `SqliteStoreOptions.busyTimeoutMs must be a whole number of milliseconds >= 0, got ${busyTimeoutMs}`,
    );
  }
  const db = new Database(opts.file);
  try {
    // WAL lets readers run beside the writer; FULL fsyncs the WAL on every commit, which is
    // what makes a resolved write survive a power loss, not only a process crash.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('foreign_keys = ON');
    // A batch in which a write failed reruns with a SAVEPOINT per write; each copies the pages
    // it touches to a sub-journal, cheap in memory but costly in a temp file.
    db.pragma('temp_store = MEMORY');
    migrate(db);
    return { db, sql: prepareStatements(db), batcher: createWriteBatcher(db) };
  } catch (error) {
    db.close();
    throw error;
  }
}

function stepParams(jobId: string, step: StepRecord): InsertStepParams {
  const startedAt = Date.parse(step.startedAt);
  if (Number.isNaN(startedAt)) {
    throw new StoreError(
      'store_invalid_value',
      `step '${step.id}' of job ${jobId} has startedAt '${step.startedAt}', which is not an ISO timestamp; pass new Date().toISOString()`,
    );
  }
  return {
    jobId,
    seq: step.seq,
    id: step.id,
    type: step.type,
    status: step.status,
    input: jsonOrNull(step.input),
    output: jsonOrNull(step.output),
    error: step.error,
    attempts: step.attempts,
    startedAt,
    durationMs: Math.round(step.durationMs),
  };
}
