/**
 * @module store/postgres/rows
 * The shape of rows as PostgreSQL returns them, and their conversion to the store's API types.
 * Rows of jobs and steps are the same on every backend (../job-rows.ts); what PostgreSQL keeps
 * differently (jsonb and boolean columns, read back as values) is here.
 *
 * @example
 *   const record = toTriggerLifecycle(row);
 */
import type { TriggerLifecycleRecord } from '../types.js';

export * from '../job-rows.js';

export interface TriggerLifecycleRow {
  id: string;
  workflow: string;
  fingerprint: string;
  spec: unknown;
  status: TriggerLifecycleRecord['status'];
  state: unknown;
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
    spec: row.spec,
    status: row.status,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    updatedAt: row.updated_at,
  };
}

/**
 * A value for a jsonb parameter: node-postgres sends JS arrays as PostgreSQL arrays, so JSON
 * goes as its text. undefined is stored as NULL.
 */
export function jsonb(value: unknown): string | null {
  return (JSON.stringify(value) as string | undefined) ?? null;
}
