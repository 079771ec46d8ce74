/**
 * @module store/sqlite/sqlite-store
 * The embedded durable store: one SQLite file on better-sqlite3, in WAL mode with
 * `synchronous = NORMAL` and the WAL fsynced by the group-commit batcher, off the event loop,
 * before any write resolves. Every write goes through the batcher (write-batcher.ts: the
 * durability argument is there); reads run at once on the same connection, so they see
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
import { clampPageSize, decodeJobCursor } from '../job-cursor.js';
import { searchJobs, searchSql } from '../job-search.js';
import type { SearchDialect, SearchRow } from '../job-search.js';
import type { SearchTerm } from '../../search/index.js';
import { newJobId } from '../job-id.js';
import { checkClaim, checkLease } from '../lease.js';
import type {
  AcceptResult,
  Claim,
  ClaimedJob,
  FailureJob,
  FailureTriggerData,
  JobDebounce,
  JobFilter,
  JobTrace,
  NewEvent,
  NewJobOptions,
  StepRecord,
  Store,
  TimedTriggerData,
  TriggerData,
} from '../types.js';
import { migrate } from './migrations.js';
import {
  iso,
  jsonOrNull,
  parseReply,
  jobPage,
  stepParams,
  toClaimedJob,
  toJobDetail,
  traceText,
} from './rows.js';
import { createConnectionMethods } from './connection-store.js';
import { createLockMethods } from './lock-store.js';
import { createRateMethods } from './rate-store.js';
import { createThrottleMethods } from './throttle-store.js';
import type { ClaimParams, Statements } from './statements.js';
import { prepareStatements } from './statements.js';
import type { WriteBatcher, WriteOptions } from './write-batcher.js';
import { createWriteBatcher } from './write-batcher.js';
import { createTransferMethods } from './transfer-store.js';
import { createTriggerMethods } from './trigger-store.js';
import { createWorkflowMethods } from './workflow-store.js';
import { createVersionMethods } from './version-store.js';
import { createReplayMethods } from './replay-store.js';

export interface SqliteStoreOptions {
  /** Path of the database file; its directory is created when missing. */
  file: string;
  /** How long a write waits for another process's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
  /**
   * false: this handle never claims the jobs it commits (an ingress beside a worker thread),
   * so it keeps none in memory for their claim. Default true.
   */
  claimsOwnJobs?: boolean;
}

interface Open {
  db: BetterSqlite3.Database;
  sql: Statements;
  batcher: WriteBatcher;
}

/** A job this store committed, as its first claim hands it to the engine. */
interface FreshJob {
  workflow: string;
  trigger: TriggerData | TimedTriggerData | FailureTriggerData;
  createdAt: number;
  trace: JobTrace | null;
  version: string | null;
  failureOf: string | null;
}

/** How many just-created jobs the store keeps in memory for their claim. */
const FRESH_JOBS_MAX = 1024;

