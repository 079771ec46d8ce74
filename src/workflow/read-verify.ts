/**
 * @module workflow/read-verify
 * The `verify:` of a webhook (or connector) trigger, checked key by key with lines and compiled
 * into the ingress's {@link Verifier}. See docs/verification.md.
 *
 * @example
 *   const verify = readVerify(r, m, 'trigger.webhook'); // { options, verifier } or undefined
 */
import { compileVerifier, DEFAULT_TOLERANCE_MS, PRESET_DEDUPE } from '../ingress/verify/index.js';
import type { Verifier, VerifyOptions, VerifyScheme } from '../ingress/verify/index.js';
import type { MapView, Reader } from './yaml-reader.js';

const TIMED = ['secret', 'tolerance'];
const SCHEME_KEYS: Record<VerifyScheme, { allowed: string[]; required: string[] }> = {
  basic: { allowed: ['user', 'password'], required: ['user', 'password'] },
  header: { allowed: ['name', 'value'], required: ['name', 'value'] },
  hmac: {
    allowed: ['header', 'secret', 'algorithm', 'encoding', 'prefix'],
    required: ['header', 'secret'],
  },
  github: { allowed: ['secret'], required: ['secret'] },
  shopify: { allowed: ['secret'], required: ['secret'] },
  stripe: { allowed: TIMED, required: ['secret'] },
  slack: { allowed: TIMED, required: ['secret'] },
  'standard-webhooks': { allowed: TIMED, required: ['secret'] },
};
const SCHEMES = Object.keys(SCHEME_KEYS) as VerifyScheme[];

export interface ReadVerify {
  verifier: Verifier;
  /** The expression of the provider's delivery id, when a preset has one. */
  dedupe?: string;
}

/** Reads `<parent>.verify`; undefined when absent or invalid (reported). */
export function readVerify(r: Reader, parent: MapView): ReadVerify | undefined {
  const field = parent.fields.get('verify');
  if (!field) return undefined;
  const where = `${parent.where}.verify`;
  const m = r.map(field.value, where, { allowed: SCHEMES, line: field.keyLine });
  if (!m) return undefined;
  if (m.fields.size === 0 && m.unknown.length === 0) {
    r.report(m.line, `${where} needs one of ${SCHEMES.join(', ')}`);
    return undefined;
  }
  const before = r.problems.length;
  const options: Record<string, unknown> = {};
  let dedupe: string | undefined;
  for (const scheme of SCHEMES) {
    const f = m.fields.get(scheme);
    if (!f) continue;
    const s = r.map(f.value, `${where}.${scheme}`, { ...SCHEME_KEYS[scheme], line: f.keyLine });
    if (!s) continue;
    options[scheme] = readScheme(r, s, scheme);
    dedupe ??= PRESET_DEDUPE[scheme];
  }
  if (r.problems.length > before) return undefined;
  const result: ReadVerify = { verifier: compileVerifier(options as VerifyOptions) };
  if (dedupe) result.dedupe = dedupe;
  return result;
}

function readScheme(r: Reader, s: MapView, scheme: VerifyScheme): Record<string, unknown> {
  const text = (key: string, fallback = ''): string => {
    const v = r.string(s, key);
    if (v === '' && key !== 'prefix') r.bad(s, key, 'must not be empty');
    return v ?? fallback;
  };
  switch (scheme) {
    case 'basic':
      return { user: text('user'), password: text('password') };
    case 'header':
      return { name: text('name').toLowerCase(), value: text('value') };
    case 'hmac':
      return {
        header: text('header').toLowerCase(),
        secret: text('secret'),
        algorithm: r.oneOf(s, 'algorithm', ['sha1', 'sha256', 'sha512'] as const, 'sha256'),
        encoding: r.oneOf(s, 'encoding', ['hex', 'base64'] as const, 'hex'),
        prefix: text('prefix'),
      };
    case 'github':
    case 'shopify':
      return { secret: text('secret') };
    case 'stripe':
    case 'slack':
    case 'standard-webhooks':
      return {
        secret: text('secret'),
        toleranceMs: r.duration(s, 'tolerance', DEFAULT_TOLERANCE_MS, { positive: true }),
      };
  }
}
