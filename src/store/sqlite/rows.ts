/**
 * @module store/sqlite/rows
 * The shape of rows as SQLite returns them, and their conversion to the store's API types:
 * epoch-ms integers become ISO strings, JSON text becomes values.
 *
 * @example
 *   const detail = toJobDetail(jobRow, stepRows);
 */
import type { HttpReply } from '../../workflow/types.js';
import { StoreError } from '../errors.js';
import type { InsertStepParams } from './statements.js';
import type {
  ClaimedJob,
  JobDetail,
  JobStatus,
  JobSummary,
  StepRecord,
  TriggerData,
  TriggerLifecycleRecord,
} from '../types.js';

export interface JobSummaryRow {
  seq: number;
  id: string;
  workflow: string;
  status: JobStatus;
  created_at: number;
  finished_at: number | null;
}

export interface JobRow extends JobSummaryRow {
  attempt: number;
  rerun_of: string | null;
  trigger: string;
  reply: string | null;
  error: string | null;
  started_at: number | null;
}

/** What `claimJob` reads back from its UPDATE … RETURNING. */
export interface ClaimRow {
  seq: number;
  id: string;
  workflow: string;
  attempt: number;
  trigger: string;
  reply: string | null;
}

export interface StepRow {
  seq: number;
  id: string;
  type: string;
  status: StepRecord['status'];
  input: string | null;
  output: string | null;
  error: string | null;
  attempts: number;
  started_at: number;
  duration_ms: number;
}

export interface DedupeRow {
  job_id: string;
  answer: string | null;
}

export interface TriggerLifecycleRow {
  id: string;
  workflow: string;
  fingerprint: string;
  spec: string;
  status: TriggerLifecycleRecord['status'];
  state: string | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
  updated_at: number;
}

export function toTriggerLifecycle(row: TriggerLifecycleRow): TriggerLifecycleRecord {
  return {
    id: row.id,
    workflow: row.workflow,
    fingerprint: row.fingerprint,
    spec: JSON.parse(row.spec) as unknown,
    status: row.status,
    state: parseJson(row.state),
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    updatedAt: row.updated_at,
  };
}

export function toJobSummary(row: JobSummaryRow): JobSummary {
  return {
    id: row.id,
    workflow: row.workflow,
    status: row.status,
    createdAt: iso(row.created_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
    durationMs: row.finished_at === null ? null : row.finished_at - row.created_at,
  };
}

export function toJobDetail(row: JobRow, steps: StepRow[]): JobDetail {
  return {
    ...toJobSummary(row),
    attempt: row.attempt,
    rerunOf: row.rerun_of,
    trigger: JSON.parse(row.trigger) as TriggerData,
    steps: steps.map(toStepRecord),
    reply: parseReply(row.reply),
    error: row.error,
  };
}

export function toStepRecord(row: StepRow): StepRecord {
  return {
    seq: row.seq,
    id: row.id,
    type: row.type,
    status: row.status,
    input: parseJson(row.input),
    output: parseJson(row.output),
    error: row.error,
    attempts: row.attempts,
    startedAt: iso(row.started_at),
    durationMs: row.duration_ms,
  };
}

export function toClaimedJob(row: ClaimRow, steps: StepRow[]): ClaimedJob {
  return {
    id: row.id,
    workflow: row.workflow,
    attempt: row.attempt,
    trigger: JSON.parse(row.trigger) as TriggerData,
    steps: steps.map(toStepRecord),
    reply: parseReply(row.reply),
  };
}

export function parseReply(text: string | null): HttpReply | null {
  return text === null ? null : (JSON.parse(text) as HttpReply);
}

/**
 * JSON text for a value that may be `undefined` (a step without output): stored as NULL and
 * read back as `null`, since `JSON.stringify(undefined)` is not JSON (nor is a function's).
 */
export function jsonOrNull(value: unknown): string | null {
  return (JSON.stringify(value) as string | undefined) ?? null;
}

function parseJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A step's record as the parameters of its INSERT; throws for a startedAt that is not ISO. */
export function stepParams(jobId: string, step: StepRecord): InsertStepParams {
  const startedAt = Date.parse(step.startedAt);
  if (Number.isNaN(startedAt)) {
    throw new StoreError(
      'store_invalid_value',
      `step '${step.id}' of job ${jobId} has startedAt '${step.startedAt}', which is not an ISO timestamp; pass new Date().toISOString()`,
    );
  }
  return {
    jobId,
    seq: step.seq,
    id: step.id,
    type: step.type,
    status: step.status,
    input: jsonOrNull(step.input),
    output: jsonOrNull(step.output),
    error: step.error,
    attempts: step.attempts,
    startedAt,
    durationMs: Math.round(step.durationMs),
  };
}
