/**
 * @module store/postgres/errors
 * node-postgres errors as StoreErrors: a database out of reach (refused, reset, shut down,
 * no free connection) is `store_unavailable`, any other failed write `store_write_failed`.
 *
 * @example
 *   catch (e) { throw storeError('acceptEvent', e); }
 */
import { errorMessage } from '../../errors.js';
import { StoreError } from '../errors.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** True when `error` says the database was out of reach, not that the statement was wrong. */
export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    // Class 08: connection exceptions; 57P01-03: shutdown or not yet accepting; 53300: full.
    if (NETWORK_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code)) return true;
    if (code === '53300') return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|connection error|Client was closed/i.test(
    errorMessage(error),
  );
}

/** The StoreError for a failed operation; StoreErrors pass through. */
export function storeError(operation: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const pgCode = (error as { code?: unknown } | null)?.code;
  const details = typeof pgCode === 'string' ? { pgCode } : undefined;
  if (isUnavailable(error)) {
    return new StoreError(
      'store_unavailable',
      `${operation}: the PostgreSQL database is out of reach (${errorMessage(error)}); nothing was stored, try again when it is back`,
      details,
    );
  }
  return new StoreError(
    'store_write_failed',
    `${operation} was not stored: ${errorMessage(error)}`,
    details,
  );
}