export function createSqliteStore(opts: SqliteStoreOptions): Store {
  let open: Open | null = null;
  let closed = false;
  // Jobs this store committed and nobody has claimed yet: their claim needs no read and no
  // JSON.parse of the trigger, only an UPDATE queued with the job's next writes. Bounded:
  // past FRESH_JOBS_MAX queued jobs, the rest are claimed from the database as usual.
  const fresh = new Map<string, FreshJob>();
  const freshMax = opts.claimsOwnJobs === false ? 0 : FRESH_JOBS_MAX;
  const remember = (id: string, job: FreshJob): void => {
    if (fresh.size < freshMax) fresh.set(id, job);
  };

  function ready(operation: string): Open {
    if (open !== null) return open;
    throw closed
      ? new StoreError('store_closed', `${operation} after the store was closed`)
      : new StoreError('store_not_ready', `${operation} before init(); await store.init() first`);
  }

  /** Queues a write for the next group commit. Called from async methods: throws reject. */
  function write<T>(
    operation: string,
    op: (sql: Statements) => T,
    writeOpts?: WriteOptions,
  ): Promise<T> {
    const { sql, batcher } = ready(operation);
    return batcher.write(operation, () => op(sql), writeOpts);
  }

  return {
    ...createTriggerMethods(write, (operation) => ready(operation).sql),
    ...createWorkflowMethods(write, (operation) => ready(operation)),
    ...createTransferMethods(write, (operation) => ready(operation)),

    async init() {
      if (open !== null) return;
      if (closed) throw new StoreError('store_closed', 'init() after the store was closed');
      open = openDatabase(opts);
    },

    // The file is local: open is reachable.
    async ping() {
      ready('ping');
    },

    async close() {
      if (open === null) {
        closed = true;
        return;
      }
      const { db, batcher } = open;
      open = null;
      closed = true;
      await batcher.close();
      db.close();
    },

    async acceptEvent(event: NewEvent): Promise<AcceptResult> {
      const trigger = JSON.stringify(event.trigger);
      const answer = jsonOrNull(event.answer);
      let createdAt = 0;
      const result = await write('acceptEvent', (sql): AcceptResult => {
        const now = Date.now();
        createdAt = now;
        const { dedupe } = event;
        if (dedupe !== undefined) {
          const seen = sql.findDedupe.get(event.workflow, dedupe.key, now);
          if (seen !== undefined) {
            return { kind: 'duplicate', jobId: seen.job_id, answer: parseReply(seen.answer) };
          }
        }
        let jobId = event.id;
        if (event.debounce) {
          const joined = debounceEvent(sql, event, trigger, now);
          jobId = joined.id;
          // Every event of a burst is found by its values: the job carries the last one's.
          insertSearchTerms(sql, event.workflow, event.search, joined.seq);
        } else {
          const { lastInsertRowid } = sql.insertJob.run({
            id: event.id,
            workflow: event.workflow,
            trigger,
            rerunOf: null,
            createdAt: now,
            traceContext: traceText(event.trace),
            concurrencyKey: event.concurrency?.key ?? null,
            concurrencyLimit: event.concurrency?.limit ?? null,
            version: event.version ?? null,
            failureOf: null,
          });
          insertSearchTerms(sql, event.workflow, event.search, lastInsertRowid);
        }
        if (dedupe !== undefined) {
          sql.upsertDedupe.run(event.workflow, dedupe.key, jobId, answer, dedupe.expiresAt);
        }
        return { kind: 'accepted', jobId };
      });
      // A debounced job changes until it starts: its claim reads it from the database.
      if (result.kind === 'accepted' && !event.debounce) {
        const trace = event.trace ?? null;
        remember(event.id, {
          workflow: event.workflow,
          trigger: event.trigger,
          createdAt,
          trace,
          version: event.version ?? null,
          failureOf: null,
        });
      }
      return result;
    },

    async createJob(
      workflow: string,
      trigger: TriggerData | TimedTriggerData | FailureTriggerData,
      jobOpts: NewJobOptions,
    ) {
      const id = newJobId();
      const triggerJson = JSON.stringify(trigger);
      const createdAt = Date.now();
      const version = jobOpts.version ?? null;
      await write('createJob', (sql) => {
        const { lastInsertRowid } = sql.insertJob.run({
          id,
          workflow,
          trigger: triggerJson,
          rerunOf: jobOpts.rerunOf ?? null,
          createdAt,
          traceContext: traceText(jobOpts.trace),
          concurrencyKey: jobOpts.concurrency?.key ?? null,
          concurrencyLimit: jobOpts.concurrency?.limit ?? null,
          version,
          failureOf: null,
        });
        insertSearchTerms(sql, workflow, jobOpts.search, lastInsertRowid);
      });
      remember(id, {
        workflow,
        trigger,
        createdAt,
        trace: jobOpts.trace ?? null,
        version,
        failureOf: null,
      });
      return id;
    },

    async claimJob(id: string, claim: Claim): Promise<ClaimedJob | null> {
      const { owner, leaseMs } = checkClaim('claimJob', claim);
      const known = fresh.get(id);
      if (known !== undefined) {
        fresh.delete(id);
        // Committed, never claimed: queued, attempt 0, no steps. A claim need not be durable:
        // lost in a crash, it leaves the job queued, and start-up resumes it.
        const claimed = await write(
          'claimJob',
          (sql) => sql.markRunning.run(claimParams(id, owner, leaseMs)).changes > 0,
          { durable: false },
        );
        if (!claimed) return null;
        return {
          id,
          workflow: known.workflow,
          attempt: 1,
          version: known.version,
          failureOf: known.failureOf,
          trigger: known.trigger,
          steps: [],
          reply: null,
          createdAt: iso(known.createdAt),
          trace: known.trace,
        };
      }
      return write(
        'claimJob',
        (sql) => {
          const row = sql.claimJob.get(claimParams(id, owner, leaseMs));
          return row === undefined ? null : toClaimedJob(row, sql.stepsOfJob.all(id));
        },
        { durable: false },
      );
    },

    async claimNextJobs(claim: Claim, limit: number): Promise<ClaimedJob[]> {
      const { owner, leaseMs } = checkClaim('claimNextJobs', claim);
      if (!(limit >= 1)) return [];
      const params = { ...claimParams('', owner, leaseMs), limit: Math.trunc(limit) };
      const jobs = await write(
        'claimNextJobs',
        (sql) =>
          sql.claimNext
            .all(params)
            .sort((a, b) => a.seq - b.seq)
            .map((row) => toClaimedJob(row, sql.stepsOfJob.all(row.id))),
        { durable: false },
      );
      for (const job of jobs) fresh.delete(job.id);
      return jobs;
    },

    async renewLeases(owner: string, ids: string[], leaseMs: number) {
      checkLease('renewLeases', leaseMs);
      if (ids.length === 0) return [];
      const idsJson = JSON.stringify(ids);
      return write(
        'renewLeases',
        (sql) => sql.renewLeases.all(Date.now() + leaseMs, owner, idsJson),
        { durable: false },
      );
    },

    async releaseJob(id: string, owner: string) {
      return write('releaseJob', (sql) => sql.releaseJob.run(id, owner).changes > 0);
    },

    async saveStep(jobId: string, step: StepRecord, owner: string) {
      const params = stepParams(jobId, step);
      return write('saveStep', (sql) => {
        if (sql.holdsJob.get(jobId, owner) === undefined) return false;
        sql.upsertStep.run(params);
        return true;
      });
    },

    async saveReply(jobId: string, reply: HttpReply, owner: string) {
      const replyJson = JSON.stringify(reply);
      return write('saveReply', (sql) => sql.saveReply.run(replyJson, jobId, owner).changes > 0);
    },

    async finishJob(
      jobId: string,
      owner: string,
      status: 'succeeded' | 'failed',
      error: string | null,
      onFailure?: FailureJob,
    ) {
      const failureTrigger = onFailure && JSON.stringify(onFailure.trigger);
      const finished = await write('finishJob', (sql) => {
        const now = Date.now();
        if (sql.finishJob.run(status, error, now, jobId, owner).changes === 0) return false;
        if (onFailure) {
          // The unique index on failure_of makes a second report of the same job a no-op.
          sql.insertFailureJob.run({
            id: onFailure.id,
            workflow: onFailure.workflow,
            trigger: failureTrigger as string,
            rerunOf: null,
            createdAt: now,
            traceContext: null,
            concurrencyKey: null,
            concurrencyLimit: null,
            version: onFailure.version,
            failureOf: jobId,
          });
        }
        return now;
      });
      if (finished !== false && onFailure) {
        remember(onFailure.id, {
          workflow: onFailure.workflow,
          trigger: onFailure.trigger,
          createdAt: finished,
          trace: null,
          version: onFailure.version,
          failureOf: jobId,
        });
      }
      return finished !== false;
    },

    async unfinishedJobs() {
      return ready('unfinishedJobs').sql.unfinishedJobs.all();
    },

    async getJob(id: string) {
      const { sql } = ready('getJob');
      const row = sql.getJob.get({ id, nowMs: Date.now() });
      return row === undefined ? null : toJobDetail(row, sql.stepsOfJob.all(id));
    },

    async listJobs(filter: JobFilter) {
      if (filter.match !== undefined && filter.match.length > 0) {
        return searchJobs(filter, {
          chunk: async (chunk) => {
            const { text, params } = searchSql(chunk, SQLITE_SEARCH);
            return ready('listJobs')
              .db.prepare<unknown[], SearchRow>(text)
              .all(...params);
          },
          nthSeq: async (workflow, beforeSeq, n) =>
            ready('listJobs').sql.nthSeq.get(workflow, beforeSeq, n - 1),
          indexedSince: async (workflow, path) =>
            ready('listJobs').sql.searchSince.get(workflow, path),
        });
      }
      const { sql } = ready('listJobs');
      const limit = clampPageSize(filter.limit);
      const beforeSeq =
        filter.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeJobCursor(filter.cursor);
      const { workflow, status } = filter;
      // One row more than asked tells whether another page exists.
      const params = { beforeSeq, limit: limit + 1, nowMs: Date.now() };
      const rows =
        workflow !== undefined && status !== undefined
          ? sql.listJobs.byWorkflowAndStatus.all({ ...params, workflow, status })
          : workflow !== undefined
            ? sql.listJobs.byWorkflow.all({ ...params, workflow })
            : status !== undefined
              ? sql.listJobs.byStatus.all({ ...params, status })
              : sql.listJobs.all.all(params);
      return jobPage(rows, limit);
    },

    async declareSearchPaths(workflow: string, paths: readonly string[]) {
      const keep = JSON.stringify(paths);
      await write('declareSearchPaths', (sql) => {
        sql.forgetSearchPaths.run(workflow, keep);
        for (const path of paths) sql.declareSearchPath.run(workflow, path);
      });
    },

    async lastJobStatus(workflow: string) {
      return ready('lastJobStatus').sql.lastJobStatus.get(workflow) ?? null;
    },

    async jobsWaitingOnConcurrency() {
      return ready('jobsWaitingOnConcurrency').sql.waitingOnConcurrency.all({ nowMs: Date.now() });
    },

    async purgeDedupe(nowMs: number) {
      return write('purgeDedupe', (sql) => sql.purgeDedupe.run(nowMs).changes);
    },

    ...createConnectionMethods(write, (operation) => ready(operation).sql),
    ...createLockMethods(),
    ...createRateMethods(),
    ...createThrottleMethods(),
    ...createVersionMethods(
      (operation, op) => write(operation, () => op()),
      (operation) => ready(operation),
      path.resolve(opts.file),
    ),
    ...createReplayMethods(
      (operation, op) => write(operation, () => op()),
      (operation) => ready(operation),
    ),
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
    // A new file gets incremental auto-vacuum before anything is written to it (an existing
    // one switches at its next VACUUM; migration 9 asks for it): pruned jobs give pages back.
    if (db.pragma('user_version', { simple: true }) === 0) db.pragma('auto_vacuum = INCREMENTAL');
    // WAL lets readers run beside the writer. NORMAL leaves the fsync of each commit to the
    // batcher, which runs it off the event loop before resolving any write: that is what makes
    // a resolved write survive a power loss, not only a process crash.
    const wal = db.pragma('journal_mode = WAL', { simple: true }) === 'wal';
    // Where WAL is unavailable (some network file systems), FULL keeps commits durable.
    db.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('foreign_keys = ON');
    // A batch in which a write failed reruns with a SAVEPOINT per write; each copies the pages
    // it touches to a sub-journal, cheap in memory but costly in a temp file.
    db.pragma('temp_store = MEMORY');
    migrate(db);
    const batcher = createWriteBatcher(
      db,
      wal ? { walFile: `${path.resolve(opts.file)}-wal` } : {},
    );
    const sql = prepareStatements(db);
    // This file serves one process: leases left by a previous run hold nobody's work, and
    // its jobs resume at once.
    sql.expireLeases.run();
    return { db, sql, batcher };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A debounced event in the accept's transaction: it joins its key's pending job (taking its
 * trigger data and moving its start to `waitMs` from now, but not past the burst's
 * `maxWaitMs`), or starts one. Returns the job's id.
 */
function debounceEvent(
  sql: Statements,
  event: NewEvent,
  trigger: string,
  now: number,
): { id: string; seq: number | bigint } {
  const d = event.debounce as JobDebounce;
  const pending = sql.findDebouncing.get(event.workflow, d.key);
  if (pending !== undefined) {
    const runAfter = Math.min(now + d.waitMs, pending.debounce_deadline);
    sql.updateDebounced.run({ id: pending.id, trigger, nowMs: now, runAfter });
    return { id: pending.id, seq: pending.seq };
  }
  const { lastInsertRowid } = sql.insertDebounced.run({
    id: event.id,
    workflow: event.workflow,
    trigger,
    createdAt: now,
    traceContext: traceText(event.trace),
    concurrencyKey: event.concurrency?.key ?? null,
    concurrencyLimit: event.concurrency?.limit ?? null,
    version: event.version ?? null,
    debounceKey: d.key,
    runAfter: now + d.waitMs,
    deadline: now + d.maxWaitMs,
  });
  return { id: event.id, seq: lastInsertRowid };
}

const SQLITE_SEARCH: SearchDialect = {
  param: () => '?',
  contains: (column, param) => `instr(${column}, ${param}) > 0`,
};

function insertSearchTerms(
  sql: Statements,
  workflow: string,
  terms: readonly SearchTerm[] | undefined,
  seq: number | bigint,
): void {
  for (const t of terms ?? []) sql.insertSearchTerm.run(workflow, t.path, t.term, seq);
}

function claimParams(id: string, owner: string, leaseMs: number): ClaimParams {
  const nowMs = Date.now();
  return { id, owner, nowMs, leaseUntil: nowMs + leaseMs };
}
