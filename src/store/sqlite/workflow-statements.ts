/**
 * @module store/sqlite/workflow-statements
 * The statements behind API-pushed workflows and the enable/disable overrides (migration 5),
 * prepared once when first used. Kept beside `statements.ts` rather than in it: they are off
 * the ingest path and change for other reasons.
 *
 * @example
 *   const wf = prepareWorkflowStatements(db);
 *   wf.putWorkflow.run({ name: 'orders', text, format: 'yaml', updatedAt: Date.now() });
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { StoredWorkflow, WorkflowOverride } from '../types.js';

export interface StoredWorkflowRow {
  name: string;
  text: string;
  format: 'yaml' | 'json';
  updated_at: number;
}

export interface OverrideRow {
  name: string;
  enabled: 0 | 1;
  hash: string;
}

export interface WorkflowStatements {
  listWorkflows: BetterSqlite3.Statement<[], StoredWorkflowRow>;
  putWorkflow: BetterSqlite3.Statement<{
    name: string;
    text: string;
    format: string;
    updatedAt: number;
  }>;
  deleteWorkflow: BetterSqlite3.Statement<[name: string]>;
  listOverrides: BetterSqlite3.Statement<[], OverrideRow>;
  setOverride: BetterSqlite3.Statement<{
    name: string;
    enabled: number;
    hash: string;
    updatedAt: number;
  }>;
  deleteOverride: BetterSqlite3.Statement<[name: string]>;
}

export function prepareWorkflowStatements(db: BetterSqlite3.Database): WorkflowStatements {
  return {
    listWorkflows: db.prepare<[], StoredWorkflowRow>(
      'SELECT name, text, format, updated_at FROM api_workflows ORDER BY name',
    ),
    putWorkflow: db.prepare(
      `INSERT INTO api_workflows (name, text, format, updated_at)
       VALUES (@name, @text, @format, @updatedAt)
       ON CONFLICT (name) DO UPDATE SET
         text = excluded.text, format = excluded.format, updated_at = excluded.updated_at`,
    ),
    deleteWorkflow: db.prepare<[string]>('DELETE FROM api_workflows WHERE name = ?'),
    listOverrides: db.prepare<[], OverrideRow>(
      'SELECT name, enabled, hash FROM workflow_overrides ORDER BY name',
    ),
    setOverride: db.prepare(
      `INSERT INTO workflow_overrides (name, enabled, hash, updated_at)
       VALUES (@name, @enabled, @hash, @updatedAt)
       ON CONFLICT (name) DO UPDATE SET
         enabled = excluded.enabled, hash = excluded.hash, updated_at = excluded.updated_at`,
    ),
    deleteOverride: db.prepare<[string]>('DELETE FROM workflow_overrides WHERE name = ?'),
  };
}

export function toStoredWorkflow(row: StoredWorkflowRow): StoredWorkflow {
  return {
    name: row.name,
    text: row.text,
    format: row.format,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function toOverride(row: OverrideRow): WorkflowOverride {
  return { name: row.name, enabled: row.enabled === 1, hash: row.hash };
}
