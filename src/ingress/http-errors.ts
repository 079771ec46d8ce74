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
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  route_conflict: 409,
  body_too_large: 413,
  unsupported_media_type: 415,
  expression_failed: 500,
  workflow_failed: 500,
  storage_failed: 503,
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

/** Fastify's own errors (body limit, bad JSON in the API, …) in our shape. */
export function toHttpError(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof HookflowError) {
    // invalid_workflow carries every problem as data, for the CLI and the UI.
    const problems = err.details?.problems;
    const extra = Array.isArray(problems) ? { problems } : undefined;
    return { status: statusForCode(err.code), body: errorBody(err.code, err.message, extra) };
  }
  const e = err as { code?: string; statusCode?: number; message?: string; validation?: unknown };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      body: errorBody('body_too_large', 'request body is larger than the limit'),
    };
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      status: 415,
      body: errorBody('unsupported_media_type', e.message ?? 'unsupported media type'),
    };
  }
  if (
    e.validation !== undefined ||
    (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500)
  ) {
    const status = e.statusCode ?? 400;
    const code =
      status === 404 ? 'not_found' : status === 413 ? 'body_too_large' : 'invalid_request';
    return { status, body: errorBody(code, e.message ?? 'bad request') };
  }
  return { status: 500, body: errorBody('internal', 'internal error') };
}
