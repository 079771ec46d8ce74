/**
 * @module store/version-rows
 * Rows of workflow versions as both backends return them, and their conversion.
 *
 * @example
 *   const versions = rows.map(toVersionSummary);
 */
import { iso } from './job-rows.js';
import type { WorkflowVersion, WorkflowVersionSummary } from './types.js';

export interface VersionRow {
  workflow: string;
  version: string;
  file: string;
  text: string;
  created_at: number;
}

export interface VersionSummaryRow {
  version: string;
  created_at: number;
  first_id: string | null;
  first_at: number | null;
  last_id: string | null;
  last_at: number | null;
}

/**
 * Each version with its first and last job: two seeks per end on jobs_by_version
 * (workflow, version, seq). `P` is the backend's placeholder for the workflow name.
 */
export function listVersionsSql(p: string): string {
  const end = (dir: 'ASC' | 'DESC', col: string) =>
    `(SELECT ${col} FROM jobs j WHERE j.workflow = v.workflow AND j.version = v.version
      ORDER BY j.seq ${dir} LIMIT 1)`;
  return `SELECT v.version, v.created_at,
      ${end('ASC', 'id')} AS first_id, ${end('ASC', 'created_at')} AS first_at,
      ${end('DESC', 'id')} AS last_id, ${end('DESC', 'created_at')} AS last_at
    FROM workflow_versions v WHERE v.workflow = ${p} ORDER BY v.created_at DESC, v.version`;
}

export function toWorkflowVersion(row: VersionRow): WorkflowVersion {
  return {
    workflow: row.workflow,
    version: row.version,
    file: row.file,
    text: row.text,
    createdAt: iso(row.created_at),
  };
}

export function toVersionSummary(row: VersionSummaryRow): WorkflowVersionSummary {
  const end = (id: string | null, at: number | null) =>
    id === null || at === null ? null : { id, createdAt: iso(at) };
  return {
    version: row.version,
    createdAt: iso(row.created_at),
    firstJob: end(row.first_id, row.first_at),
    lastJob: end(row.last_id, row.last_at),
  };
}

/**
 * Finished jobs of one workflow that a prune rule lets go, oldest first: created before
 * `olderThan`, or at or below `keepAbove` (the seq of the newest job past the ones kept).
 * Placeholders: workflow, olderThan, keepAbove, limit.
 */
export function prunableSql(p: [string, string, string, string]): string {
  const [workflow, olderThan, keepAbove, limit] = p;
  return `SELECT seq FROM jobs WHERE workflow = ${workflow}
      AND status IN ('succeeded', 'failed')
      AND (created_at < ${olderThan} OR seq <= ${keepAbove})
    ORDER BY seq LIMIT ${limit}`;
}

/** The seq of the newest job past the `keep` newest of a workflow. Placeholders: workflow, keep. */
export function keepBoundarySql(p: [string, string]): string {
  return `SELECT seq FROM jobs WHERE workflow = ${p[0]} ORDER BY seq DESC LIMIT 1 OFFSET ${p[1]}`;
}
