/**
 * @module store/types/jobs
 * The jobs store: events accepted with their dedupe keys, jobs claimed with an owner and a
 * lease, their steps, replies and history.
 *
 * @example
 *   const claimed = await store.claimJob(id, { owner: 'worker-1', leaseMs: DEFAULT_LEASE_MS });
 */
import type { HttpReply } from '../../workflow/types.js';
import type { JobMatch, SearchTerm } from '../../search/index.js';
import type { TimedTriggerData } from './triggers.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed'];

/** The webhook trigger's output, as stored with the job (§3). */
export interface TriggerData {
  id: string;
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[]>;
  body: unknown;
  /** The exact bytes received: UTF-8 text, or base64 when `rawBodyEncoding` says so. */
  rawBody: string;
  rawBodyEncoding?: 'base64';
  receivedAt: string;
  /**
   * Set on the job of a debounced burst (`debounce:`): how many events it stands for, the time
   * the burst's first event was committed and the last one's receipt (the trigger data is the
   * last event's).
   */
  debounce?: DebounceData;
}

export interface DebounceData {
  count: number;
  firstAt: string;
  lastAt: string;
}

/**
 * The W3C trace context a job's spans continue (docs/observability.md): the propagator's
 * fields, as it injected them. Stored with the job, so that a claim by another process or
 * thread, a retry and a resume after a crash continue the same trace.
 */
export interface JobTrace {
  traceparent?: string;
  tracestate?: string;
}

export interface NewEvent {
  /** Pre-generated job id (also the event id answered in the 202). */
  id: string;
  workflow: string;
  trigger: TriggerData;
  /** Dedupe key and when it stops counting (epoch ms). */
  dedupe?: { key: string; expiresAt: number };
  /** The answer sent to the caller (acknowledge mode), kept to answer duplicates the same way. */
  answer?: HttpReply;
  /** The trace the job continues (the webhook request's span); absent when tracing is off. */
  trace?: JobTrace;
  /** The workflow's `concurrency`, its key evaluated: the claim holds the job back past it. */
  concurrency?: JobConcurrency;
  /** The version of the workflow the job runs (`workflowVersion`). */
  version?: string;
  /** The workflow's `debounce`, its key evaluated: the event joins its key's pending job. */
  debounce?: JobDebounce;
  /** Values at the paths its workflow declares in `search:`, indexed with the job. */
  search?: SearchTerm[];
}

/**
 * Trailing debounce: the events of one (workflow, key) become one queued job, started once
 * `waitMs` passed without another event, and at the latest `maxWaitMs` after the first.
 */
export interface JobDebounce {
  key: string;
  waitMs: number;
  maxWaitMs: number;
}

/**
 * At most `limit` jobs of (workflow, key) run at once; a claim passes over a queued job while
 * `limit` jobs of its key run or older ones of its key wait (so each key keeps arrival order).
 */
export interface JobConcurrency {
  key: string;
  limit: number;
}

/** The trigger data of an error workflow's job: the failed job's summary. */
export interface FailureTriggerData {
  workflow: string;
  /** The failed job; null when a poll or schedule trigger kept failing. */
  job: string | null;
  version: string | null;
  /** The step that failed; null when the job failed before any step. */
  step: string | null;
  error: string;
  /** The failed job in the UI (for a failing trigger: its workflow's page). */
  url: string;
  /** A failing trigger: which kind. */
  trigger?: 'poll' | 'schedule';
  /** A failing trigger: its consecutive failed runs. */
  failures?: number;
}

/** The job an error workflow runs for a failed job, created with the failed job's finish. */
export interface FailureJob {
  id: string;
  workflow: string;
  version: string | null;
  trigger: FailureTriggerData;
}

export type AcceptResult =
  | { kind: 'accepted'; jobId: string }
  | { kind: 'duplicate'; jobId: string; answer: HttpReply | null };

export interface StepRecord {
  /** Position in execution order (0-based), unique within a job. */
  seq: number;
  id: string;
  type: string;
  status: 'succeeded' | 'failed' | 'skipped';
  input: unknown;
  output: unknown;
  error: string | null;
  attempts: number;
  startedAt: string;
  durationMs: number;
  /**
   * Of `durationMs`, the time spent waiting for the throttle of the step's connection (a
   * request slot, or a pause after an upstream's 429/503). Absent when written: 0.
   */
  waitedMs?: number;
}

export interface JobSummary {
  id: string;
  workflow: string;
  status: JobStatus;
  createdAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** Why a queued job has not started; null unless queued. */
  waiting: JobWaiting | null;
}

/**
 * Why a queued job waits: `debounce` (its burst's wait runs until `until`), `concurrency`
 * (`limit` jobs of its key run, or older ones of the key wait), `queue` (runnable: waiting
 * for a worker's free slot behind other jobs).
 */
export type JobWaiting =
  | { reason: 'debounce'; until: string; count: number }
  | { reason: 'concurrency'; key: string; limit: number }
  | { reason: 'queue' };

export interface JobDetail extends JobSummary {
  attempt: number;
  rerunOf: string | null;
  /** The version of the workflow the job ran (null for jobs stored before versions). */
  version: string | null;
  /** For an error workflow's job: the failed job it reports. */
  failureOf: string | null;
  /** For a job made by a bulk replay: the replay (its original is `rerunOf`). */
  replay: string | null;
  trigger: TriggerData | TimedTriggerData | FailureTriggerData;
  steps: StepRecord[];
  reply: HttpReply | null;
  error: string | null;
  /** The trace the job continues; null when it was created with tracing off. */
  trace: JobTrace | null;
}

