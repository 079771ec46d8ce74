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

/** The trigger output stored with a poll job: the item is `body` (docs/triggers.md). */
export interface PollTriggerData {
  id: string;
  type: 'poll';
  body: unknown;
  /** The item's identity and version, as the trigger read them. */
  itemId: string;
  updated: string | null;
  receivedAt: string;
}

/** The trigger output stored with a schedule job. */
export interface ScheduleTriggerData {
  id: string;
  type: 'schedule';
  body: null;
  /** The fire time this job is for (a caught-up tick is later than this). */
  scheduledAt: string;
  /** The cron pattern's time zone; null for `every`. */
  timezone: string | null;
  receivedAt: string;
}

export type TimedTriggerData = PollTriggerData | ScheduleTriggerData;

/** One item of a successful poll, for {@link Store.recordPoll}. */
export interface PolledItem {
  id: string;
  /** The item's version; another value than the one remembered makes it changed. */
  version: string | null;
  /** On the first poll: remember the item but start no job (it is older than `since`). */
  baseline: boolean;
  /** The job to create if the item is new or changed. */
  job: { id: string; trigger: PollTriggerData };
}

export interface PollResult {
  workflow: string;
  items: PolledItem[];
  /** The source's state (JSON-serialisable), handed to the next poll. */
  state: unknown;
  /** When the poll began: the next poll's `since`. Epoch ms. */
  startedAt: number;
  finishedAt: number;
  /** How long an id is remembered after the last poll it appeared in. */
  seenWindowMs: number;
}

/** What the store keeps of a poll or schedule trigger. Times are epoch ms. */
export interface TriggerState {
  /** What the source's last successful poll returned. */
  state: unknown;
  /** True once a poll has succeeded: later polls no longer apply `since`. */
  polled: boolean;
  /** The start of the last successful poll. */
  sinceAt: number | null;
  /** Schedule: the newest fire time claimed. */
  lastTickAt: number | null;
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  /** The error of the last run when it failed; null once one succeeds. */
  lastError: string | null;
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
  trigger: TriggerData | TimedTriggerData;
  steps: StepRecord[];
  reply: HttpReply | null;
  error: string | null;
}

/** A job handed to the engine by `claimJob`: what it needs to run or resume. */
export interface ClaimedJob {
  id: string;
  workflow: string;
  attempt: number;
  trigger: TriggerData | TimedTriggerData;
  /** Steps already finished by an earlier attempt (resume after a crash skips them). */
  steps: StepRecord[];
  reply: HttpReply | null;
}

/** A workflow pushed over the API (`PUT /api/workflows/NAME`), kept as the text it was sent as. */
export interface StoredWorkflow {
  name: string;
  text: string;
  format: 'yaml' | 'json';
  updatedAt: string;
}

/**
 * An enable/disable made over the API. It holds while the workflow's document still has `hash`:
 * a document changed after the toggle (an edited file, a new PUT) says `enabled` itself again.
 */
export interface WorkflowOverride {
  name: string;
  enabled: boolean;
  hash: string;
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

/** Who claims a job and for how long the claim holds without renewal. */
export interface Claim {
  owner: string;
  leaseMs: number;
}

/** How long a claim holds without renewal; a worker renews at a third of it. */
export const DEFAULT_LEASE_MS = 30_000;

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
  createJob(
    workflow: string,
    trigger: TriggerData | TimedTriggerData,
    opts: { rerunOf?: string },
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
   * running or `owner` no longer holds it (a job is finished once).
   */
  finishJob(
    jobId: string,
    owner: string,
    status: 'succeeded' | 'failed',
    error: string | null,
  ): Promise<boolean>;
  /** Ids of jobs left queued or running (oldest first), to resume at start-up. */
  unfinishedJobs(): Promise<string[]>;

  getJob(id: string): Promise<JobDetail | null>;
  listJobs(filter: JobFilter): Promise<{ jobs: JobSummary[]; nextCursor: string | null }>;
  /** The status of the newest job of each workflow, for the UI's list. */
  lastJobStatus(workflow: string): Promise<JobStatus | null>;

  /** A small key/value table: generated webhook tokens and other settings kept across restarts. */
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;

  /** Workflows pushed over the API, in name order. */
  listStoredWorkflows(): Promise<StoredWorkflow[]>;
  /** Creates or replaces the stored workflow of that name. */
  putStoredWorkflow(workflow: Omit<StoredWorkflow, 'updatedAt'>): Promise<void>;
  /** false when none of that name was stored. */
  deleteStoredWorkflow(name: string): Promise<boolean>;
  listWorkflowOverrides(): Promise<WorkflowOverride[]>;
  /** Sets the override of one workflow, or removes it with `null`. */
  setWorkflowOverride(name: string, override: Omit<WorkflowOverride, 'name'> | null): Promise<void>;

  /** Deletes dedupe keys past their window. Returns how many were deleted. */
  purgeDedupe(nowMs: number): Promise<number>;

  /** Every connector trigger lifecycle record (a handful per connector workflow at most). */
  listTriggerLifecycles(): Promise<TriggerLifecycleRecord[]>;
  /** Creates or replaces a record by id. */
  saveTriggerLifecycle(record: TriggerLifecycleRecord): Promise<void>;
  deleteTriggerLifecycle(id: string): Promise<void>;
  /** A poll or schedule trigger's state and status; null before it first ran. */
  getTriggerState(workflow: string): Promise<TriggerState | null>;
  /**
   * Commits one successful poll in ONE transaction: a queued job for each item that is new (not
   * remembered, or remembered past its window) or whose version changed — but none for baseline
   * items on the first poll — the items remembered, the state and status saved. Jobs and
   * seen-state commit together, so a crash can neither lose an item nor start it twice.
   * Returns the ids of the jobs created, in item order.
   */
  recordPoll(poll: PollResult): Promise<string[]>;
  /** A failed run of a poll or schedule: its time and error, for the status. */
  recordTriggerFailure(workflow: string, atMs: number, error: string): Promise<void>;
  /**
   * Claims the fire time `tickAt` of a schedule and creates its job, in one transaction. Only
   * one caller wins a fire time: false when it, or a later one, was claimed already.
   */
  claimTick(
    workflow: string,
    tickAt: number,
    job: { id: string; trigger: ScheduleTriggerData },
  ): Promise<boolean>;
  /** Forgets a schedule's newest claimed tick, so that nothing is caught up after a pause. */
  resetSchedule(workflow: string): Promise<void>;
  /** Deletes remembered poll items past their window. Returns how many were deleted. */
  purgeSeenItems(nowMs: number): Promise<number>;
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
