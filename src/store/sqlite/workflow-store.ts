/**
 * @module store/sqlite/workflow-store
 * The Store methods of API-pushed workflows, their enable/disable overrides and the settings
 * table on SQLite. The workflow statements are prepared on first use, off the ingest path.
 *
 * @example
 *   return { ...coreMethods, ...createWorkflowMethods(write, read) };
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { WorkflowStore } from '../types.js';
import type { Statements } from './statements.js';
import type { WorkflowStatements } from './workflow-statements.js';
import { prepareWorkflowStatements, toOverride, toStoredWorkflow } from './workflow-statements.js';

type Write = <T>(operation: string, op: (sql: Statements) => T) => Promise<T>;
type Read = (operation: string) => { db: BetterSqlite3.Database; sql: Statements };

export function createWorkflowMethods(write: Write, read: Read): WorkflowStore {
  let workflowSql: WorkflowStatements | null = null;
  function wfSql(operation: string): WorkflowStatements {
    return (workflowSql ??= prepareWorkflowStatements(read(operation).db));
  }
  function wfWrite<T>(operation: string, op: (sql: WorkflowStatements) => T): Promise<T> {
    const sql = wfSql(operation);
    return write(operation, () => op(sql));
  }

  return {
    async getMeta(key: string) {
      return read('getMeta').sql.getMeta.get(key) ?? null;
    },

    async setMeta(key: string, value: string) {
      return write('setMeta', (sql) => {
        sql.setMeta.run(key, value);
      });
    },

    async listStoredWorkflows() {
      return wfSql('listStoredWorkflows').listWorkflows.all().map(toStoredWorkflow);
    },

    async putStoredWorkflow(workflow) {
      const params = { ...workflow, updatedAt: Date.now() };
      return wfWrite('putStoredWorkflow', (sql) => {
        sql.putWorkflow.run(params);
      });
    },

    async deleteStoredWorkflow(name: string) {
      return wfWrite('deleteStoredWorkflow', (sql) => sql.deleteWorkflow.run(name).changes > 0);
    },

    async listWorkflowOverrides() {
      return wfSql('listWorkflowOverrides').listOverrides.all().map(toOverride);
    },

    async setWorkflowOverride(name, override) {
      const updatedAt = Date.now();
      return wfWrite('setWorkflowOverride', (sql) => {
        if (override === null) sql.deleteOverride.run(name);
        else
          sql.setOverride.run({
            name,
            enabled: override.enabled ? 1 : 0,
            hash: override.hash,
            updatedAt,
          });
      });
    },
  };
}
