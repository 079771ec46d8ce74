/**
 * @module store/types/connections
 * The connections store: connections created through the API, their sealed OAuth2 tokens and
 * pending authorizations.
 *
 * @example
 *   const sealed = await store.getConnectionTokens('github');
 */
/** A connection created through the API (§5); `document` is its text, sealed when `sealed`. */
export interface StoredConnection {
  name: string;
  document: string;
  sealed: boolean;
  updatedAt: string;
}

/** A pending OAuth2 authorization: `data` (sealed) holds the PKCE verifier and redirect URI. */
export interface StoredOAuthState {
  state: string;
  connection: string;
  data: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface ConnectionStore {
  /** Connections created through the API, by name. */
  listConnections(): Promise<StoredConnection[]>;
  putConnection(connection: StoredConnection): Promise<void>;
  /** Deletes the connection and its tokens; false when there was none of that name. */
  deleteConnection(name: string): Promise<boolean>;
  /** A connection's OAuth2 tokens, sealed; null when it has none. */
  getConnectionTokens(name: string): Promise<string | null>;
  /**
   * Stores (or, with null, deletes) a connection's sealed tokens. With `expected`, only when the
   * stored value is still `expected` (null: none stored) — a compare-and-set, so that of several
   * processes refreshing one token, one wins. true when written.
   */
  setConnectionTokens(
    name: string,
    sealed: string | null,
    expected?: string | null,
  ): Promise<boolean>;
  saveOAuthState(state: StoredOAuthState): Promise<void>;
  /** Removes and returns a pending authorization unless expired; drops expired ones. */
  takeOAuthState(state: string, nowMs: number): Promise<StoredOAuthState | null>;
}
