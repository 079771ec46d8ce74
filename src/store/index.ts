/**
 * @module store
 * The durable store: jobs, their steps, dedupe keys and settings. Callers get a `Store` from
 * `createStore` and never learn which backend runs behind it.
 *
 * `{ sqliteFile }` picks the embedded SQLite store (one process); `{ databaseUrl }` the
 * PostgreSQL store (any number of processes over one database).
 *
 * @example
 *   const store = createStore({ sqliteFile: '.hookflow/hookflow.db' });
 *   // or: createStore({ databaseUrl: 'postgres://hookflow@db:5432/hookflow', schema: 'hookflow' })
 *   await store.init();
 *   const id = newJobId();
 *   const result = await store.acceptEvent({ id, workflow: 'orders', trigger });
 *   if (result.kind === 'accepted') reply.code(202).send({ accepted: true, id });
 */
import { createPostgresStore } from './postgres/index.js';
import { createSqliteStore } from './sqlite/index.js';
import type { Store } from './types.js';

export type StoreOptions =
  | {
      sqliteFile: string;
      /** false: this handle never claims the jobs it commits (see SqliteStoreOptions). */
      claimsOwnJobs?: boolean;
    }
  | {
      /** `postgres://user:password@host:port/database` */
      databaseUrl: string;
      /** The schema every table is in (created when missing). Default `public`. */
      schema?: string;
      /** Connections of this process's pool at most. Default 10. */
      poolSize?: number;
    };

export function createStore(opts: StoreOptions): Store {
  if ('databaseUrl' in opts) {
    return createPostgresStore({
      databaseUrl: opts.databaseUrl,
      ...(opts.schema !== undefined && { schema: opts.schema }),
      ...(opts.poolSize !== undefined && { poolSize: opts.poolSize }),
    });
  }
  return createSqliteStore({
    file: opts.sqliteFile,
    ...(opts.claimsOwnJobs === false ? { claimsOwnJobs: false } : {}),
  });
}

export { copyStore, isEmptyStore } from './copy-store.js';
export type { CopyOptions, CopySummary } from './copy-store.js';
export { newJobId } from './job-id.js';
export { createPgListener } from './postgres/listener.js';
export type { NotificationHandler, PgListener, PgListenerOptions } from './postgres/listener.js';
export { JOBS_CHANNEL } from './postgres/index.js';
export { MAX_CONCURRENCY_LIMIT } from './concurrency-sql.js';
export { StoreError } from './errors.js';
export type { StoreErrorCode } from './errors.js';
export { DEFAULT_LEASE_MS, JOB_STATUSES, REPLAY_STATUSES } from './types.js';
export type {
  AcceptResult,
  Claim,
  ClaimedJob,
  JobDetail,
  JobFilter,
  JobStatus,
  JobSummary,
  NewEvent,
  FailureTriggerData,
  JobConcurrency,
  JobDebounce,
  JobWaiting,
  DebounceData,
  ConcurrencyWaiting,
  ScheduleJob,
  RateHit,
  RateStore,
  MatchedJob,
  Replay,
  ReplayFilter,
  ReplayStatus,
  ReplayVersion,
  ConnectionTurn,
  ConnectionThrottleStore,
  StepRecord,
  Store,
  StoredConnection,
  StoredOAuthState,
  TriggerData,
  TriggerLifecycleRecord,
  TriggerLifecycleStatus,
  PollTriggerData,
  ScheduleTriggerData,
  TimedTriggerData,
  PolledItem,
  PollResult,
  TriggerState,
  TriggerFailureAlert,
  StoredWorkflow,
  WorkflowOverride,
} from './types.js';
