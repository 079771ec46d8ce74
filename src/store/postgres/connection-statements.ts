/**
 * @module store/postgres/connection-statements
 * The SQL of connections on PostgreSQL: API-created connection documents, OAuth2 tokens and
 * pending authorizations.
 *
 * @example
 *   await db.query('getConnectionTokens', GET_TOKENS, [name]);
 */

export interface ConnectionRow {
  name: string;
  document: string;
  sealed: boolean;
  updated_at: number;
}

export interface OAuthStateRow {
  state: string;
  connection: string;
  data: string;
  expires_at: number;
}

export const LIST = 'SELECT name, document, sealed, updated_at FROM connections ORDER BY name';

export const PUT = `
  INSERT INTO connections (name, document, sealed, updated_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (name) DO UPDATE SET document = excluded.document, sealed = excluded.sealed,
    updated_at = excluded.updated_at`;

/** The connection and its tokens, in one statement. */
export const DELETE = `
  WITH tokens AS (DELETE FROM connection_tokens WHERE name = $1)
  DELETE FROM connections WHERE name = $1`;

export const GET_TOKENS = 'SELECT tokens FROM connection_tokens WHERE name = $1';

export const PUT_TOKENS = `
  INSERT INTO connection_tokens (name, tokens, updated_at) VALUES ($1, $2, $3)
  ON CONFLICT (name) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at`;

export const DELETE_TOKENS = 'DELETE FROM connection_tokens WHERE name = $1';

/** Compare-and-set from "none stored": a concurrent insert makes this one insert nothing. */
export const INSERT_TOKENS_IF_NONE = `
  INSERT INTO connection_tokens (name, tokens, updated_at) VALUES ($1, $2, $3)
  ON CONFLICT (name) DO NOTHING`;

/** Compare-and-set on the stored value ($3 expected). */
export const REPLACE_TOKENS_IF = `
  UPDATE connection_tokens SET tokens = $2, updated_at = $4 WHERE name = $1 AND tokens = $3`;

export const DELETE_TOKENS_IF = 'DELETE FROM connection_tokens WHERE name = $1 AND tokens = $2';

export const NO_TOKENS =
  'SELECT NOT EXISTS (SELECT 1 FROM connection_tokens WHERE name = $1) AS none';

export const SAVE_STATE =
  'INSERT INTO oauth_states (state, connection, data, expires_at) VALUES ($1, $2, $3, $4)';

/** Takes the state (whether expired or not) and drops every expired one, in one statement. */
export const TAKE_STATE = `
  WITH purged AS (DELETE FROM oauth_states WHERE expires_at <= $2 AND state <> $1)
  DELETE FROM oauth_states WHERE state = $1 RETURNING state, connection, data, expires_at`;
