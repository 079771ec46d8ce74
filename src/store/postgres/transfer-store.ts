/**
 * @module store/postgres/transfer-store
 * The transfer methods (types/transfer.ts) on PostgreSQL: exports page by key; each import is
 * one statement per table (rows sent as arrays), the jobs and their steps in one transaction.
 *
 * @example
 *   return { ...coreMethods, ...createTransferMethods(db) };
 */
import type { StepRow } from '../job-rows.js';
import {
  JOB_STATUSES_OF,
  clampPageSize,
  decodeKeyCursor,
  dedupeKeyPage,
  importJobParams,
  importStepParams,
  jobCursorOf,
  jobPageStart,
  pageOf,
  replyText,
  seenItemPage,
  toJobRecord,
} from '../transfer-rows.js';
import type { DedupeKeyRow, SeenItemRow } from '../transfer-rows.js';
import type { TransferStore } from '../types.js';
import type { PgAccess } from './pool.js';
import type { JobRow } from './rows.js';
import { jsonb } from './rows.js';
import * as sql from './transfer-statements.js';
import type { TriggerStateRow } from './trigger-statements.js';
import { toTriggerState } from './trigger-store.js';

/** One array per property of `rows`, in `keys` order: the parameters of an unnest INSERT. */
function columns<R>(rows: R[], keys: (keyof R)[]): unknown[][] {
  return keys.map((key) => rows.map((row) => row[key]));
}

export function createTransferMethods(db: PgAccess): TransferStore {
  return {
    async listMeta() {
      const { rows } = await db.query<{ key: string; value: string }>('listMeta', sql.LIST_META);
      return rows;
    },

    async listConnectionTokens() {
      const { rows } = await db.query<{ name: string; tokens: string }>(
        'listConnectionTokens',
        sql.LIST_TOKENS,
      );
      return rows.map((row) => ({ name: row.name, sealed: row.tokens }));
    },

    async listTriggerStates() {
      const { rows } = await db.query<TriggerStateRow & { workflow: string }>(
        'listTriggerStates',
        sql.LIST_TRIGGER_STATES,
      );
      return rows.map((row) => ({ workflow: row.workflow, ...toTriggerState(row) }));
    },

    async exportSeenItems(nowMs, page) {
      const limit = clampPageSize(page.limit);
      const after = decodeKeyCursor(page.after);
      const { rows } = await db.query<SeenItemRow>('exportSeenItems', sql.EXPORT_SEEN, [
        nowMs,
        ...after,
        limit + 1,
      ]);
      return seenItemPage(rows, limit);
    },

    async exportDedupeKeys(nowMs, page) {
      const limit = clampPageSize(page.limit);
      const after = decodeKeyCursor(page.after);
      const { rows } = await db.query<DedupeKeyRow>('exportDedupeKeys', sql.EXPORT_DEDUPE, [
        nowMs,
        ...after,
        limit + 1,
      ]);
      return dedupeKeyPage(rows, limit);
    },

    async exportJobs(page) {
      const limit = clampPageSize(page.limit);
      const statuses = JOB_STATUSES_OF[page.unfinishedOnly ? 'unfinished' : 'all'];
      const { rows } = await db.query<JobRow>('exportJobs', sql.EXPORT_JOBS, [
        jobPageStart(page),
        statuses,
        limit + 1,
      ]);
      const ids = rows.slice(0, limit).map((r) => r.id);
      const steps = await db.query<StepRow & { job_id: string }>('exportJobs', sql.STEPS_OF_JOBS, [
        ids,
      ]);
      const byJob = new Map<string, StepRow[]>();
      for (const step of steps.rows) {
        const list = byJob.get(step.job_id);
        if (list === undefined) byJob.set(step.job_id, [step]);
        else list.push(step);
      }
      return pageOf(rows, limit, (row) => toJobRecord(row, byJob.get(row.id) ?? []), jobCursorOf);
    },

    async importTriggerStates(records) {
      if (records.length === 0) return;
      const rows = records.map((r) => ({ ...r, state: jsonb(r.state) }));
      await db.query(
        'importTriggerStates',
        sql.IMPORT_TRIGGER_STATES,
        columns(rows, [
          'workflow',
          'state',
          'polled',
          'sinceAt',
          'lastTickAt',
          'lastRunAt',
          'lastSuccessAt',
          'lastError',
        ]),
      );
    },

    async importSeenItems(records) {
      if (records.length === 0) return;
      await db.query(
        'importSeenItems',
        sql.IMPORT_SEEN,
        columns(records, ['workflow', 'itemId', 'version', 'expiresAt']),
      );
    },

    async importDedupeKeys(records) {
      if (records.length === 0) return;
      const rows = records.map((r) => ({ ...r, answer: replyText(r.answer) }));
      await db.query(
        'importDedupeKeys',
        sql.IMPORT_DEDUPE,
        columns(rows, ['workflow', 'key', 'jobId', 'answer', 'expiresAt']),
      );
    },

    async importJobs(records) {
      if (records.length === 0) return 0;
      const jobs = records.map(importJobParams);
      return db.transaction('importJobs', async (client) => {
        const inserted = await client.query<{ id: string }>(
          sql.IMPORT_JOBS,
          columns(jobs, [
            'id',
            'workflow',
            'status',
            'attempt',
            'rerunOf',
            'trigger',
            'reply',
            'error',
            'createdAt',
            'startedAt',
            'finishedAt',
          ]),
        );
        // Steps of jobs stored before are left as they are.
        const fresh = new Set(inserted.rows.map((r) => r.id));
        const steps = records.filter((r) => fresh.has(r.id)).flatMap(importStepParams);
        if (steps.length > 0) {
          await client.query(
            sql.IMPORT_STEPS,
            columns(steps, [
              'jobId',
              'seq',
              'id',
              'type',
              'status',
              'input',
              'output',
              'error',
              'attempts',
              'startedAt',
              'durationMs',
              'waitedMs',
            ]),
          );
        }
        return fresh.size;
      });
    },
  };
}
