/**
 * @module store/types/replays
 * Bulk replays: a filter over stored jobs, and a replay resource that walks the jobs it
 * matched (oldest first, by `seq`) and makes one new job of each. The new job names its
 * original (`rerun_of`) and its replay (`replay_id`); a unique index on the pair makes a second
 * job for one original within one replay impossible, whatever crashes or races happen.
 *
 * @example
 *   const replay = await store.createReplay({ id, filter: { status: 'failed' }, version: 'current', rate: 50 });
 *   const batch = await store.replayCandidates(replay.id, 20);
 *   const created = await store.commitReplayBatch({ replay: replay.id, afterSeq, jobs, skipped: 0 });
 */
import type { JobConcurrency, JobStatus, JobSummary } from './jobs.js';
import type { FailureTriggerData, TriggerData } from './jobs.js';
import type { TimedTriggerData } from './triggers.js';

/** Which stored jobs a replay (or its dry run) takes. Every field given must hold. */
export interface ReplayFilter {
  workflow?: string;
  status: JobStatus;
  /** Epoch ms: jobs created at or after. */
  since?: number;
  /** Epoch ms: jobs created before. */
  until?: number;
  /** Case-insensitive substring of the job's error. */
  error?: string;
  /** Only these job ids. */
  ids?: string[];
  /** false: only jobs no replay has made a new job of yet; true: only jobs one has. */
  replayed?: boolean;
}

export type ReplayVersion = 'original' | 'current';
export type ReplayStatus = 'running' | 'done' | 'cancelled' | 'failed';
export const REPLAY_STATUSES: readonly ReplayStatus[] = ['running', 'done', 'cancelled', 'failed'];

/** A job a dry run shows: its summary and its error. */
export interface MatchedJob extends JobSummary {
  error: string | null;
}

export interface ReplayMatches {
  count: number;
  /** The newest matching jobs, newest first. */
  sample: MatchedJob[];
}

export interface NewReplay {
  id: string;
  filter: ReplayFilter;
  version: ReplayVersion;
  /** New jobs per second at most. */
  rate: number;
}

export interface Replay {
  id: string;
  filter: ReplayFilter;
  version: ReplayVersion;
  rate: number;
  status: ReplayStatus;
  /** Jobs the filter matched when the replay was created. */
  matched: number;
  /** New jobs made. */
  created: number;
  /** Matched jobs that got no new job (workflow no longer loaded, no stored version, pruned). */
  skipped: number;
  /** The new jobs by their status now. */
  jobs: Record<JobStatus, number>;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** A matched job the walk reached: what its new job needs. */
export interface ReplayCandidate {
  seq: number;
  id: string;
  workflow: string;
  trigger: TriggerData | TimedTriggerData | FailureTriggerData;
  version: string | null;
}

/** One new job of a replay. */
export interface ReplayJob {
  id: string;
  /** The job it replays. */
  original: string;
  workflow: string;
  trigger: TriggerData | TimedTriggerData | FailureTriggerData;
  version?: string;
  concurrency?: JobConcurrency;
}

export interface ReplayBatch {
  replay: string;
  /** The `seq` of the last candidate this batch covers: the walk goes on after it. */
  afterSeq: number;
  jobs: ReplayJob[];
  /** Candidates of this batch that get no job. */
  skipped: number;
}

export interface ReplayStore {
  /** How many jobs the filter matches now, and the newest `sample` of them. */
  matchJobs(filter: ReplayFilter, sample: number): Promise<ReplayMatches>;
  /**
   * Stores a running replay over the jobs the filter matches now: jobs created or finished
   * later (its own new jobs among them) are never part of it.
   */
  createReplay(replay: NewReplay): Promise<Replay>;
  getReplay(id: string): Promise<Replay | null>;
  /** Newest first. */
  listReplays(limit: number): Promise<Replay[]>;
  /** Ids of the replays still running (oldest first). */
  runningReplays(): Promise<string[]>;
  /** The next `limit` matched jobs after the replay's progress, oldest first. */
  replayCandidates(id: string, limit: number): Promise<ReplayCandidate[]>;
  /**
   * In one transaction: inserts the batch's jobs — except those whose original already has a
   * job of this replay — and moves the replay's progress past `afterSeq`. Returns the ids of
   * the jobs inserted, or null (nothing written) when the replay is no longer running.
   */
  commitReplayBatch(batch: ReplayBatch): Promise<string[] | null>;
  /** running → done | failed (matched jobs never reached count as skipped). false: not running. */
  finishReplay(id: string, status: 'done' | 'failed', error: string | null): Promise<boolean>;
  /** running → cancelled; null when there is no such replay. */
  cancelReplay(id: string): Promise<Replay | null>;
}
