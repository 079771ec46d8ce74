/**
 * @module store/job-rows
 * Rows of jobs, steps and dedupe keys as every backend returns them (epoch-ms integers, JSON
 * text), and their conversion to the store's API types: the tables of both backends have the
 * same columns, so they share it.
 *
 * @example
 *   const detail = toJobDetail(jobRow, stepRows);
 */
import type { HttpReply } from '../workflow/types.js';
import { StoreError } from './errors.js';
import { encodeJobCursor } from './job-cursor.js';
import type {
  ClaimedJob,
  JobDetail,
  JobStatus,
  JobTrace,
  JobSummary,
  JobWaiting,
  StepRecord,
  TriggerData,
} from './types.js';

export interface InsertStepParams {
  jobId: string;
  seq: number;
  id: string;
  type: string;
  status: string;
  input: string | null;
  output: string | null;
  error: string | null;
  attempts: number;
  startedAt: number;
  durationMs: number;
  waitedMs: number;
}

export interface JobSummaryRow extends WaitingColumns {
  seq: number;
  id: string;
  workflow: string;
  status: JobStatus;
  created_at: number;
  finished_at: number | null;
}

/** What tells why a queued job waits (waitingColumns in ./concurrency-sql.ts). */
export interface WaitingColumns {
  run_after: number | null;
  concurrency_key: string | null;
  concurrency_limit: number | null;
  debounce_count: number | null;
  debounce_last_at: number | null;
  /** The claim's concurrency rule holds this queued job back (SQLite 0/1, PostgreSQL boolean). */
  held: boolean | number | null;
}

export interface JobRow extends JobSummaryRow {
  attempt: number;
  rerun_of: string | null;
  version: string | null;
  failure_of: string | null;
  replay_id: string | null;
  trigger: string;
  reply: string | null;
  error: string | null;
  started_at: number | null;
  trace_context: string | null;
}

/** What `claimJob` reads back from its UPDATE … RETURNING. */
export interface ClaimRow {
  seq: number;
  id: string;
  workflow: string;
  attempt: number;
  version: string | null;
  failure_of: string | null;
  trigger: string;
  reply: string | null;
  created_at: number;
  trace_context: string | null;
  /** Returned by the PostgreSQL claims (the concurrency re-check); absent on SQLite. */
  concurrency_key?: string | null;
  debounce_count: number | null;
  debounce_last_at: number | null;
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
  waited_ms: number;
}

export interface DedupeRow {
  job_id: string;
  answer: string | null;
}

/**
 * A page of a listing from its rows, fetched one more than `limit`: that extra row tells
 * whether another page exists.
 */
export function jobPage(
  rows: JobSummaryRow[],
  limit: number,
): { jobs: JobSummary[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last !== undefined ? encodeJobCursor(last.seq) : null;
  return { jobs: page.map((row) => toJobSummary(row)), nextCursor };
}

export function toJobSummary(row: JobSummaryRow, nowMs = Date.now()): JobSummary {
  return {
    id: row.id,
    workflow: row.workflow,
    status: row.status,
    createdAt: iso(row.created_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
    durationMs: row.finished_at === null ? null : row.finished_at - row.created_at,
    waiting: waitingOf(row, nowMs),
  };
}

/** Why a queued job has not started: its debounce first, then its concurrency key. */
export function waitingOf(
  row: WaitingColumns & { status: JobStatus },
  nowMs: number,
): JobWaiting | null {
  if (row.status !== 'queued') return null;
  if (row.run_after !== null && Number(row.run_after) > nowMs) {
    return {
      reason: 'debounce',
      until: iso(Number(row.run_after)),
      count: row.debounce_count ?? 1,
    };
  }
  if (row.held && row.concurrency_key !== null) {
    return { reason: 'concurrency', key: row.concurrency_key, limit: row.concurrency_limit ?? 1 };
  }
  return { reason: 'queue' };
}

/**
 * The trigger data of a job: a debounced job's is its last event's, with the burst's count
 * and times (a rerun's stored trigger data already carries them).
 */
function triggerOf(
  row: { trigger: string; created_at: number } & Pick<
    WaitingColumns,
    'debounce_count' | 'debounce_last_at'
  >,
): TriggerData {
  const trigger = JSON.parse(row.trigger) as TriggerData;
  if (row.debounce_count === null) return trigger;
  const firstAt = iso(Number(row.created_at));
  const lastAt = row.debounce_last_at === null ? firstAt : iso(Number(row.debounce_last_at));
  return { ...trigger, debounce: { count: row.debounce_count, firstAt, lastAt } };
}

export function toJobDetail(row: JobRow, steps: StepRow[]): JobDetail {
  return {
    ...toJobSummary(row),
    attempt: row.attempt,
    rerunOf: row.rerun_of,
    version: row.version,
    failureOf: row.failure_of,
    replay: row.replay_id,
    trigger: triggerOf(row),
    steps: steps.map(toStepRecord),
    reply: parseReply(row.reply),
    error: row.error,
    trace: parseTrace(row.trace_context),
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
    waitedMs: row.waited_ms,
  };
}

export function toClaimedJob(row: ClaimRow, steps: StepRow[]): ClaimedJob {
  return {
    id: row.id,
    workflow: row.workflow,
    attempt: row.attempt,
    version: row.version,
    failureOf: row.failure_of,
    trigger: triggerOf(row),
    steps: steps.map(toStepRecord),
    reply: parseReply(row.reply),
    createdAt: iso(row.created_at),
    trace: parseTrace(row.trace_context),
  };
}

/** The trace column: the propagator's fields as JSON text, NULL without tracing. */
export function traceText(trace: JobTrace | undefined | null): string | null {
  return trace ? JSON.stringify(trace) : null;
}

export function parseTrace(text: string | null): JobTrace | null {
  return text === null ? null : (JSON.parse(text) as JobTrace);
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

export function parseJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

export function iso(ms: number): string {
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
    waitedMs: Math.round(step.waitedMs ?? 0),
  };
}
