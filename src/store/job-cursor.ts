/**
 * @module store/job-cursor
 * The opaque `cursor` of `listJobs`: base64url of the `seq` of the last job on the previous
 * page. Every backend orders jobs by an increasing integer `seq`, so they share it.
 *
 * @example
 *   const cursor = encodeJobCursor(42); // 'NDI'
 *   decodeJobCursor(cursor); // 42
 */
import { StoreError } from './errors.js';

export function encodeJobCursor(seq: number): string {
  return Buffer.from(String(seq), 'utf8').toString('base64url');
}

/** Throws `invalid_cursor` for anything `encodeJobCursor` did not produce. */
export function decodeJobCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = Number(text);
  if (!/^[1-9][0-9]{0,15}$/.test(text) || !Number.isSafeInteger(seq)) {
    throw new StoreError(
      'invalid_cursor',
      `cursor '${cursor}' is not a cursor from a previous page; pass next_cursor as it was answered, or omit it to start from the newest job`,
    );
  }
  return seq;
}

/** Page sizes are clamped to 1…500, so one request cannot read the whole table. */
export const MAX_PAGE_SIZE = 500;

export function clampPageSize(limit: number): number {
  if (!Number.isFinite(limit)) return MAX_PAGE_SIZE;
  return Math.min(Math.max(Math.trunc(limit), 1), MAX_PAGE_SIZE);
}
