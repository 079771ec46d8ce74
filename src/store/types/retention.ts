/**
 * @module store/types/retention
 * Pruning finished jobs: what the retention settings keep, deleted in small batches.
 *
 * @example
 *   const pruned = await store.pruneJobs({ workflow: 'orders', olderThan: cutoff, keep: 1000 }, 500);
 */

/** Which finished jobs of one workflow may go: older than `olderThan`, or past the newest `keep`. */
export interface PruneRule {
  workflow: string;
  /** Epoch ms: finished jobs created before it are pruned. */
  olderThan?: number;
  /** The newest `keep` jobs of the workflow (finished or not) are kept. */
  keep?: number;
}

export interface RetentionStore {
  /**
   * Deletes at most `limit` finished jobs (with their steps) that the rule lets go, oldest
   * first. Returns how many were deleted; fewer than `limit` means none is left.
   */
  pruneJobs(rule: PruneRule, limit: number): Promise<number>;
  /** Names of the workflows that have stored jobs. */
  jobWorkflows(): Promise<string[]>;
  /** How many jobs are stored. */
  countJobs(): Promise<number>;
  /** The size of the database on disk, in bytes. */
  databaseBytes(): Promise<number>;
  /** Gives free pages back to the file system (SQLite: incremental vacuum); no-op elsewhere. */
  reclaimSpace(): Promise<void>;
}
