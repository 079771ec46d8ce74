/**
 * @module store/sqlite/connection-store
 * The Store methods of connections on SQLite. Writes go through the store's group-commit
 * `write` like every other write; reads run at once.
 *
 * @example
 *   return { ...otherMethods, ...createConnectionMethods(write, read) };
 */
import type { Store, StoredConnection, StoredOAuthState } from '../types.js';
import type { Statements } from './statements.js';

type ConnectionMethods = Pick<
  Store,
  | 'listConnections'
  | 'putConnection'
  | 'deleteConnection'
  | 'getConnectionTokens'
  | 'setConnectionTokens'
  | 'saveOAuthState'
  | 'takeOAuthState'
>;

export function createConnectionMethods(
  write: <T>(operation: string, op: (sql: Statements) => T) => Promise<T>,
  read: (operation: string) => Statements,
): ConnectionMethods {
  return {
    async listConnections(): Promise<StoredConnection[]> {
      return read('listConnections')
        .connections.list.all()
        .map((row) => ({
          name: row.name,
          document: row.document,
          sealed: row.sealed === 1,
          updatedAt: new Date(row.updated_at).toISOString(),
        }));
    },

    async putConnection(c: StoredConnection) {
      const updatedAt = Date.parse(c.updatedAt);
      return write('putConnection', (sql) => {
        sql.connections.put.run({
          name: c.name,
          document: c.document,
          sealed: c.sealed ? 1 : 0,
          updatedAt: Number.isNaN(updatedAt) ? Date.now() : updatedAt,
        });
      });
    },

    async deleteConnection(name: string) {
      return write('deleteConnection', (sql) => {
        sql.connections.deleteTokens.run(name);
        return sql.connections.delete.run(name).changes > 0;
      });
    },

    async getConnectionTokens(name: string) {
      return read('getConnectionTokens').connections.getTokens.get(name) ?? null;
    },

    async setConnectionTokens(name: string, sealed: string | null, expected?: string | null) {
      return write('setConnectionTokens', (sql) => {
        // Compare-and-set: one process's refresh wins, the others see their token replaced.
        if (expected !== undefined && (sql.connections.getTokens.get(name) ?? null) !== expected) {
          return false;
        }
        if (sealed === null) sql.connections.deleteTokens.run(name);
        else sql.connections.putTokens.run(name, sealed, Date.now());
        return true;
      });
    },

    async saveOAuthState(s: StoredOAuthState) {
      return write('saveOAuthState', (sql) => {
        sql.connections.saveState.run(s.state, s.connection, s.data, s.expiresAt);
      });
    },

    async takeOAuthState(state: string, nowMs: number) {
      return write('takeOAuthState', (sql) => {
        const row = sql.connections.takeState.get(state);
        sql.connections.purgeStates.run(nowMs);
        if (row === undefined || row.expires_at <= nowMs) return null;
        return {
          state: row.state,
          connection: row.connection,
          data: row.data,
          expiresAt: row.expires_at,
        };
      });
    },
  };
}
