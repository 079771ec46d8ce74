/**
 * @module store/postgres/connection-store
 * The Store methods of connections on PostgreSQL. Token writes with an expected value are a
 * compare-and-set in one statement, so of several processes refreshing one token, one wins.
 *
 * @example
 *   return { ...otherMethods, ...createConnectionMethods(db) };
 */
import type { ConnectionStore, StoredConnection } from '../types.js';
import type { PgAccess } from './pool.js';
import {
  DELETE,
  DELETE_TOKENS,
  DELETE_TOKENS_IF,
  GET_TOKENS,
  INSERT_TOKENS_IF_NONE,
  LIST,
  NO_TOKENS,
  PUT,
  PUT_TOKENS,
  REPLACE_TOKENS_IF,
  SAVE_STATE,
  TAKE_STATE,
} from './connection-statements.js';
import type { ConnectionRow, OAuthStateRow } from './connection-statements.js';

export function createConnectionMethods(db: PgAccess): ConnectionStore {
  const changed = async (operation: string, sql: string, params: unknown[]) =>
    ((await db.query(operation, sql, params)).rowCount ?? 0) > 0;

  return {
    async listConnections(): Promise<StoredConnection[]> {
      const { rows } = await db.query<ConnectionRow>('listConnections', LIST);
      return rows.map((row) => ({
        name: row.name,
        document: row.document,
        sealed: row.sealed,
        updatedAt: new Date(row.updated_at).toISOString(),
      }));
    },

    async putConnection(c: StoredConnection) {
      const updatedAt = Date.parse(c.updatedAt);
      await db.query('putConnection', PUT, [
        c.name,
        c.document,
        c.sealed,
        Number.isNaN(updatedAt) ? Date.now() : updatedAt,
      ]);
    },

    async deleteConnection(name: string) {
      return changed('deleteConnection', DELETE, [name]);
    },

    async getConnectionTokens(name: string) {
      const { rows } = await db.query<{ tokens: string }>('getConnectionTokens', GET_TOKENS, [
        name,
      ]);
      return rows[0]?.tokens ?? null;
    },

    async setConnectionTokens(name: string, sealed: string | null, expected?: string | null) {
      const op = 'setConnectionTokens';
      const now = Date.now();
      if (expected === undefined) {
        if (sealed === null) await db.query(op, DELETE_TOKENS, [name]);
        else await db.query(op, PUT_TOKENS, [name, sealed, now]);
        return true;
      }
      if (expected === null) {
        if (sealed !== null) return changed(op, INSERT_TOKENS_IF_NONE, [name, sealed, now]);
        const { rows } = await db.query<{ none: boolean }>(op, NO_TOKENS, [name]);
        return rows[0]?.none ?? false;
      }
      if (sealed === null) return changed(op, DELETE_TOKENS_IF, [name, expected]);
      return changed(op, REPLACE_TOKENS_IF, [name, sealed, expected, now]);
    },

    async saveOAuthState(s) {
      await db.query('saveOAuthState', SAVE_STATE, [s.state, s.connection, s.data, s.expiresAt]);
    },

    async takeOAuthState(state: string, nowMs: number) {
      const { rows } = await db.query<OAuthStateRow>('takeOAuthState', TAKE_STATE, [state, nowMs]);
      const row = rows[0];
      if (row === undefined || row.expires_at <= nowMs) return null;
      return {
        state: row.state,
        connection: row.connection,
        data: row.data,
        expiresAt: row.expires_at,
      };
    },
  };
}
