/**
 * @module workflow/read-flow-control
 * The flow-control settings of a workflow file: `rate_limit` of a webhook trigger (events
 * answered 429 above it) and `concurrency` at the top level (jobs of one key running at once).
 *
 * @example
 *   trigger.rateLimit = readRateLimit(r, webhookMap); // {limit, perMs, key?} or undefined
 *   workflow.concurrency = readConcurrency(r, root);
 */
import { readTemplate } from './read-template.js';
import type { Concurrency, RateLimit } from './types.js';
import type { MapView, Reader } from './yaml-reader.js';

const RATE_LIMIT_KEYS = ['limit', 'per', 'key'];
const CONCURRENCY_KEYS = ['limit', 'key'];
/** As store/concurrency-sql.ts: the claim counts a key's waiting jobs up to this many. */
const MAX_CONCURRENCY_LIMIT = 1000;

/** `trigger.webhook.rate_limit: {limit, per, key?}`; undefined when absent or invalid (reported). */
export function readRateLimit(r: Reader, parent: MapView): RateLimit | undefined {
  const m = section(r, parent, 'rate_limit', RATE_LIMIT_KEYS);
  if (!m) return undefined;
  const before = r.problems.length;
  const limit = r.integer(m, 'limit', 1, 1);
  const perMs = r.duration(m, 'per', 1_000, { positive: true });
  const key = readTemplate(r, m, 'key', `${m.where}.key`, { expression: true });
  if (r.problems.length > before) return undefined;
  return key ? { limit, perMs, key } : { limit, perMs };
}

/** Top-level `concurrency: {limit, key?}`; undefined when absent or invalid (reported). */
export function readConcurrency(r: Reader, root: MapView): Concurrency | undefined {
  const m = section(r, root, 'concurrency', CONCURRENCY_KEYS);
  if (!m) return undefined;
  const before = r.problems.length;
  const limit = r.integer(m, 'limit', 1, 1);
  if (limit > MAX_CONCURRENCY_LIMIT) {
    r.bad(m, 'limit', `must be at most ${MAX_CONCURRENCY_LIMIT} (got ${limit})`);
  }
  const key = readTemplate(r, m, 'key', 'concurrency.key', { expression: true });
  if (r.problems.length > before) return undefined;
  return key ? { limit, key } : { limit };
}

function section(r: Reader, parent: MapView, name: string, allowed: string[]): MapView | undefined {
  const field = parent.fields.get(name);
  if (!field) return undefined;
  const where = parent.where ? `${parent.where}.${name}` : name;
  const m = r.map(field.value, where, { allowed, required: ['limit'], line: field.keyLine });
  return m;
}
