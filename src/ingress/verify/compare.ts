/**
 * @module ingress/verify/compare
 * Constant-time comparison and the small header helpers every scheme shares.
 * `crypto.timingSafeEqual` throws when the lengths differ, so lengths are compared first; the
 * length of a signature is public (it follows from the algorithm), its bytes are not.
 *
 * @example
 *   safeEqual(expectedHex, givenHex); // false, in time independent of where they differ
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Headers = Readonly<Record<string, string | string[] | undefined>>;
export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** True when both hold the same bytes; constant-time for inputs of equal length. */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = typeof a === 'string' ? Buffer.from(a) : a;
  const y = typeof b === 'string' ? Buffer.from(b) : b;
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A header's value (names are lower-case in Node); the first one when it was sent twice. */
export function headerValue(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function hmac(
  algorithm: HmacAlgorithm,
  key: string | Buffer,
  ...data: Array<string | Buffer>
): Buffer {
  const h = createHmac(algorithm, key);
  for (const d of data) h.update(d);
  return h.digest();
}

/** Seconds since the epoch in a timestamp header → ms, or undefined when it is not a number. */
export function epochSecondsToMs(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,12}$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}
