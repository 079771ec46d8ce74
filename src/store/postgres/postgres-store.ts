/**
 * @module store/postgres/postgres-store
 * The store on PostgreSQL (node-postgres, a pool), for several Hookflow processes over one
 * database. The ingest path is group-committed (write-batcher.ts): events accepted in one
 * event-loop turn commit in one transaction with their dedupe keys and a notification to the
 * workers. Jobs are claimed with an owner and a lease (`FOR UPDATE SKIP LOCKED`); a job's
 * later writes (steps, reply, finish) are compare-and-sets on its owner, and run in the order
 * they were called, as they do on SQLite.
 *
 * @example
 *   const store = createPostgresStore({ databaseUrl: 'postgres://hookflow@db/hookflow' });
 *   await store.init();
 *   const result = await store.acceptEvent({ id: newJobId(), workflow: 'orders', trigger });
 */
import type { HttpReply } from '../../workflow/types.js';
import { StoreError } from '../errors.js';
import { clampPageSize, decodeJobCursor } from '../job-cursor.js';
import { newJobId } from '../job-id.js';
import { searchJobs, searchSql } from '../job-search.js';
import type { SearchDialect, SearchRow } from '../job-search.js';
import { checkClaim, checkLease } from '../lease.js';
import type {
  Claim,
  ClaimedJob,
  JobFilter,
  JobStatus,
  NewJobOptions,
  StepRecord,
  Store,
} from '../types.js';
import { createConnectionMethods } from './connection-store.js';
import { storeError } from './errors.js';
import { createLockMethods } from './lock-store.js';
import { createRateMethods } from './rate-store.js';
import { createThrottleMethods } from './throttle-store.js';
import { enforceConcurrency } from './concurrency.js';
import { migrate } from './migrations.js';
import { createPgAccess } from './pool.js';
import type { PgAccess } from './pool.js';
import { jobPage, stepParams, toClaimedJob, toJobDetail } from './rows.js';
import type { ClaimRow, JobRow, JobSummaryRow, StepRow } from './rows.js';
import * as sql from './statements.js';
import { createTransferMethods } from './transfer-store.js';
import { createTriggerMethods } from './trigger-store.js';
import { createWorkflowMethods } from './workflow-store.js';
import { createVersionMethods } from './version-store.js';
import { createReplayMethods } from './replay-store.js';
import { createJobWrites } from './job-writes.js';
import type { JobWrite, JobWrites } from './job-writes.js';
import { queryOf } from './prepared.js';
import { keepStatistics } from './statistics.js';
import type { StatisticsKeeper } from './statistics.js';
import { createIngestBatcher } from './write-batcher.js';
import type { IngestBatcher } from './write-batcher.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` */
  databaseUrl: string;
  /** The schema every table is in; created when missing. Default `public`. */
  schema?: string;
  /** Connections of this process's pool at most. Default 10. */
  poolSize?: number;
}

