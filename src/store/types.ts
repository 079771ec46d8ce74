/**
 * @module store/types
 * The durable store behind ingress and the engine: one `Store` made of the stores it holds
 * (types/jobs.ts, triggers.ts, connections.ts, workflows.ts). `sqlite/` implements it on
 * better-sqlite3, `postgres/` on node-postgres, with the same file names; nothing above this
 * interface knows which one runs.
 */
import type { ConnectionStore } from './types/connections.js';
import type { JobStore } from './types/jobs.js';
import type { LockStore } from './types/locks.js';
import type { RateStore } from './types/rates.js';
import type { ConnectionThrottleStore } from './types/throttles.js';
import type { TransferStore } from './types/transfer.js';
import type { TriggerStore } from './types/triggers.js';
import type { WorkflowStore } from './types/workflows.js';
import type { WorkflowVersionStore } from './types/versions.js';
import type { RetentionStore } from './types/retention.js';
import type { ReplayStore } from './types/replays.js';

export * from './types/jobs.js';
export * from './types/triggers.js';
export * from './types/connections.js';
export * from './types/workflows.js';
export * from './types/transfer.js';
export * from './types/locks.js';
export * from './types/rates.js';
export * from './types/throttles.js';
export * from './types/versions.js';
export * from './types/retention.js';
export * from './types/replays.js';

export interface Store
  extends
    JobStore,
    TriggerStore,
    ConnectionStore,
    WorkflowStore,
    TransferStore,
    LockStore,
    RateStore,
    ConnectionThrottleStore,
    WorkflowVersionStore,
    RetentionStore,
    ReplayStore {
  /** Creates or migrates the schema. */
  init(): Promise<void>;
  /** Resolves when the database answers; throws StoreError `store_unavailable` when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
