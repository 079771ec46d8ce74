/**
 * @module store/sqlite/version-store
 * Workflow versions and retention on SQLite: the text of each version kept once, pruning of
 * finished jobs in small batches, and the incremental vacuum that gives their pages back.
 * Statements are prepared on first use, off the ingest path.
 *
 * @example
 *   return { ...coreMethods, ...createVersionMethods(write, read) };
 */
import fs from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import type { RetentionStore, WorkflowVersionStore } from '../types.js';
import {
  keepBoundarySql,
  listVersionsSql,
  prunableSql,
  toVersionSummary,
  toWorkflowVersion,
} from '../version-rows.js';
import type { VersionRow, VersionSummaryRow } from '../version-rows.js';

type Write = <T>(operation: string, op: () => T) => Promise<T>;
type Read = (operation: string) => { db: BetterSqlite3.Database };

/** Free pages given back per incremental vacuum (4 KiB each): a few ms of work at most. */
const VACUUM_PAGES = 2000;

function prepare(db: BetterSqlite3.Database) {
  return {
    putVersion: db.prepare<[string, string, string, string, number]>(
      `INSERT OR IGNORE INTO workflow_versions (workflow, version, file, text, created_at)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    getVersion: db.prepare<[string, string], VersionRow>(
      'SELECT * FROM workflow_versions WHERE workflow = ? AND version = ?',
    ),
    listVersions: db.prepare<[string], VersionSummaryRow>(listVersionsSql('?')),
    keepBoundary: db.prepare<[string, number], number>(keepBoundarySql(['?', '?'])).pluck(),
    prune: db.prepare<[string, number, number, number]>(
      `DELETE FROM jobs WHERE seq IN (${prunableSql(['?', '?', '?', '?'])})`,
    ),
    jobWorkflows: db.prepare<[], string>('SELECT DISTINCT workflow FROM jobs').pluck(),
    countJobs: db.prepare<[], number>('SELECT count(*) FROM jobs').pluck(),
  };
}

export function createVersionMethods(
  write: Write,
  read: Read,
  file: string,
): WorkflowVersionStore & RetentionStore {
  let statements: ReturnType<typeof prepare> | null = null;
  const sql = (operation: string) => (statements ??= prepare(read(operation).db));

  return {
    async putWorkflowVersion(v) {
      const s = sql('putWorkflowVersion');
      await write('putWorkflowVersion', () => {
        s.putVersion.run(v.workflow, v.version, v.file, v.text, Date.now());
      });
    },

    async getWorkflowVersion(workflow, version) {
      const row = sql('getWorkflowVersion').getVersion.get(workflow, version);
      return row === undefined ? null : toWorkflowVersion(row);
    },

    async listWorkflowVersions(workflow) {
      return sql('listWorkflowVersions').listVersions.all(workflow).map(toVersionSummary);
    },

    async pruneJobs(rule, limit) {
      const s = sql('pruneJobs');
      return write('pruneJobs', () => {
        const keepAbove =
          rule.keep === undefined ? -1 : (s.keepBoundary.get(rule.workflow, rule.keep) ?? -1);
        const olderThan = rule.olderThan ?? -1;
        // Steps go with their job (ON DELETE CASCADE).
        return s.prune.run(rule.workflow, olderThan, keepAbove, limit).changes;
      });
    },

    async jobWorkflows() {
      return sql('jobWorkflows').jobWorkflows.all();
    },

    async countJobs() {
      return sql('countJobs').countJobs.get() ?? 0;
    },

    async databaseBytes() {
      const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
      return size(file) + size(`${file}-wal`);
    },

    async reclaimSpace() {
      const { db } = read('reclaimSpace');
      await write('reclaimSpace', () => db.pragma(`incremental_vacuum(${VACUUM_PAGES})`));
    },
  };
}
