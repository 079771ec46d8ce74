/**
 * @module ingress/verify
 * The `verify:` options of a webhook (SPEC §4): `basic`, `header`, `hmac` and the provider
 * presets `github`, `stripe`, `slack`, `shopify`, `standard-webhooks`. The options are compiled
 * once, when the workflow is loaded, into a {@link Verifier}: a synchronous function of the
 * headers and the raw bytes that answers null (go on) or the reply to send instead (401, or the
 * answer to Slack's `url_verification` challenge). Several schemes may be given; all must hold.
 *
 * @example
 *   const verifier = compileVerifier({ github: { secret: 's3cret' } });
 *   const answer = verifier(request.headers, rawBody, Date.now()); // null → accept
 */
import type { HttpReply } from '../../workflow/types.js';
import { errorBody } from '../http-errors.js';
import type { Headers } from './compare.js';
import {
  checkBasic,
  checkGithub,
  checkHeader,
  checkHmac,
  checkShopify,
  checkSlack,
  checkStandardWebhooks,
  checkStripe,
} from './schemes.js';
import type {
  BasicOptions,
  CheckResult,
  HeaderOptions,
  HmacOptions,
  SecretOptions,
  TimedSecretOptions,
} from './schemes.js';

export * from './schemes.js';
export { safeEqual, headerValue } from './compare.js';
export type { Headers, HmacAlgorithm } from './compare.js';

export interface VerifyOptions {
  basic?: BasicOptions;
  header?: HeaderOptions;
  hmac?: HmacOptions;
  github?: SecretOptions;
  stripe?: TimedSecretOptions;
  slack?: TimedSecretOptions;
  shopify?: SecretOptions;
  'standard-webhooks'?: TimedSecretOptions;
}

export type VerifyScheme = keyof VerifyOptions;

/** null: the request may go on. Otherwise the answer to send, and no job. */
export type Verifier = (headers: Headers, raw: Buffer, nowMs: number) => HttpReply | null;

type Check = (headers: Headers, raw: Buffer, nowMs: number) => CheckResult;

/** The 401 every failed verification gets. */
export function unauthorizedReply(reason: string): HttpReply {
  return { status: 401, headers: {}, body: errorBody('unauthorized', reason) };
}

/** The one function the ingress calls; the schemes run in the order written. */
export function compileVerifier(options: VerifyOptions): Verifier {
  const checks: Check[] = [];
  const { basic, header, hmac, github, stripe, slack, shopify } = options;
  const standard = options['standard-webhooks'];
  if (basic) checks.push((h) => checkBasic(basic, h));
  if (header) checks.push((h) => checkHeader(header, h));
  if (hmac) checks.push((h, raw) => checkHmac(hmac, h, raw));
  if (github) checks.push((h, raw) => checkGithub(github, h, raw));
  if (stripe) checks.push((h, raw, now) => checkStripe(stripe, h, raw, now));
  if (slack) checks.push((h, raw, now) => checkSlack(slack, h, raw, now));
  if (shopify) checks.push((h, raw) => checkShopify(shopify, h, raw));
  if (standard) checks.push((h, raw, now) => checkStandardWebhooks(standard, h, raw, now));
  return function verifySender(headers, raw, nowMs) {
    for (const check of checks) {
      const reason = check(headers, raw, nowMs);
      if (reason !== null) return unauthorizedReply(reason);
    }
    return slack ? slackChallenge(raw) : null;
  };
}

/**
 * Slack checks a new Events API URL with a signed `url_verification` event; the answer must
 * echo its `challenge`. Only called once the signature held.
 */
export function slackChallenge(raw: Buffer): HttpReply | null {
  if (!raw.includes('url_verification')) return null;
  try {
    const body = JSON.parse(raw.toString('utf8')) as { type?: unknown; challenge?: unknown };
    if (body.type === 'url_verification' && typeof body.challenge === 'string') {
      return { status: 200, headers: {}, body: { challenge: body.challenge } };
    }
  } catch {
    // Not JSON: not a challenge; the body decoder reports it.
  }
  return null;
}

/**
 * The providers' delivery ids, used as `dedupe` when a preset is given and `dedupe` is not:
 * for schemes without a timestamp this is what stops a replay, and senders retry with the
 * same id.
 */
export const PRESET_DEDUPE: Partial<Record<VerifyScheme, string>> = {
  github: "{{ headers.'x-github-delivery' }}",
  shopify: "{{ headers.'x-shopify-webhook-id' }}",
  'standard-webhooks': "{{ headers.'webhook-id' }}",
  stripe: '{{ body.id }}',
  slack: '{{ body.event_id }}',
};
