/**
 * @module store
 * The durable store: jobs, their steps, dedupe keys and settings. Callers get a `Store` from
 * `createStore` and never learn which backend runs behind it.
 *
 * @example
 *   const store = createStore({ sqliteFile: '.hookflow/hookflow.db' });
 *   await store.init();
 *   const id = newJobId();
 *   const result = await store.acceptEvent({ id, workflow: 'orders', trigger });
 *   if (result.kind === 'accepted') reply.code(202).send({ accepted: true, id });
 */
import { createSqliteStore } from './sqlite/index.js';
import type { Store } from './types.js';

export interface StoreOptions {
  sqliteFile: string;
  /** false: this handle never claims the jobs it commits (see SqliteStoreOptions). */
  claimsOwnJobs?: boolean;
}

export function createStore(opts: StoreOptions): Store {
  return createSqliteStore({
    file: opts.sqliteFile,
    ...(opts.claimsOwnJobs === false ? { claimsOwnJobs: false } : {}),
  });
}

export { newJobId } from './job-id.js';
export { StoreError } from './errors.js';
export type { StoreErrorCode } from './errors.js';
export { JOB_STATUSES } from './types.js';
export type {
  AcceptResult,
  ClaimedJob,
  JobDetail,
  JobFilter,
  JobStatus,
  JobSummary,
  NewEvent,
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
  StoredWorkflow,
  WorkflowOverride,
} from './types.js';
