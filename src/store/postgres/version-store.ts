/**
 * @module store/postgres/version-store
 * Workflow versions and retention on PostgreSQL: the text of each version kept once, and
 * pruning of finished jobs in small batches (each batch one short DELETE, so autovacuum
 * reuses the space; the table does not shrink on disk, it stops growing).
 *
 * @example
 *   return { ...coreMethods, ...createVersionMethods(db) };
 */
import type { RetentionStore, WorkflowVersionStore } from '../types.js';
import {
  keepBoundarySql,
  listVersionsSql,
  prunableSql,
  toVersionSummary,
  toWorkflowVersion,
} from '../version-rows.js';
import type { VersionRow, VersionSummaryRow } from '../version-rows.js';
import type { PgAccess } from './pool.js';

const PUT_VERSION = `
  INSERT INTO workflow_versions (workflow, version, file, text, created_at)
  VALUES ($1, $2, $3, $4, (extract(epoch from clock_timestamp()) * 1000)::bigint)
  ON CONFLICT (workflow, version) DO NOTHING`;

/** The tables of this store's schema, with their indexes and TOAST. */
const SCHEMA_BYTES = `
  SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND c.relkind = 'r'`;

/**
 * Exact below 100,000 jobs; past it, the planner's estimate (pg_class.reltuples, kept by
 * autovacuum and ANALYZE): count(*) reads every row's visibility, 100 ms per million jobs.
 * The count(*) is an InitPlan, run only when the CASE needs it.
 */
const COUNT_JOBS = `
  SELECT CASE WHEN c.reltuples >= 100000 THEN c.reltuples::bigint
    ELSE (SELECT count(*) FROM jobs) END AS n
  FROM pg_class c WHERE c.oid = 'jobs'::regclass`;

export function createVersionMethods(db: PgAccess): WorkflowVersionStore & RetentionStore {
  return {
    async putWorkflowVersion(v) {
      await db.query('putWorkflowVersion', PUT_VERSION, [v.workflow, v.version, v.file, v.text]);
    },

    async getWorkflowVersion(workflow, version) {
      const { rows } = await db.query<VersionRow>(
        'getWorkflowVersion',
        'SELECT * FROM workflow_versions WHERE workflow = $1 AND version = $2',
        [workflow, version],
      );
      return rows[0] === undefined ? null : toWorkflowVersion(rows[0]);
    },

    async listWorkflowVersions(workflow) {
      const { rows } = await db.query<VersionSummaryRow>(
        'listWorkflowVersions',
        listVersionsSql('$1'),
        [workflow],
      );
      return rows.map(toVersionSummary);
    },

    async pruneJobs(rule, limit) {
      let keepAbove = -1;
      if (rule.keep !== undefined) {
        const { rows } = await db.query<{ seq: number }>(
          'pruneJobs',
          keepBoundarySql(['$1', '$2']),
          [rule.workflow, rule.keep],
        );
        keepAbove = rows[0]?.seq ?? -1;
      }
      // Steps go with their job (ON DELETE CASCADE).
      const { rowCount } = await db.query(
        'pruneJobs',
        `DELETE FROM jobs WHERE seq IN (${prunableSql(['$1', '$2', '$3', '$4'])})`,
        [rule.workflow, rule.olderThan ?? -1, keepAbove, limit],
      );
      return rowCount ?? 0;
    },

    async jobWorkflows() {
      const { rows } = await db.query<{ workflow: string }>(
        'jobWorkflows',
        'SELECT DISTINCT workflow FROM jobs',
      );
      return rows.map((r) => r.workflow);
    },

    async countJobs() {
      const { rows } = await db.query<{ n: number }>('countJobs', COUNT_JOBS);
      return rows[0]?.n ?? 0;
    },

    async databaseBytes() {
      const { rows } = await db.query<{ bytes: number }>('databaseBytes', SCHEMA_BYTES);
      return rows[0]?.bytes ?? 0;
    },

    // PostgreSQL's autovacuum makes deleted rows' space reusable by itself.
    async reclaimSpace() {},
  };
}