const POSTGRES_SEARCH: SearchDialect = {
  param: (n) => `$${n}`,
  contains: (column, param) => `strpos(${column}, ${param}) > 0`,
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * How often a claimer looks for jobs whose lease expired: once a second, not at every claim.
 * The look walks every `running` entry of jobs_by_status, and that range holds an entry of each
 * job that ran since the table was last vacuumed (no live one is expired, so the scan never
 * stops early): at every claim it was half of PostgreSQL's CPU per claim and grew with the
 * queue's history. A dead worker's jobs still resume within a second of their lease's end.
 */
const EXPIRED_LOOK_MS = 1_000;

export function createPostgresStore(opts: PostgresStoreOptions): Store {
  const schema = opts.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new StoreError(
      'store_invalid_value',
      `PostgresStoreOptions.schema must be a lowercase SQL name (letters, digits, _; at most 63), got '${schema}'`,
    );
  }
  const pool: PgAccess = createPgAccess({
    connectionString: opts.databaseUrl,
    schema,
    poolSize: opts.poolSize ?? 10,
  });
  let batcher: IngestBatcher | null = null;
  let nextExpiredLook = 0;
  let state: 'new' | 'open' | 'closed' = 'new';
  let jobWrites: JobWrites | null = null;
  let statistics: StatisticsKeeper | null = null;

  function ready(operation: string): PgAccess {
    if (state === 'open') return pool;
    throw state === 'closed'
      ? new StoreError('store_closed', `${operation} after the store was closed`)
      : new StoreError('store_not_ready', `${operation} before init(); await store.init() first`);
  }
  // What every method uses: the pool, once the store is open.
  const db: PgAccess = {
    pool: pool.pool,
    query: async (operation, text, params) => ready(operation).query(operation, text, params),
    transaction: async (operation, fn, txOpts) =>
      ready(operation).transaction(operation, fn, txOpts),
    wakeWorkers: () => {
      if (state === 'open') pool.wakeWorkers();
    },
    end: () => pool.end(),
  };

  function ingest(operation: string): IngestBatcher {
    ready(operation);
    return batcher as IngestBatcher;
  }

  /** A job's writes, group-committed with other jobs' and run in call order (job-writes.ts). */
  function jobWrite(w: JobWrite): Promise<boolean> {
    ready(w.kind);
    return (jobWrites as JobWrites).write(w);
  }

  async function claimed(rows: ClaimRow[]): Promise<ClaimedJob[]> {
    return Promise.all(
      rows
        .sort((a, b) => a.seq - b.seq)
        .map(async (row) => {
          // A first attempt has no steps yet: no read.
          if (row.attempt === 1) return toClaimedJob(row, []);
          const steps = await db.query<StepRow>('claimJob', sql.STEPS_OF_JOB, [row.id]);
          return toClaimedJob(row, steps.rows);
        }),
    );
  }

  return {
    ...createTriggerMethods(db),
    ...createConnectionMethods(db),
    ...createWorkflowMethods(db),
    ...createTransferMethods(db),
    ...createLockMethods(db, schema),
    ...createRateMethods(db),
    ...createThrottleMethods(db),
    ...createVersionMethods(db),
    ...createReplayMethods(db),

    async init() {
      if (state === 'open') return;
      if (state === 'closed')
        throw new StoreError('store_closed', 'init() after the store was closed');
      try {
        await migrate(pool.pool, schema);
      } catch (error) {
        throw storeError('init (migrating the PostgreSQL schema)', error);
      }
      batcher = createIngestBatcher(pool);
      jobWrites = createJobWrites(pool);
      statistics = keepStatistics(pool, schema);
      state = 'open';
    },

    async close() {
      if (state === 'closed') return;
      const wasOpen = state === 'open';
      state = 'closed';
      if (wasOpen) {
        await Promise.all([batcher?.close(), jobWrites?.close(), statistics?.stop()]);
      }
      await pool.end();
    },

    async ping() {
      await db.query('ping', 'SELECT 1');
    },

    acceptEvent: async (event) => ingest('acceptEvent').accept(event),

    async createJob(workflow, trigger, jobOpts: NewJobOptions) {
      const id = newJobId();
      const rerunOf = jobOpts.rerunOf ?? null;
      const trace = jobOpts.trace ?? null;
      const { concurrency } = jobOpts;
      const version = jobOpts.version ?? null;
      await ingest('createJob').create({
        id,
        workflow,
        trigger,
        rerunOf,
        trace,
        concurrency,
        version,
        search: jobOpts.search,
      });
      return id;
    },

    async claimJob(id: string, claim: Claim) {
      const { owner, leaseMs } = checkClaim('claimJob', claim);
      const rows = await db.transaction('claimJob', async (client) => {
        await client.query(sql.ASYNC_COMMIT);
        const r = await client.query<ClaimRow>(sql.CLAIM_JOB, [id, owner, leaseMs]);
        return enforceConcurrency(client, schema, r.rows, owner);
      });
      return (await claimed(rows))[0] ?? null;
    },

    async claimNextJobs(claim: Claim, limit: number) {
      const { owner, leaseMs } = checkClaim('claimNextJobs', claim);
      if (!(limit >= 1)) return [];
      const n = Math.trunc(limit);
      // Expired leases first, once a second (EXPIRED_LOOK_MS): before the queue, so that under
      // a backlog a dead worker's jobs resume within a second too.
      const lookExpired = Date.now() >= nextExpiredLook;
      // A claim need not wait for its WAL flush: lost in a crash of the database, the job is
      // simply claimable again, and the claimer's owner-checked writes are refused.
      const rows = await db.transaction(
        'claimNextJobs',
        async (client) => {
          const taken: ClaimRow[] = [];
          const take = async (text: string) => {
            const free = n - taken.length;
            if (free <= 0) return;
            const r = await client.query<ClaimRow>(queryOf(text, [free, owner, leaseMs]));
            taken.push(...r.rows);
          };
          if (lookExpired) {
            nextExpiredLook = Date.now() + EXPIRED_LOOK_MS;
            await take(sql.CLAIM_EXPIRED);
          }
          await take(sql.CLAIM_QUEUED);
          return enforceConcurrency(client, schema, taken, owner);
        },
        { unflushed: true },
      );
      return claimed(rows);
    },

    async renewLeases(owner: string, ids: string[], leaseMs: number) {
      checkLease('renewLeases', leaseMs);
      if (ids.length === 0) return [];
      const { rows } = await db.query<{ id: string }>('renewLeases', sql.RENEW_LEASES, [
        ids,
        owner,
        leaseMs,
      ]);
      const held = new Set(rows.map((r) => r.id));
      return ids.filter((id) => held.has(id));
    },

    releaseJob: async (jobId: string, owner: string) => jobWrite({ kind: 'release', jobId, owner }),

    saveStep: async (jobId: string, step: StepRecord, owner: string) =>
      jobWrite({ kind: 'step', jobId, owner, step: stepParams(jobId, step) }),

    saveReply: async (jobId: string, reply: HttpReply, owner: string) =>
      jobWrite({ kind: 'reply', jobId, owner, reply: JSON.stringify(reply) }),

    finishJob: async (jobId, owner, status, error, onFailure) =>
      jobWrite({ kind: 'finish', jobId, owner, status, error, onFailure }),

    async unfinishedJobs() {
      const { rows } = await db.query<{ id: string }>('unfinishedJobs', sql.UNFINISHED_JOBS);
      return rows.map((r) => r.id);
    },

    async getJob(id: string) {
      // The job first, then its steps: a job's steps commit before its finish, so a finished
      // job read this way always comes with all of them (two reads at once, on two
      // connections, could see the finish and miss the steps).
      const job = await db.query<JobRow>('getJob', sql.GET_JOB, [id]);
      const row = job.rows[0];
      if (row === undefined) return null;
      const steps = await db.query<StepRow>('getJob', sql.STEPS_OF_JOB, [id]);
      return toJobDetail(row, steps.rows);
    },

    async listJobs(filter: JobFilter) {
      if (filter.match !== undefined && filter.match.length > 0) {
        return searchJobs(filter, {
          chunk: async (chunk) => {
            const { text, params } = searchSql(chunk, POSTGRES_SEARCH);
            return (await db.query<SearchRow>('listJobs', text, params)).rows;
          },
          async nthSeq(workflow, beforeSeq, n) {
            const { rows } = await db.query<{ seq: number }>('listJobs', sql.NTH_SEQ, [
              workflow,
              beforeSeq,
              n - 1,
            ]);
            return rows[0]?.seq;
          },
          async indexedSince(workflow, path) {
            const { rows } = await db.query<{ since_seq: number }>('listJobs', sql.SEARCH_SINCE, [
              workflow,
              path,
            ]);
            return rows[0]?.since_seq;
          },
        });
      }
      const pg = db;
      const limit = clampPageSize(filter.limit);
      const beforeSeq =
        filter.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeJobCursor(filter.cursor);
      const { workflow, status } = filter;
      const params: unknown[] = [beforeSeq, limit + 1];
      if (workflow !== undefined) params.push(workflow);
      if (status !== undefined) params.push(status);
      const text = sql.listJobsSql(workflow !== undefined, status !== undefined);
      const { rows } = await pg.query<JobSummaryRow>('listJobs', text, params);
      return jobPage(rows, limit);
    },

    async declareSearchPaths(workflow: string, paths: readonly string[]) {
      await db.query('declareSearchPaths', sql.DECLARE_SEARCH_PATHS, [workflow, [...paths]]);
    },

    async lastJobStatus(workflow: string) {
      const { rows } = await db.query<{ status: JobStatus }>('lastJobStatus', sql.LAST_JOB_STATUS, [
        workflow,
      ]);
      return rows[0]?.status ?? null;
    },

    async jobsWaitingOnConcurrency() {
      const { rows } = await db.query<{ workflow: string; jobs: string }>(
        'jobsWaitingOnConcurrency',
        sql.WAITING_ON_CONCURRENCY,
      );
      return rows.map((r) => ({ workflow: r.workflow, jobs: Number(r.jobs) }));
    },

    async purgeDedupe(nowMs: number) {
      const { rowCount } = await db.query('purgeDedupe', sql.PURGE_DEDUPE, [nowMs]);
      return rowCount ?? 0;
    },
  };
}
