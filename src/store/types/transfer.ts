/**
 * @module store/types/transfer
 * What moving an installation from one backend to another reads and writes (`hookflow
 * migrate`): the rows no other method lists (settings, OAuth2 tokens, trigger state, seen poll
 * items, dedupe keys, whole jobs), read in pages so that a large table never sits in memory,
 * and written as they were — ids, times and versions kept. Every import skips or replaces by
 * primary key, so importing the same rows twice leaves one copy.
 *
 * @example
 *   const page = await from.exportJobs({ after: null, limit: 200, unfinishedOnly: false });
 *   await to.importJobs(page.items);
 */
import type { HttpReply } from '../../workflow/types.js';
import type { JobStatus, StepRecord, TriggerData } from './jobs.js';
import type { TimedTriggerData, TriggerState } from './triggers.js';

/** One page of an export; `next` is passed back as `after` for the following page. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface PageRequest {
  /** Where the previous page ended (its `next`); null for the first page. */
  after: string | null;
  /** Rows at most (clamped to 1…500). */
  limit: number;
}

export interface MetaEntry {
  key: string;
  value: string;
}

export interface ConnectionTokensRecord {
  name: string;
  /** The tokens as stored: sealed with HOOKFLOW_SECRET_KEY. */
  sealed: string;
}

export interface TriggerStateRecord extends TriggerState {
  workflow: string;
}

/** A poll item remembered until `expiresAt` (epoch ms). */
export interface SeenItemRecord {
  workflow: string;
  itemId: string;
  version: string | null;
  expiresAt: number;
}

/** A dedupe key with the job it named and the answer duplicates get, until `expiresAt`. */
export interface DedupeKeyRecord {
  workflow: string;
  key: string;
  jobId: string;
  answer: HttpReply | null;
  expiresAt: number;
}

/** A whole job: what `getJob` shows, with its times as epoch ms. */
export interface JobRecord {
  id: string;
  workflow: string;
  status: JobStatus;
  attempt: number;
  rerunOf: string | null;
  trigger: TriggerData | TimedTriggerData;
  reply: HttpReply | null;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  steps: StepRecord[];
}

export interface TransferStore {
  listMeta(): Promise<MetaEntry[]>;
  /** The OAuth2 tokens of every connection, API-pushed or from files. */
  listConnectionTokens(): Promise<ConnectionTokensRecord[]>;
  listTriggerStates(): Promise<TriggerStateRecord[]>;
  /** Remembered poll items whose window is still open at `nowMs`, by workflow and id. */
  exportSeenItems(nowMs: number, page: PageRequest): Promise<Page<SeenItemRecord>>;
  /** Dedupe keys still in their window at `nowMs`, by workflow and key. */
  exportDedupeKeys(nowMs: number, page: PageRequest): Promise<Page<DedupeKeyRecord>>;
  /** Jobs oldest first with their steps: all of them, or only the queued and running ones. */
  exportJobs(page: PageRequest & { unfinishedOnly: boolean }): Promise<Page<JobRecord>>;

  /** Creates or replaces each workflow's trigger state. */
  importTriggerStates(records: TriggerStateRecord[]): Promise<void>;
  /** Creates or replaces each remembered item. */
  importSeenItems(records: SeenItemRecord[]): Promise<void>;
  /** Creates or replaces each key. */
  importDedupeKeys(records: DedupeKeyRecord[]): Promise<void>;
  /**
   * Inserts the jobs and their steps in one transaction, skipping ids already stored. A queued
   * or running job arrives queued and unowned: any worker may claim it and resumes it after
   * its last recorded step. Returns how many were inserted.
   */
  importJobs(records: JobRecord[]): Promise<number>;
}
