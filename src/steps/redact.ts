/**
 * @module steps/redact
 * Keeps credentials out of job history, and nothing else. Three passes: headers that carry
 * credentials or signatures are blanked by name; the headers and query parameters a connection
 * sets are blanked where it put them; and the secret values a connection reports are cut out
 * of every string, wherever they ended up (an echoed body, an error message). Only values that
 * can be secrets are reported for that last pass ({@link canBeSecret}): cutting `json` or
 * `acme` out of everything would corrupt history.
 *
 * @example
 *   redactHeaders({ Authorization: 'Bearer abc', accept: 'text/plain' });
 *   // → { Authorization: '[redacted]', accept: 'text/plain' }
 *   redactQueryParams('https://x/?key=k1&format=json', ['key']);
 *   // → 'https://x/?key=[redacted]&format=json'
 *   redactSecrets({ body: 'echo sk_live_12345678' }, ['sk_live_12345678']);
 *   // → { body: 'echo [redacted]' }
 */

export const REDACTED = '[redacted]';

/** Headers redacted by exact (lower-cased) name. */
const SENSITIVE_HEADER_NAMES = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
]);

/**
 * Headers redacted when their name contains one of these: signatures (`x-hub-signature-256`,
 * `stripe-signature`, `x-slack-signature`, `webhook-signature`), HMACs (`x-shopify-hmac-sha256`),
 * tokens (`x-gitlab-token`), secrets and API keys under other names.
 */
const SENSITIVE_HEADER_PARTS = [
  'signature',
  'token',
  'secret',
  'hmac',
  'api-key',
  'apikey',
  'password',
];

// Every webhook's headers pass through here; their names repeat, their verdicts are cached.
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 1024;

/** True for a header whose value is a credential or a signature (case-insensitive). */
export function isSensitiveHeader(name: string): boolean {
  const known = verdicts.get(name);
  if (known !== undefined) return known;
  const lower = name.toLowerCase();
  const sensitive =
    SENSITIVE_HEADER_NAMES.has(lower) ||
    SENSITIVE_HEADER_PARTS.some((part) => lower.includes(part));
  if (verdicts.size < MAX_VERDICTS) verdicts.set(name, sensitive);
  return sensitive;
}

/**
 * A copy of `headers` with every sensitive header's value replaced by `[redacted]`; names keep
 * their case. Absent values (`undefined`, as in node's IncomingHttpHeaders) stay absent.
 */
export function redactHeaders<V>(
  headers: Readonly<Record<string, V>>,
): Record<string, V | typeof REDACTED> {
  const out: Record<string, V | typeof REDACTED> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = value !== undefined && isSensitiveHeader(name) ? REDACTED : value;
  }
  return out;
}

/** Shorter values are not looked for outside the place they were put. */
export const MIN_SEARCHED_SECRET_LENGTH = 8;
// Words, names, slugs and MIME types: `production`, `Acme Corp`, `application/vnd.api+json`.
// A word is lower-case, upper-case or capitalised, at most 20 letters: random letters are not.
const WORD = '(?:[a-z]{1,20}|[A-Z][a-z]{0,19}|[A-Z]{1,20})';
const WORDLIKE = new RegExp(`^${WORD}(?:[-./+ ]${WORD})*$`);

/**
 * Whether a header or query value a connection sets is also cut out of the rest of history: it
 * has at least {@link MIN_SEARCHED_SECRET_LENGTH} characters and is not words: lower-case,
 * upper-case or capitalised runs of at most 20 letters, joined by `- . / +` or spaces (a name,
 * a slug, a MIME type). Credentials (passwords, client secrets, tokens) are always looked for;
 * this rule is for values that may be settings (`format: json`, `X-Tenant: acme`).
 */
export function canBeSecret(value: string): boolean {
  return value.length >= MIN_SEARCHED_SECRET_LENGTH && !WORDLIKE.test(value);
}

/** A copy of `headers` with the value of each header named in `names` (any case) redacted. */
export function redactNamedHeaders(
  headers: Readonly<Record<string, string>>,
  names: readonly string[],
): Record<string, string> {
  if (names.length === 0) return { ...headers };
  const lower = new Set(names.map((n) => n.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = lower.has(name.toLowerCase()) ? REDACTED : value;
  }
  return out;
}

/** `url` with the value of each query parameter named in `names` replaced by `[redacted]`. */
export function redactQueryParams(url: string, names: readonly string[]): string {
  const start = url.indexOf('?');
  if (names.length === 0 || start === -1) return url;
  const hashAt = url.indexOf('#', start);
  const end = hashAt === -1 ? url.length : hashAt;
  const pairs = url
    .slice(start + 1, end)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      return names.includes(decodeName(rawName)) ? `${rawName}=${REDACTED}` : pair;
    });
  return `${url.slice(0, start + 1)}${pairs.join('&')}${url.slice(end)}`;
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * A copy of `value` (plain objects and lists walked) where every occurrence of a secret inside
 * a string is replaced by `[redacted]`. A secret is also looked for in its URL-encoded forms,
 * since query parameters and form bodies carry it that way. Returns `value` itself when there
 * are no secrets. Object keys are left alone.
 */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  const needles = secretNeedles(secrets);
  if (needles.length === 0) return value;
  return walk(value, needles) as T;
}

/** Replaces every secret inside one string. */
export function redactSecretsInText(text: string, secrets: readonly string[]): string {
  return replaceAll(text, secretNeedles(secrets));
}

/**
 * Bytes with every secret (as UTF-8) replaced by `[redacted]`, or null when none is inside.
 * For binary bodies, recorded as base64 where a text search cannot see a secret.
 */
export function redactSecretsInBytes(bytes: Buffer, secrets: readonly string[]): Buffer | null {
  let out = bytes;
  let changed = false;
  for (const needle of secretNeedles(secrets)) {
    const n = Buffer.from(needle);
    let at = out.indexOf(n);
    if (at === -1) continue;
    const parts: Buffer[] = [];
    let from = 0;
    while (at !== -1) {
      parts.push(out.subarray(from, at), Buffer.from(REDACTED));
      from = at + n.length;
      at = out.indexOf(n, from);
    }
    parts.push(out.subarray(from));
    out = Buffer.concat(parts);
    changed = true;
  }
  return changed ? out : null;
}

function secretNeedles(secrets: readonly string[]): string[] {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length === 0) continue;
    needles.add(secret);
    needles.add(encodeURIComponent(secret));
    // application/x-www-form-urlencoded and URLSearchParams: space → '+', fewer safe characters.
    needles.add(new URLSearchParams({ s: secret }).toString().slice(2));
  }
  // Longest first, so a secret that contains another is cut out whole.
  return [...needles].sort((a, b) => b.length - a.length);
}

function replaceAll(text: string, needles: readonly string[]): string {
  let out = text;
  for (const needle of needles) {
    if (out.includes(needle)) out = out.split(needle).join(REDACTED);
  }
  return out;
}

// Recursive on purpose: request values nest at most HOOKFLOW_MAX_DEPTH (≤ 1000) levels and
// responses 100 (ingress/body/depth.ts), far from the stack's limit; a test runs 1000 through.
function walk(value: unknown, needles: readonly string[]): unknown {
  if (typeof value === 'string') return replaceAll(value, needles);
  if (Array.isArray(value)) return value.map((item) => walk(item, needles));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = walk(item, needles);
    return out;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
