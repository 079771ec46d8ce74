/**
 * @module ingress/verify/schemes
 * Sender verification, one pure function per scheme (SPEC §4). Each takes the scheme's options,
 * the request's lower-cased headers and its exact body bytes (and the clock, for schemes with a
 * timestamp), and returns null when the request is authentic, else the reason it is not.
 * Nothing is parsed before the signature holds.
 *
 * @example
 *   checkGithub({ secret: 's3cret' }, request.headers, rawBody); // null, or 'X-Hub-Signature-256 does not match'
 */
import type { Headers, HmacAlgorithm } from './compare.js';
import { epochSecondsToMs, headerValue, hmac, safeEqual } from './compare.js';

/** null: authentic. A string: why the request is refused (sent back in the 401). */
export type CheckResult = string | null;

export interface BasicOptions {
  user: string;
  password: string;
}

export interface HeaderOptions {
  name: string;
  value: string;
}

export interface HmacOptions {
  header: string;
  algorithm: HmacAlgorithm;
  encoding: 'hex' | 'base64';
  /** Text before the digest in the header, e.g. `sha256=`; '' for none. */
  prefix: string;
  secret: string;
}

export interface SecretOptions {
  secret: string;
}

export interface TimedSecretOptions extends SecretOptions {
  /** How far the signed timestamp may be from now. */
  toleranceMs: number;
}

export const DEFAULT_TOLERANCE_MS = 5 * 60_000;

export function checkBasic(opts: BasicOptions, headers: Headers): CheckResult {
  const given = headerValue(headers, 'authorization');
  if (!given) return 'missing Authorization header (Basic credentials expected)';
  const expected = `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`;
  return safeEqual(given.trim(), expected) ? null : 'wrong Basic credentials';
}

export function checkHeader(opts: HeaderOptions, headers: Headers): CheckResult {
  const given = headerValue(headers, opts.name);
  if (given === undefined) return `missing ${opts.name} header`;
  return safeEqual(given, opts.value) ? null : `wrong ${opts.name} header`;
}

/** A digest of the raw body in one header, optionally after a prefix. */
export function checkHmac(opts: HmacOptions, headers: Headers, raw: Buffer): CheckResult {
  const given = headerValue(headers, opts.header);
  if (given === undefined) return `missing ${opts.header} header`;
  if (!given.startsWith(opts.prefix)) return `${opts.header} does not start with '${opts.prefix}'`;
  const expected = hmac(opts.algorithm, opts.secret, raw).toString(opts.encoding);
  return safeEqual(given.slice(opts.prefix.length).trim(), expected)
    ? null
    : `${opts.header} does not match`;
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`. */
export function checkGithub(opts: SecretOptions, headers: Headers, raw: Buffer): CheckResult {
  return checkHmac(
    {
      header: 'x-hub-signature-256',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: 'sha256=',
      ...opts,
    },
    headers,
    raw,
  );
}

/** Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>` keyed with the app secret. */
export function checkShopify(opts: SecretOptions, headers: Headers, raw: Buffer): CheckResult {
  return checkHmac(
    {
      header: 'x-shopify-hmac-sha256',
      algorithm: 'sha256',
      encoding: 'base64',
      prefix: '',
      ...opts,
    },
    headers,
    raw,
  );
}

/**
 * Stripe: `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…]`, each v1 an HMAC-SHA256 of
 * `<t>.<body>` keyed with the whole `whsec_…` secret. As Stripe's own library does, only the age
 * counts: a timestamp older than the tolerance is refused.
 */
export function checkStripe(
  opts: TimedSecretOptions,
  headers: Headers,
  raw: Buffer,
  nowMs: number,
): CheckResult {
  const header = headerValue(headers, 'stripe-signature');
  if (!header) return 'missing Stripe-Signature header';
  let t: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't') t = value;
    else if (key === 'v1') signatures.push(value);
  }
  const signedAt = epochSecondsToMs(t);
  if (signedAt === undefined || signatures.length === 0) {
    return 'Stripe-Signature has no timestamp (t=) or no v1 signature';
  }
  const expected = hmac('sha256', opts.secret, `${t}.`, raw).toString('hex');
  if (!signatures.some((s) => safeEqual(s, expected))) return 'Stripe-Signature does not match';
  if (nowMs - signedAt > opts.toleranceMs) return 'Stripe-Signature timestamp is too old';
  return null;
}

/**
 * Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">` with the signing
 * secret, and `X-Slack-Request-Timestamp` within the tolerance either way.
 */
export function checkSlack(
  opts: TimedSecretOptions,
  headers: Headers,
  raw: Buffer,
  nowMs: number,
): CheckResult {
  const signature = headerValue(headers, 'x-slack-signature');
  const timestamp = headerValue(headers, 'x-slack-request-timestamp');
  if (!signature || timestamp === undefined) {
    return 'missing X-Slack-Signature or X-Slack-Request-Timestamp header';
  }
  const signedAt = epochSecondsToMs(timestamp);
  if (signedAt === undefined) return 'X-Slack-Request-Timestamp is not a number of seconds';
  const expected = `v0=${hmac('sha256', opts.secret, `v0:${timestamp.trim()}:`, raw).toString('hex')}`;
  if (!safeEqual(signature.trim(), expected)) return 'X-Slack-Signature does not match';
  if (Math.abs(nowMs - signedAt) > opts.toleranceMs) {
    return 'X-Slack-Request-Timestamp is outside the allowed window';
  }
  return null;
}

/**
 * Standard Webhooks: `webhook-signature: v1,<base64> [v1,<base64>…]`, each an HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>` keyed with the base64-decoded secret (a `whsec_`
 * prefix is dropped); the timestamp must be within the tolerance either way.
 */
export function checkStandardWebhooks(
  opts: TimedSecretOptions,
  headers: Headers,
  raw: Buffer,
  nowMs: number,
): CheckResult {
  const id = headerValue(headers, 'webhook-id');
  const timestamp = headerValue(headers, 'webhook-timestamp');
  const signatures = headerValue(headers, 'webhook-signature');
  if (!id || timestamp === undefined || !signatures) {
    return 'missing webhook-id, webhook-timestamp or webhook-signature header';
  }
  const signedAt = epochSecondsToMs(timestamp);
  if (signedAt === undefined) return 'webhook-timestamp is not a number of seconds';
  const key = standardWebhooksKey(opts.secret);
  const expected = hmac('sha256', key, `${id}.${timestamp.trim()}.`, raw).toString('base64');
  const match = signatures
    .split(' ')
    .some((s) => s.startsWith('v1,') && safeEqual(s.slice(3), expected));
  if (!match) return 'webhook-signature does not match';
  if (Math.abs(nowMs - signedAt) > opts.toleranceMs) {
    return 'webhook-timestamp is outside the allowed window';
  }
  return null;
}

/** The HMAC key of a Standard Webhooks secret: base64 after an optional `whsec_`. */
export function standardWebhooksKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}
