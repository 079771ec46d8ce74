/**
 * @module store/types
 * The durable store behind ingress and the engine. `sqlite/` implements it on better-sqlite3;
 * a PostgreSQL implementation with the same file names comes later. Nothing above this
 * interface knows which one runs.
 */
import type { HttpReply } from '../workflow/types.js';

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
}

export interface JobSummary {
  id: string;
  workflow: string;
  status: JobStatus;
  createdAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface JobDetail extends JobSummary {
  attempt: number;
  rerunOf: string | null;
  trigger: TriggerData;
  steps: StepRecord[];
  reply: HttpReply | null;
  error: string | null;
}

/** A job handed to the engine by `claimJob`: what it needs to run or resume. */
export interface ClaimedJob {
  id: string;
  workflow: string;
  attempt: number;
  trigger: TriggerData;
  /** Steps already finished by an earlier attempt (resume after a crash skips them). */
  steps: StepRecord[];
  reply: HttpReply | null;
}

export interface JobFilter {
  workflow?: string;
  status?: JobStatus;
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

/**
 * Where a connector trigger's init/destroy stands for one workflow version (§7):
 * `pending` (init to do, retried with backoff), `ready` (init returned `state`), `failed`
 * (init gave up), `retiring` (superseded: destroy to do with `state`).
 */
export type TriggerLifecycleStatus = 'pending' | 'ready' | 'failed' | 'retiring';

export interface TriggerLifecycleRecord {
  id: string;
  workflow: string;
  /** Identifies the trigger version (connector, params, connection, URL) init was asked for. */
  fingerprint: string;
  /** What init/destroy need once the workflow is gone: no secrets, `${env:}` kept as written. */
  spec: unknown;
  status: TriggerLifecycleStatus;
  /** What init returned (JSON). */
  state: unknown;
  attempts: number;
  lastError: string | null;
  /** Epoch ms of the next try; null when nothing is to be done. */
  nextAttemptAt: number | null;
  updatedAt: number;
}

export interface Store {
  /** Creates or migrates the schema. */
  init(): Promise<void>;
  close(): Promise<void>;

  /**
   * Commits the event and its queued job (checking the dedupe key first) before resolving.
   * Resolving means the event survives a crash: callers answer 2xx only after it resolves.
   */
  acceptEvent(event: NewEvent): Promise<AcceptResult>;
  /** A new queued job from stored trigger data (rerun). Returns the new job id. */
  createJob(workflow: string, trigger: TriggerData, opts: { rerunOf?: string }): Promise<string>;

  /** queued|running → running, attempt + 1. null when the job is finished or unknown. */
  claimJob(id: string): Promise<ClaimedJob | null>;
  saveStep(jobId: string, step: StepRecord): Promise<void>;
  saveReply(jobId: string, reply: HttpReply): Promise<void>;
  /** running → succeeded|failed. false when the job was not running (never completes twice). */
  finishJob(jobId: string, status: 'succeeded' | 'failed', error: string | null): Promise<boolean>;
  /** Ids of jobs left queued or running (oldest first), to resume at start-up. */
  unfinishedJobs(): Promise<string[]>;

  getJob(id: string): Promise<JobDetail | null>;
  listJobs(filter: JobFilter): Promise<{ jobs: JobSummary[]; nextCursor: string | null }>;
  /** The status of the newest job of each workflow, for the UI's list. */
  lastJobStatus(workflow: string): Promise<JobStatus | null>;

  /** A small key/value table: generated webhook tokens and other settings kept across restarts. */
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;

  /** Deletes dedupe keys past their window. Returns how many were deleted. */
  purgeDedupe(nowMs: number): Promise<number>;

  /** Every connector trigger lifecycle record (a handful per connector workflow at most). */
  listTriggerLifecycles(): Promise<TriggerLifecycleRecord[]>;
  /** Creates or replaces a record by id. */
  saveTriggerLifecycle(record: TriggerLifecycleRecord): Promise<void>;
  deleteTriggerLifecycle(id: string): Promise<void>;
}
