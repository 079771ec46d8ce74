/**
 * @module connections/read-fields
 * Fields that connection documents share: absolute URLs, mappings of plain values, and the
 * `test` request.
 */
import type { MapView } from '../workflow/index.js';
import { METHODS, describeNode } from '../workflow/index.js';
import type { Reader } from '../workflow/index.js';
import type { ConnectionRate, ConnectionTest } from './types.js';

/** A mapping of names to scalar values that are not secrets. */
export function readPlainStrings(r: Reader, parent: MapView, key: string): [string, string][] {
  if (!parent.fields.has(key)) return [];
  const m = r.map(r.node(parent, key) ?? null, key, { line: r.valueLine(parent, key) });
  if (!m) return [];
  const out: [string, string][] = [];
  for (const [name, field] of m.fields) {
    const value = r.toJS(field.value);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out.push([name, String(value)]);
    else
      r.report(
        r.line(field.value, field.keyLine),
        `${key}.${name} must be text${describeNode(field.value)}`,
      );
  }
  return out;
}

export function readUrl(r: Reader, m: MapView, key: string): string | undefined {
  const value = r.string(m, key);
  if (value === undefined) return undefined;
  let ok = false;
  try {
    ok = /^https?:$/.test(new URL(value).protocol);
  } catch {
    ok = false;
  }
  if (!ok) {
    r.bad(m, key, `must be an absolute http(s) URL (got '${value}')`);
    return undefined;
  }
  return value;
}

export function readTest(r: Reader, root: MapView): ConnectionTest | null {
  const field = root.fields.get('test');
  if (!field) return null;
  const m = r.map(field.value, 'test', {
    allowed: ['method', 'url', 'headers', 'query'],
    required: ['url'],
    line: field.keyLine,
  });
  if (!m) return null;
  const url = r.string(m, 'url');
  return {
    method: r.oneOf(m, 'method', METHODS, 'GET', { upper: true }),
    url: url ?? '',
    headers: Object.fromEntries(readPlainStrings(r, m, 'headers')),
    query: Object.fromEntries(readPlainStrings(r, m, 'query')),
  };
}

/** The most requests a `rate` may allow per window: each is a slot row on PostgreSQL. */
export const MAX_RATE_LIMIT = 10_000;
/** The longest `rate.per`: a day. */
export const MAX_RATE_PER_MS = 86_400_000;

/** `rate: {limit, per}`: requests of jobs with this connection beyond it wait for a slot. */
export function readRate(r: Reader, root: MapView): ConnectionRate | null {
  const field = root.fields.get('rate');
  if (!field) return null;
  const m = r.map(field.value, 'rate', {
    allowed: ['limit', 'per'],
    required: ['limit', 'per'],
    line: field.keyLine,
  });
  if (!m) return null;
  const before = r.problems.length;
  const limit = r.integer(m, 'limit', 1, 1);
  if (limit > MAX_RATE_LIMIT) {
    r.bad(m, 'limit', `must be at most ${MAX_RATE_LIMIT} (got ${limit})`);
  }
  const perMs = r.duration(m, 'per', 1_000, { positive: true });
  if (perMs > MAX_RATE_PER_MS) {
    r.bad(m, 'per', `must be at most 24h (got ${perMs} ms); use a larger limit per day instead`);
  }
  return r.problems.length > before ? null : { limit, perMs };
}
