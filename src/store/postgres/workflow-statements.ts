/**
 * @module store/postgres/workflow-statements
 * The SQL of API-pushed workflows and the enable/disable overrides on PostgreSQL.
 *
 * @example
 *   await db.query('putStoredWorkflow', PUT_WORKFLOW, [name, text, format, Date.now()]);
 */

export interface StoredWorkflowRow {
  name: string;
  text: string;
  format: 'yaml' | 'json';
  updated_at: number;
}

export interface OverrideRow {
  name: string;
  enabled: boolean;
  hash: string;
}

export const LIST_WORKFLOWS =
  'SELECT name, text, format, updated_at FROM api_workflows ORDER BY name';

export const PUT_WORKFLOW = `
  INSERT INTO api_workflows (name, text, format, updated_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (name) DO UPDATE SET
    text = excluded.text, format = excluded.format, updated_at = excluded.updated_at`;

export const DELETE_WORKFLOW = 'DELETE FROM api_workflows WHERE name = $1';

export const LIST_OVERRIDES = 'SELECT name, enabled, hash FROM workflow_overrides ORDER BY name';

export const SET_OVERRIDE = `
  INSERT INTO workflow_overrides (name, enabled, hash, updated_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (name) DO UPDATE SET
    enabled = excluded.enabled, hash = excluded.hash, updated_at = excluded.updated_at`;

export const DELETE_OVERRIDE = 'DELETE FROM workflow_overrides WHERE name = $1';
