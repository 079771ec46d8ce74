/**
 * @module workflow/read-flow-control
 * The flow-control settings of a workflow file: `rate_limit` of a webhook trigger (events
 * answered 429 above it), and at the top level `concurrency` (jobs of one key running at once)
 * and `debounce` (a burst of events of one key becoming one job).
 *
 * @example
 *   trigger.rateLimit = readRateLimit(r, webhookMap); // {limit, perMs, key?} or undefined
 *   workflow.concurrency = readConcurrency(r, root);
 *   workflow.debounce = readDebounce(r, root, trigger); // {waitMs, maxWaitMs, key?}
 */
import { readTemplate } from './read-template.js';
import type { Concurrency, Debounce, RateLimit, Trigger } from './types.js';
import type { MapView, Reader } from './yaml-reader.js';

const RATE_LIMIT_KEYS = ['limit', 'per', 'key'];
const CONCURRENCY_KEYS = ['limit', 'key'];
const DEBOUNCE_KEYS = ['key', 'wait', 'max_wait'];
/** Without `max_wait`, a burst runs at the latest this many waits after its first event. */
export const DEFAULT_MAX_WAITS = 10;
/** The longest a burst may be held: a week, past any sender's interest in its answer. */
const MAX_DEBOUNCE_MS = 7 * 86_400_000;
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

/**
 * Top-level `debounce: {key?, wait, max_wait?}`; undefined when absent or invalid (reported).
 * Only events debounce (webhook and connector triggers), and never with `request_response`:
 * its caller would wait for a job that starts later and answers for other events too.
 */
export function readDebounce(
  r: Reader,
  root: MapView,
  trigger: Trigger | undefined,
): Debounce | undefined {
  const m = section(r, root, 'debounce', DEBOUNCE_KEYS, ['wait']);
  if (!m) return undefined;
  const before = r.problems.length;
  const line = root.fields.get('debounce')?.keyLine ?? 1;
  if (trigger?.type === 'poll' || trigger?.type === 'schedule') {
    r.report(
      line,
      `debounce applies to events (webhook and connector triggers); a ${trigger.type} trigger creates its jobs itself: remove debounce`,
    );
  } else if (trigger?.delivery === 'request_response') {
    r.report(
      line,
      'debounce cannot be used with delivery request_response (the caller would wait for a job that starts later and answers for other events too); use fire_and_forget or acknowledge',
    );
  }
  const waitMs = r.duration(m, 'wait', 1_000, { positive: true });
  const maxWaitMs = r.duration(m, 'max_wait', waitMs * DEFAULT_MAX_WAITS, { positive: true });
  if (m.fields.has('max_wait') && maxWaitMs < waitMs) {
    r.bad(m, 'max_wait', `must be at least wait (${waitMs} ms; got ${maxWaitMs} ms)`);
  }
  if (Math.max(waitMs, maxWaitMs) > MAX_DEBOUNCE_MS) {
    const key = m.fields.has('max_wait') ? 'max_wait' : 'wait';
    r.bad(m, key, `must be at most 7d (got ${Math.max(waitMs, maxWaitMs)} ms)`);
  }
  const key = readTemplate(r, m, 'key', 'debounce.key', { expression: true });
  if (r.problems.length > before) return undefined;
  return key ? { waitMs, maxWaitMs, key } : { waitMs, maxWaitMs };
}

function section(
  r: Reader,
  parent: MapView,
  name: string,
  allowed: string[],
  required = ['limit'],
): MapView | undefined {
  const field = parent.fields.get(name);
  if (!field) return undefined;
  const where = parent.where ? `${parent.where}.${name}` : name;
  return r.map(field.value, where, { allowed, required, line: field.keyLine });
}
