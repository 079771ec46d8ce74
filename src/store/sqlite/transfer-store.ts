/**
 * @module store/sqlite/transfer-store
 * The transfer methods (types/transfer.ts) on SQLite: exports read page by page on the
 * store's connection, imports go through the group commit like every other write, one
 * transaction per call.
 *
 * @example
 *   return { ...coreMethods, ...createTransferMethods(write, read) };
 */
import type BetterSqlite3 from 'better-sqlite3';
import { jsonOrNull } from '../job-rows.js';
import {
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
import type { TransferStore } from '../types.js';
import type { Statements } from './statements.js';
import type { TransferStatements } from './transfer-statements.js';
import { prepareTransferStatements } from './transfer-statements.js';
import { toTriggerState } from './trigger-store.js';

type Write = <T>(operation: string, op: (sql: Statements) => T) => Promise<T>;
type Read = (operation: string) => { db: BetterSqlite3.Database; sql: Statements };

export function createTransferMethods(write: Write, read: Read): TransferStore {
  let prepared: TransferStatements | null = null;
  function transferSql(operation: string): TransferStatements {
    return (prepared ??= prepareTransferStatements(read(operation).db));
  }
  function transferWrite<T>(
    operation: string,
    op: (t: TransferStatements, sql: Statements) => T,
  ): Promise<T> {
    const t = transferSql(operation);
    return write(operation, (sql) => op(t, sql));
  }

  return {
    async listMeta() {
      return transferSql('listMeta').listMeta.all();
    },

    async listConnectionTokens() {
      return transferSql('listConnectionTokens')
        .listTokens.all()
        .map((row) => ({ name: row.name, sealed: row.tokens }));
    },

    async listTriggerStates() {
      return transferSql('listTriggerStates')
        .listTriggerStates.all()
        .map((row) => ({ workflow: row.workflow, ...toTriggerState(row) }));
    },

    async exportSeenItems(nowMs, page) {
      const limit = clampPageSize(page.limit);
      const [workflow, itemId] = decodeKeyCursor(page.after);
      const t = transferSql('exportSeenItems');
      return seenItemPage(t.exportSeen.all(nowMs, workflow, itemId, limit + 1), limit);
    },

    async exportDedupeKeys(nowMs, page) {
      const limit = clampPageSize(page.limit);
      const [workflow, key] = decodeKeyCursor(page.after);
      const t = transferSql('exportDedupeKeys');
      return dedupeKeyPage(t.exportDedupe.all(nowMs, workflow, key, limit + 1), limit);
    },

    async exportJobs(page) {
      const limit = clampPageSize(page.limit);
      const t = transferSql('exportJobs');
      const select = page.unfinishedOnly ? t.exportUnfinishedJobs : t.exportAllJobs;
      const rows = select.all(jobPageStart(page), limit + 1);
      const steps = read('exportJobs').sql.stepsOfJob;
      return pageOf(rows, limit, (row) => toJobRecord(row, steps.all(row.id)), jobCursorOf);
    },

    async importTriggerStates(records) {
      return transferWrite('importTriggerStates', (t) => {
        for (const r of records) {
          t.putTriggerState.run({
            workflow: r.workflow,
            state: jsonOrNull(r.state),
            polled: r.polled ? 1 : 0,
            sinceAt: r.sinceAt,
            lastTickAt: r.lastTickAt,
            lastRunAt: r.lastRunAt,
            lastSuccessAt: r.lastSuccessAt,
            lastError: r.lastError,
          });
        }
      });
    },

    async importSeenItems(records) {
      return write('importSeenItems', (sql) => {
        for (const r of records) {
          sql.triggers.upsertSeen.run(r.workflow, r.itemId, r.version, r.expiresAt);
        }
      });
    },

    async importDedupeKeys(records) {
      return write('importDedupeKeys', (sql) => {
        for (const r of records) {
          sql.upsertDedupe.run(r.workflow, r.key, r.jobId, replyText(r.answer), r.expiresAt);
        }
      });
    },

    async importJobs(records) {
      const jobs = records.map((r) => ({ job: importJobParams(r), steps: importStepParams(r) }));
      return transferWrite('importJobs', (t) => {
        let inserted = 0;
        for (const { job, steps } of jobs) {
          if (t.insertJob.run(job).changes === 0) continue;
          inserted++;
          for (const step of steps) t.insertStep.run(step);
        }
        return inserted;
      });
    },
  };
}
