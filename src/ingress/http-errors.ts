/**
 * @module ingress/http-errors
 * The one place that maps error codes to HTTP statuses, and the JSON error shape every 4xx/5xx
 * answer uses: `{"error": {"code": "...", "message": "..."}}`.
 */
import { HookflowError } from '../errors.js';

const STATUS_BY_CODE: Record<string, number> = {
  invalid_body: 400,
  body_too_deep: 400,
  invalid_request: 400,
  invalid_workflow: 400,
  invalid_config: 400,
  invalid_cursor: 400,
  invalid_match: 400,
  invalid_url: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  forbidden_host: 403,
  forbidden_origin: 403,
  method_not_allowed: 405,
  request_timeout: 408,
  expectation_failed: 417,
  conflict: 409,
  route_conflict: 409,
  body_too_large: 413,
  unsupported_media_type: 415,
  url_too_long: 414,
  headers_too_large: 431,
  rate_limited: 429,
  expression_failed: 500,
  workflow_failed: 500,
  storage_failed: 503,
  store_unavailable: 503,
  connector_unavailable: 503,
  timeout: 504,
  // connections (connections/errors.ts)
  invalid_connection: 400,
  oauth_state_invalid: 400,
  not_authorizable: 400,
  connection_not_found: 404,
  connection_in_use: 409,
  connection_defined_by_file: 409,
  secret_key_missing: 409,
  needs_authorization: 409,
  oauth_failed: 502,
};

/** Seconds a client is told to wait (Retry-After) while the database is out of reach. */
export const STORE_RETRY_AFTER_S = 5;

export function statusForCode(code: string): number {
  return STATUS_BY_CODE[code] ?? 500;
}

export interface ErrorBody {
  error: { code: string; message: string; [k: string]: unknown };
}

export function errorBody(
  code: string,
  message: string,
  extra?: Record<string, unknown>,
): ErrorBody {
  return { error: { code, message, ...extra } };
}

/** Fastify's own refusals, under Hookflow's codes (their statuses are in STATUS_BY_CODE). */
const FASTIFY_CODES: Record<string, { code: string; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'body_too_large',
    message: 'request body is larger than the limit',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'invalid_request',
    message: 'the body is not as long as its content-length says',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_body', message: 'the JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_body', message: 'the body is not valid JSON' },
  FST_ERR_BAD_URL: { code: 'invalid_url' },
  FST_ERR_INVALID_URL: { code: 'invalid_url' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'url_too_long' },
  FST_ERR_NOT_FOUND: { code: 'not_found' },
};

/** A code for a 4xx that carries none of ours, by its status. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  413: 'body_too_large',
  414: 'url_too_long',
  415: 'unsupported_media_type',
  431: 'headers_too_large',
};

/** Any error a route, a hook or Fastify itself raised, as a status and our JSON shape. */
export function toHttpError(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof HookflowError) {
    // invalid_workflow carries every problem as data, for the CLI and the UI.
    const problems = err.details?.problems;
    const extra = Array.isArray(problems) ? { problems } : undefined;
    return { status: statusForCode(err.code), body: errorBody(err.code, err.message, extra) };
  }
  const e = err as { code?: string; statusCode?: number; message?: string; validation?: unknown };
  const known = e.code === undefined ? undefined : FASTIFY_CODES[e.code];
  if (known) {
    const message = known.message ?? e.message ?? known.code;
    return { status: statusForCode(known.code), body: errorBody(known.code, message) };
  }
  const status = e.validation !== undefined ? 400 : (e.statusCode ?? 500);
  if (status >= 400 && status < 500) {
    const code = CODE_BY_STATUS[status] ?? 'invalid_request';
    return { status, body: errorBody(code, e.message ?? 'bad request') };
  }
  return { status: 500, body: errorBody('internal', 'internal error') };
}