/** A job handed to the engine by `claimJob`: what it needs to run or resume. */
export interface ClaimedJob {
  id: string;
  workflow: string;
  attempt: number;
  version: string | null;
  failureOf: string | null;
  trigger: TriggerData | TimedTriggerData | FailureTriggerData;
  /** Steps already finished by an earlier attempt (resume after a crash skips them). */
  steps: StepRecord[];
  reply: HttpReply | null;
  /** When the job was committed (its wait in the queue runs from here). */
  createdAt: string;
  trace: JobTrace | null;
}

/** What a job created from stored trigger data may carry. */
export interface NewJobOptions {
  rerunOf?: string;
  /** The version of the workflow the job runs (a rerun of the original version). */
  version?: string;
  trace?: JobTrace;
  concurrency?: JobConcurrency;
  /** Values at the paths its workflow declares in `search:`, indexed with the job. */
  search?: SearchTerm[];
}

/** Queued jobs held back by their concurrency key, for one workflow. */
export interface ConcurrencyWaiting {
  workflow: string;
  jobs: number;
}

export interface JobFilter {
  workflow?: string;
  status?: JobStatus;
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  /** Conditions on the trigger data, ANDed (search/parse-match.ts); need `workflow`. */
  match?: readonly JobMatch[];
  /** Paths the workflow declares in `search:` (indexed since it declared them). */
  indexedPaths?: readonly string[];
}

/** Who claims a job and for how long the claim holds without renewal. */
export interface Claim {
  owner: string;
  leaseMs: number;
}

/** How long a claim holds without renewal; a worker renews at a third of it. */
export const DEFAULT_LEASE_MS = 30_000;

export interface JobStore {
  /**
   * Commits the event and its queued job (checking the dedupe key first) before resolving.
   * Resolving means the event survives a crash: callers answer 2xx only after it resolves.
   */
  acceptEvent(event: NewEvent): Promise<AcceptResult>;
  /** A new queued job from stored trigger data (rerun). Returns the new job id. */
  createJob(
    workflow: string,
    trigger: TriggerData | TimedTriggerData | FailureTriggerData,
    opts: NewJobOptions,
  ): Promise<string>;

  /**
   * Claims one job for `claim.owner` until `claim.leaseMs` from now: queued → running, or
   * running whose lease expired (or already held by the same owner) → running; attempt + 1.
   * null when the job is finished, unknown, or held by another owner's live lease.
   */
  claimJob(id: string, claim: Claim): Promise<ClaimedJob | null>;
  /**
   * Claims up to `limit` of the oldest claimable jobs (queued, or running with an expired lease)
   * at once. Concurrent callers never get the same job.
   */
  claimNextJobs(claim: Claim, limit: number): Promise<ClaimedJob[]>;
  /** Extends the leases `owner` holds on `ids`; returns the ids still held (the others were lost). */
  renewLeases(owner: string, ids: string[], leaseMs: number): Promise<string[]>;
  /** running → queued, for a graceful stop: another worker may claim it at once. */
  releaseJob(id: string, owner: string): Promise<boolean>;
  /** Saves (or replaces, by seq) a step's record. false, and nothing written, unless `owner` holds the job. */
  saveStep(jobId: string, step: StepRecord, owner: string): Promise<boolean>;
  /** The first reply wins. false, and nothing written, unless `owner` holds the job. */
  saveReply(jobId: string, reply: HttpReply, owner: string): Promise<boolean>;
  /**
   * running → succeeded|failed, compare-and-set on the owner. false when the job was not
   * running or `owner` no longer holds it (a job is finished once). `onFailure`: the error
   * workflow's job, committed in the same transaction as a finish that happened (and at most
   * once per failed job).
   */
  finishJob(
    jobId: string,
    owner: string,
    status: 'succeeded' | 'failed',
    error: string | null,
    onFailure?: FailureJob,
  ): Promise<boolean>;
  /** Ids of jobs left queued or running (oldest first), to resume at start-up. */
  unfinishedJobs(): Promise<string[]>;

  getJob(id: string): Promise<JobDetail | null>;
  listJobs(filter: JobFilter): Promise<{ jobs: JobSummary[]; nextCursor: string | null }>;
  /**
   * The paths a workflow's new jobs are indexed by from now on (its `search:`): a path new to
   * the list is indexed from the next job on (older jobs are found by scanning); a path left
   * out is forgotten, so declaring it again starts anew.
   */
  declareSearchPaths(workflow: string, paths: readonly string[]): Promise<void>;
  /** The status of the newest job of each workflow, for the UI's list. */
  lastJobStatus(workflow: string): Promise<JobStatus | null>;
  /**
   * Queued jobs held back by their concurrency key, by workflow (only workflows with some).
   * Reads the queued and running jobs that have a key (a partial index), never the table.
   */
  jobsWaitingOnConcurrency(): Promise<ConcurrencyWaiting[]>;

  /** Deletes dedupe keys past their window. Returns how many were deleted. */
  purgeDedupe(nowMs: number): Promise<number>;
}
