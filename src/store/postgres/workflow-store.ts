/**
 * @module store/postgres/workflow-store
 * The Store methods of API-pushed workflows, their enable/disable overrides and the settings
 * table on PostgreSQL.
 *
 * @example
 *   return { ...coreMethods, ...createWorkflowMethods(db) };
 */
import type { WorkflowStore } from '../types.js';
import type { PgAccess } from './pool.js';
import { GET_META, SET_META } from './statements.js';
import {
  DELETE_OVERRIDE,
  DELETE_WORKFLOW,
  LIST_OVERRIDES,
  LIST_WORKFLOWS,
  PUT_WORKFLOW,
  SET_OVERRIDE,
} from './workflow-statements.js';
import type { OverrideRow, StoredWorkflowRow } from './workflow-statements.js';

export function createWorkflowMethods(db: PgAccess): WorkflowStore {
  return {
    async getMeta(key: string) {
      const { rows } = await db.query<{ value: string }>('getMeta', GET_META, [key]);
      return rows[0]?.value ?? null;
    },

    async setMeta(key: string, value: string) {
      await db.query('setMeta', SET_META, [key, value]);
    },

    async listStoredWorkflows() {
      const { rows } = await db.query<StoredWorkflowRow>('listStoredWorkflows', LIST_WORKFLOWS);
      return rows.map((row) => ({
        name: row.name,
        text: row.text,
        format: row.format,
        updatedAt: new Date(row.updated_at).toISOString(),
      }));
    },

    async putStoredWorkflow(w) {
      await db.query('putStoredWorkflow', PUT_WORKFLOW, [w.name, w.text, w.format, Date.now()]);
    },

    async deleteStoredWorkflow(name: string) {
      const { rowCount } = await db.query('deleteStoredWorkflow', DELETE_WORKFLOW, [name]);
      return (rowCount ?? 0) > 0;
    },

    async listWorkflowOverrides() {
      const { rows } = await db.query<OverrideRow>('listWorkflowOverrides', LIST_OVERRIDES);
      return rows.map((row) => ({ name: row.name, enabled: row.enabled, hash: row.hash }));
    },

    async setWorkflowOverride(name, override) {
      if (override === null) await db.query('setWorkflowOverride', DELETE_OVERRIDE, [name]);
      else
        await db.query('setWorkflowOverride', SET_OVERRIDE, [
          name,
          override.enabled,
          override.hash,
          Date.now(),
        ]);
    },
  };
}
