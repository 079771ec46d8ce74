/**
 * @module store/transfer-rows
 * Rows of the transfer methods (types/transfer.ts) as every backend returns and writes them:
 * jobs and steps have the same columns on both, so their conversion is shared, and so are
 * the cursors of the exports' pages.
 *
 * @example
 *   const params = importJobParams(record); // a queued or running job arrives queued
 */
import { StoreError } from './errors.js';
import { clampPageSize, decodeJobCursor, encodeJobCursor } from './job-cursor.js';
import { parseReply, stepParams, toStepRecord } from './job-rows.js';
import type { InsertStepParams, JobRow, StepRow } from './job-rows.js';
import type { HttpReply } from '../workflow/types.js';
import type {
  DedupeKeyRecord,
  JobRecord,
  Page,
  PageRequest,
  SeenItemRecord,
  TriggerData,
} from './types.js';

export { clampPageSize };

export interface ImportJobParams {
  id: string;
  workflow: string;
  status: string;
  attempt: number;
  rerunOf: string | null;
  trigger: string;
  reply: string | null;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export const EXPORT_JOB_COLUMNS =
  'seq, id, workflow, status, attempt, rerun_of, trigger, reply, error, created_at, started_at, finished_at';

export const JOB_STATUSES_OF = {
  all: ['queued', 'running', 'succeeded', 'failed'],
  unfinished: ['queued', 'running'],
} as const;

export function toJobRecord(row: JobRow, steps: StepRow[]): JobRecord {
  return {
    id: row.id,
    workflow: row.workflow,
    status: row.status,
    attempt: row.attempt,
    rerunOf: row.rerun_of,
    trigger: JSON.parse(row.trigger) as TriggerData,
    reply: parseReply(row.reply),
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    steps: steps.map(toStepRecord),
  };
}

/**
 * A job's INSERT parameters. An unfinished job arrives queued: its owner (a process of the
 * old installation) is gone, and whoever claims it next resumes after its recorded steps.
 */
export function importJobParams(record: JobRecord): ImportJobParams {
  const finished = record.status === 'succeeded' || record.status === 'failed';
  return {
    id: record.id,
    workflow: record.workflow,
    status: finished ? record.status : 'queued',
    attempt: record.attempt,
    rerunOf: record.rerunOf,
    trigger: JSON.stringify(record.trigger),
    reply: replyText(record.reply),
    error: record.error,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: finished ? record.finishedAt : null,
  };
}

/** A reply as stored: NULL for none. */
export function replyText(reply: HttpReply | null): string | null {
  return reply === null ? null : JSON.stringify(reply);
}

export function importStepParams(record: JobRecord): InsertStepParams[] {
  return record.steps.map((step) => stepParams(record.id, step));
}

/** The seq a jobs page starts after (0 for the first page). */
export function jobPageStart(page: PageRequest): number {
  return page.after === null ? 0 : decodeJobCursor(page.after);
}

/** A page from rows fetched one more than `limit`, with `next` made from its last row. */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  convert: (row: R) => T,
  cursorOf: (row: R) => string,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(convert),
    next: rows.length > limit && last !== undefined ? cursorOf(last) : null,
  };
}

export const jobCursorOf = (row: { seq: number }): string => encodeJobCursor(row.seq);

/** The cursor of a page keyed by (workflow, key): base64url of the JSON pair. */
export function encodeKeyCursor(workflow: string, key: string): string {
  return Buffer.from(JSON.stringify([workflow, key]), 'utf8').toString('base64url');
}

/** The (workflow, key) a page starts after; ['', ''] (before every row) for the first page. */
export function decodeKeyCursor(after: string | null): [string, string] {
  if (after === null) return ['', ''];
  try {
    const pair: unknown = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
    if (
      Array.isArray(pair) &&
      pair.length === 2 &&
      typeof pair[0] === 'string' &&
      typeof pair[1] === 'string'
    ) {
      return [pair[0], pair[1]];
    }
  } catch {
    // not JSON: refused below
  }
  throw new StoreError(
    'invalid_cursor',
    `cursor '${after}' is not the next of a previous page; pass it as it was returned, or null for the first page`,
  );
}

/** A remembered poll item as both backends read it. */
export interface SeenItemRow {
  workflow: string;
  item_id: string;
  version: string | null;
  expires_at: number;
}

/** A dedupe key as both backends read it. */
export interface DedupeKeyRow {
  workflow: string;
  key: string;
  job_id: string;
  answer: string | null;
  expires_at: number;
}

/** A page of remembered items from rows fetched one more than `limit`. */
export function seenItemPage(rows: SeenItemRow[], limit: number): Page<SeenItemRecord> {
  return pageOf(
    rows,
    limit,
    (r) => ({
      workflow: r.workflow,
      itemId: r.item_id,
      version: r.version,
      expiresAt: r.expires_at,
    }),
    (r) => encodeKeyCursor(r.workflow, r.item_id),
  );
}

/** A page of dedupe keys from rows fetched one more than `limit`. */
export function dedupeKeyPage(rows: DedupeKeyRow[], limit: number): Page<DedupeKeyRecord> {
  return pageOf(
    rows,
    limit,
    (r) => ({
      workflow: r.workflow,
      key: r.key,
      jobId: r.job_id,
      answer: parseReply(r.answer),
      expiresAt: r.expires_at,
    }),
    (r) => encodeKeyCursor(r.workflow, r.key),
  );
}
