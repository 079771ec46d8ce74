/**
 * @module connections/types
 * The compiled form of a connection document. The reader validates a file (or a PUT body)
 * once, with file:line problems; nothing past it sees raw connection input.
 */

export const CONNECTION_TYPES = ['none', 'basic', 'header', 'query', 'custom', 'oauth2'] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export const OAUTH2_GRANTS = ['authorization_code', 'client_credentials'] as const;
export type OAuth2Grant = (typeof OAUTH2_GRANTS)[number];

/** What basic, header, query and custom add to every request. */
export interface StaticAuth {
  basic: { user: string; password: string } | null;
  headers: Record<string, string>;
  query: [string, string][];
}

export interface OAuth2Settings {
  grant: OAuth2Grant;
  /** The authorization server's issuer; metadata is discovered from it when URLs are not given. */
  issuer: string | null;
  authorizationUrl: string | null;
  tokenUrl: string | null;
  clientId: string;
  clientSecret: string | null;
  /** How the client authenticates at the token endpoint. */
  clientAuth: 'basic' | 'post' | 'none';
  scopes: string[];
  /** Extra parameters of the authorization request (e.g. `access_type: offline`). */
  authorizeParams: Record<string, string>;
  /** Extra parameters of every token request (e.g. `audience`). */
  tokenParams: Record<string, string>;
}

/** `test:` — the request `POST /api/connections/NAME/test` sends. */
export interface ConnectionTest {
  method: string;
  url: string;
  headers: Record<string, string>;
  query: Record<string, string>;
}

/**
 * `rate:` — at most `limit` requests in any `perMs` window, across every worker of the
 * cluster; requests beyond it wait for a slot (see connections/throttle.ts).
 */
export interface ConnectionRate {
  limit: number;
  perMs: number;
}

export interface Connection {
  name: string;
  type: ConnectionType;
  /** Relative step URLs are joined to it. */
  baseUrl: string | null;
  /** Requests with this connection may reach private and loopback addresses. */
  allowPrivate: boolean;
  auth: StaticAuth;
  oauth2: OAuth2Settings | null;
  test: ConnectionTest | null;
  /** Outbound throttle of the jobs' requests with it; null: no limit of its own. */
  rate: ConnectionRate | null;
  /**
   * Secret values redacted everywhere (as used, and each `${env:}` value inside one): every
   * credential; header and query values only when they can be secrets (`canBeSecret`).
   */
  secrets: string[];
  /** The headers and query parameters it sets that are secret (not `secret: false`). */
  secretFields: { headers: string[]; query: string[] };
  /** Keys of the secret fields written as literal values (not `${env:…}`): stored sealed. */
  literalSecrets: string[];
  /** The settings as written, secret values replaced by `[redacted]`: what the API shows. */
  settings: Record<string, unknown>;
  /** The file it was loaded from; null when it was pushed through the API. */
  file: string | null;
  /** sha256 of the document text. */
  hash: string;
}

/** What the API and UI show of a connection's health. */
export type ConnectionState = 'ready' | 'needs_authorization' | 'error';

export interface ConnectionStatus {
  state: ConnectionState;
  message: string | null;
}
