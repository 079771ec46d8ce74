/**
 * @module steps/http/errors
 * The codes an `http` step fails with. Each is thrown as a StepError carrying the step's
 * input (redacted), its output when there was a response, and the number of attempts.
 */
import { StepError } from '../types.js';

export type HttpStepErrorCode =
  /** The URL rendered to something that is not an absolute http(s) URL. */
  | 'invalid_url'
  /** Headers, query or body rendered to values that cannot be sent. */
  | 'invalid_request'
  /** The step names a connection but no connection resolver was given. */
  | 'connection_unavailable'
  /** The connection could not be applied (e.g. its token could not be obtained). */
  | 'connection_failed'
  /** No response: refused, reset, DNS failure… (after every retry). */
  | 'network_error'
  /** No complete response within the step's timeout (after every retry). */
  | 'timeout'
  /** The job was cancelled (the context's signal fired). */
  | 'aborted'
  /** The response body is larger than the limit. */
  | 'response_too_large'
  /** The SSRF guard refused the address (loopback, private, link-local, metadata…). */
  | 'address_blocked'
  /** More redirects than `max_redirects`, or one that cannot be followed. */
  | 'too_many_redirects'
  /** A paginated step whose pages do not advance, or leave the connection's origin. */
  | 'pagination_failed'
  /** A 2xx body that does not parse as the format asked for. */
  | 'invalid_response'
  /** `errors: fail` and the final response was not 2xx. */
  | 'http_status';

export interface HttpStepErrorInfo {
  input?: unknown;
  output?: unknown;
  attempts: number;
}

export function httpStepError(
  code: HttpStepErrorCode,
  message: string,
  info: HttpStepErrorInfo,
): StepError {
  return new StepError(code, message, info);
}
