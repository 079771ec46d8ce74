/**
 * @module store/types/triggers
 * The triggers store: poll and schedule state, the items a poll has seen, schedule ticks
 * claimed once, and connector trigger lifecycle records.
 *
 * @example
 *   const jobIds = await store.recordPoll(poll);
 */
import type { FailureJob } from './jobs.js';

import type { JobConcurrency } from './jobs.js';

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
  /** The job to create if the item is new or changed (with its workflow's concurrency key). */
  job: { id: string; trigger: PollTriggerData; concurrency?: JobConcurrency };
}

export interface PollResult {
  workflow: string;
  /** The version of the workflow its jobs run. */
  version?: string;
  items: PolledItem[];
  /** The source's state (JSON-serialisable), handed to the next poll. */
  state: unknown;
  /** When the poll began: the next poll's `since`. Epoch ms. */
  startedAt: number;
  finishedAt: number;
  /** How long an id is remembered after the last poll it appeared in. */
  seenWindowMs: number;
}

/** The error workflow's job for a trigger that keeps failing (see recordTriggerFailure). */
export interface TriggerFailureAlert {
  /** The consecutive failures at which the job is created. */
  after: number;
  job: FailureJob;
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

/** The job of a schedule's fire time, for {@link TriggerStore.claimTick}. */
export interface ScheduleJob {
  id: string;
  trigger: ScheduleTriggerData;
  version?: string;
  concurrency?: JobConcurrency;
}

export interface TriggerStore {
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
  /**
   * A failed run of a poll or schedule: its time and error, for the status, and one more
   * consecutive failure (a successful run resets the count). When the count reaches
   * `alert.after`, the error workflow's job `alert.job` is committed in the same transaction:
   * once per failure streak, however many processes record failures. Resolves true when it was.
   */
  recordTriggerFailure(
    workflow: string,
    atMs: number,
    error: string,
    alert?: TriggerFailureAlert,
  ): Promise<boolean>;
  /**
   * Claims the fire time `tickAt` of a schedule and creates its job, in one transaction. Only
   * one caller wins a fire time: false when it, or a later one, was claimed already.
   */
  claimTick(workflow: string, tickAt: number, job: ScheduleJob): Promise<boolean>;
  /** Forgets a schedule's newest claimed tick, so that nothing is caught up after a pause. */
  resetSchedule(workflow: string): Promise<void>;
  /** Deletes remembered poll items past their window. Returns how many were deleted. */
  purgeSeenItems(nowMs: number): Promise<number>;
}
