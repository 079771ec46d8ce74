/**
 * @module connections/errors
 * The codes connections fail with. The HTTP layer maps them once (ingress/http-errors.ts):
 * `invalid_connection` 400, `connection_not_found` 404, `connection_in_use`,
 * `connection_defined_by_file`, `secret_key_missing` and `needs_authorization` 409,
 * `oauth_state_invalid` and `not_authorizable` 400; the others are 502 (the provider failed) or 500.
 */
import { HookflowError } from '../errors.js';
import type { Problem } from '../workflow/index.js';
import { formatProblem } from '../workflow/index.js';

export type ConnectionErrorCode =
  /** A connection file or PUT body that does not validate (`problems` lists each). */
  | 'invalid_connection'
  | 'connection_not_found'
  /** DELETE of a connection that loaded workflows still use. */
  | 'connection_in_use'
  /** PUT/DELETE of a connection that a file in the connections directory defines. */
  | 'connection_defined_by_file'
  /** A secret must be stored encrypted, and HOOKFLOW_SECRET_KEY is not set. */
  | 'secret_key_missing'
  /** A stored secret does not decrypt with the key given. */
  | 'secret_unreadable'
  /** OAuth2 authorization_code: no tokens yet, or the refresh token was refused. */
  | 'needs_authorization'
  /** The /oauth/callback request does not match a pending authorization. */
  | 'oauth_state_invalid'
  /** The authorization server answered with an error, or could not be reached. */
  | 'oauth_failed'
  /** An absolute URL on another origin than the connection's base_url (credentials stay home). */
  | 'url_outside_base'
  /** Authorize of a connection that is not oauth2 with grant authorization_code. */
  | 'not_authorizable'
  /** An upstream's Retry-After paused the connection for longer than a request waits. */
  | 'connection_paused';

export class ConnectionError extends HookflowError {
  declare readonly code: ConnectionErrorCode;

  constructor(code: ConnectionErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'ConnectionError';
  }
}

/** A connection document that does not validate; `problems` holds every one found. */
export class ConnectionFileError extends ConnectionError {
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    super('invalid_connection', problems.map(formatProblem).join('\n'), { problems });
    this.name = 'ConnectionFileError';
    this.problems = problems;
  }
}
