/**
 * @module workflow/binary
 * Bytes inside workflow data. JSON has no bytes, so an http step's binary response body is a
 * *binary value*, `{base64, contentType, size}`. A reply or an http step whose body renders to
 * a binary value sends those exact bytes; with `body_encoding: base64`, a base64 string is
 * sent as the bytes it encodes. JSONata's `$base64decode` cannot do this: it returns text, and
 * bytes that are not UTF-8 do not survive it.
 *
 * @example
 *   isBinaryValue({ base64: 'iVBO', contentType: 'image/png', size: 3 }); // → true
 *   bodyBytes({ base64: 'iVBO', contentType: 'image/png', size: 3 }, 'auto', 'reply.body');
 *   // → { bytes: <Buffer 89 50 4e>, contentType: 'image/png' }
 */
import { createHash } from 'node:crypto';
import { HookflowError } from '../errors.js';

/** How a body is read: `auto` (a binary value is bytes, other values as they are) or `base64`. */
export type BodyEncoding = 'auto' | 'base64';
export const BODY_ENCODINGS: readonly BodyEncoding[] = ['auto', 'base64'];

export interface BinaryValue {
  base64: string;
  contentType: string | null;
  size: number;
}

/** What history records of bytes sent, where they are already stored elsewhere. */
export interface BytesSummary {
  contentType: string | null;
  size: number;
  sha256: string;
}

const BINARY_KEYS = ['base64', 'contentType', 'size'];
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * True for exactly `{base64, contentType, size}` whose size is the length of the bytes the
 * base64 encodes: an object of an API's JSON that merely has these names is not taken as bytes.
 */
export function isBinaryValue(value: unknown): value is BinaryValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== BINARY_KEYS.length || !BINARY_KEYS.every((k) => keys.includes(k))) {
    return false;
  }
  const { base64, contentType, size } = value as Record<string, unknown>;
  return (
    typeof base64 === 'string' &&
    (contentType === null || typeof contentType === 'string') &&
    size === decodedLength(base64) &&
    BASE64.test(base64)
  );
}

/**
 * A rendered body as bytes: a binary value (either encoding), or a base64 string with
 * `base64`. undefined when the body is not bytes (`auto` and anything but a binary value).
 * Throws `invalid_base64` for a `base64` body that is not base64 text.
 */
export function bodyBytes(
  value: unknown,
  encoding: BodyEncoding,
  where: string,
): { bytes: Buffer; contentType: string | null } | undefined {
  if (isBinaryValue(value)) {
    return { bytes: Buffer.from(value.base64, 'base64'), contentType: value.contentType };
  }
  if (encoding !== 'base64' || value === null || value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new HookflowError(
      'invalid_base64',
      `${where} has body_encoding: base64, so it must render to base64 text (or a binary step output), got ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}`,
    );
  }
  const text = value.replace(/\s+/g, '');
  if (!BASE64.test(text) && !BASE64URL.test(text)) {
    throw new HookflowError(
      'invalid_base64',
      `${where} has body_encoding: base64, but it rendered to text that is not base64`,
    );
  }
  return {
    bytes: Buffer.from(text, BASE64.test(text) ? 'base64' : 'base64url'),
    contentType: null,
  };
}

export function summarizeBytes(bytes: Buffer, contentType: string | null): BytesSummary {
  return {
    contentType,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** The length of the bytes a (padded or unpadded) base64 text encodes. */
function decodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  const chars = base64.length - padding;
  return Math.floor((chars * 3) / 4);
}
