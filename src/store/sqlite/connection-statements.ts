/**
 * @module store/sqlite/connection-statements
 * The SQL of connections (migration 2): API-created connection documents, OAuth2 tokens and
 * pending authorizations, prepared once with the store's other statements.
 *
 * @example
 *   sql.connections.put.run({ name, document, sealed: 1, updatedAt: Date.now() });
 */
import type BetterSqlite3 from 'better-sqlite3';

export interface ConnectionRow {
  name: string;
  document: string;
  sealed: number;
  updated_at: number;
}

export interface OAuthStateRow {
  state: string;
  connection: string;
  data: string;
  expires_at: number;
}

type Statement<Params extends unknown[] | object, Row = unknown> = BetterSqlite3.Statement<
  Params,
  Row
>;

export interface ConnectionStatements {
  list: Statement<[], ConnectionRow>;
  put: Statement<{ name: string; document: string; sealed: number; updatedAt: number }>;
  delete: Statement<[name: string]>;
  getTokens: Statement<[name: string], string>;
  putTokens: Statement<[name: string, tokens: string, updatedAt: number]>;
  deleteTokens: Statement<[name: string]>;
  saveState: Statement<[state: string, connection: string, data: string, expiresAt: number]>;
  takeState: Statement<[state: string], OAuthStateRow>;
  purgeStates: Statement<[nowMs: number]>;
}

export function prepareConnectionStatements(db: BetterSqlite3.Database): ConnectionStatements {
  return {
    list: db.prepare<[], ConnectionRow>(
      'SELECT name, document, sealed, updated_at FROM connections ORDER BY name',
    ),
    put: db.prepare(
      `INSERT INTO connections (name, document, sealed, updated_at)
       VALUES (@name, @document, @sealed, @updatedAt)
       ON CONFLICT (name) DO UPDATE SET document = excluded.document, sealed = excluded.sealed,
         updated_at = excluded.updated_at`,
    ),
    delete: db.prepare<[string]>('DELETE FROM connections WHERE name = ?'),
    getTokens: db
      .prepare<[string], string>('SELECT tokens FROM connection_tokens WHERE name = ?')
      .pluck(),
    putTokens: db.prepare<[string, string, number]>(
      `INSERT INTO connection_tokens (name, tokens, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at`,
    ),
    deleteTokens: db.prepare<[string]>('DELETE FROM connection_tokens WHERE name = ?'),
    saveState: db.prepare<[string, string, string, number]>(
      'INSERT INTO oauth_states (state, connection, data, expires_at) VALUES (?, ?, ?, ?)',
    ),
    takeState: db.prepare<[string], OAuthStateRow>(
      'DELETE FROM oauth_states WHERE state = ? RETURNING state, connection, data, expires_at',
    ),
    purgeStates: db.prepare<[number]>('DELETE FROM oauth_states WHERE expires_at <= ?'),
  };
}
