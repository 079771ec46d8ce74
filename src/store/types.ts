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

/** A connection created through the API (§5); `document` is its text, sealed when `sealed`. */
export interface StoredConnection {
  name: string;
  document: string;
  sealed: boolean;
  updatedAt: string;
}

/** A pending OAuth2 authorization: `data` (sealed) holds the PKCE verifier and redirect URI. */
export interface StoredOAuthState {
  state: string;
  connection: string;
  data: string;
  /** Epoch ms. */
  expiresAt: number;
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

  /** Connections created through the API, by name. */
  listConnections(): Promise<StoredConnection[]>;
  putConnection(connection: StoredConnection): Promise<void>;
  /** Deletes the connection and its tokens; false when there was none of that name. */
  deleteConnection(name: string): Promise<boolean>;
  /** A connection's OAuth2 tokens, sealed; null when it has none. */
  getConnectionTokens(name: string): Promise<string | null>;
  /** Stores (or, with null, deletes) a connection's sealed tokens. */
  setConnectionTokens(name: string, sealed: string | null): Promise<void>;
  saveOAuthState(state: StoredOAuthState): Promise<void>;
  /** Removes and returns a pending authorization unless expired; drops expired ones. */
  takeOAuthState(state: string, nowMs: number): Promise<StoredOAuthState | null>;
}
