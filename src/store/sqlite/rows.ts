/**
 * @module store/sqlite/rows
 * The shape of rows as SQLite returns them, and their conversion to the store's API types.
 * Rows of jobs and steps are the same on every backend (../job-rows.ts); what SQLite keeps
 * differently (JSON as text everywhere) is here.
 *
 * @example
 *   const record = toTriggerLifecycle(row);
 */
import type { TriggerLifecycleRecord } from '../types.js';
import { parseJson } from '../job-rows.js';

export * from '../job-rows.js';

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
