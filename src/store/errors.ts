/**
 * @module store/errors
 * Codes of the errors the store throws. The HTTP layer maps `invalid_cursor` and `invalid_match` to 400; every
 * other store failure is a 5xx (ingress never answers 2xx when an event was not stored).
 * `store_unavailable`: the database could not be reached (PostgreSQL down, connection lost);
 * the write did not happen and may be retried — answer 503.
 *
 * @example
 *   if (e instanceof HookflowError && e.code === 'invalid_cursor') reply.code(400);
 */
import { HookflowError } from '../errors.js';

export type StoreErrorCode =
  | 'store_not_ready'
  | 'store_closed'
  | 'store_write_failed'
  | 'store_unavailable'
  | 'store_schema_too_new'
  | 'store_invalid_value'
  | 'invalid_cursor'
  | 'invalid_match';

export class StoreError extends HookflowError {
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'StoreError';
  }
}
