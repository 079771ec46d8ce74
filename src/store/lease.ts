/**
 * @module store/lease
 * Checks of a claim's owner and lease, shared by every backend: a bad one is a caller's bug,
 * refused before anything is written.
 *
 * @example
 *   const leaseMs = checkLease('claimJob', claim.leaseMs);
 */
import { StoreError } from './errors.js';
import type { Claim } from './types.js';

/** Throws `store_invalid_value` unless `leaseMs` is a whole number of milliseconds ≥ 1. */
export function checkLease(operation: string, leaseMs: number): number {
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 1) {
    throw new StoreError(
      'store_invalid_value',
      `${operation}: leaseMs must be a whole number of milliseconds >= 1, got ${leaseMs}; the default is DEFAULT_LEASE_MS (30000)`,
    );
  }
  return leaseMs;
}

/** Throws `store_invalid_value` for an empty owner or a bad lease. */
export function checkClaim(operation: string, claim: Claim): Claim {
  if (typeof claim.owner !== 'string' || claim.owner === '') {
    throw new StoreError(
      'store_invalid_value',
      `${operation}: the claim's owner must be a non-empty string naming the worker`,
    );
  }
  checkLease(operation, claim.leaseMs);
  return claim;
}
