/**
 * @module workflow/read-poll
 * `trigger.poll` (docs/triggers.md): a request sent on a timing, the list of items in its
 * response, and how to tell one item (`id`) and one version of it (`updated`) from another.
 *
 * Scopes: `request` sees `since` (ISO time, see docs), `now` and `env`; `items` sees the
 * request's output `{status, headers, body}`; `id` and `updated` see one item.
 *
 * @example
 *   trigger:
 *     poll:
 *       every: 5m
 *       request: { url: 'https://api.example/orders', query: { updated_since: '{{ since }}' } }
 *       items: '{{ body.orders }}'
 *       id: '{{ id }}'
 *       updated: '{{ updated_at }}'
 */
import type { Node } from 'yaml';
import { builtinCatalog } from '../connectors/builtins/index.js';
import { expressionPaths } from './expression-paths.js';
import { compileTemplate } from './expressions.js';
import { readExample } from './read-example.js';
import { readHttp } from './read-steps.js';
import type { StepContext } from './read-steps.js';
import { readTemplate } from './read-template.js';
import type { ExpressionSite } from './read-template.js';
import { readTiming, TIMING_KEYS } from './read-timing.js';
import type { PollTrigger } from './types.js';
import { describe } from './yaml-reader.js';
import type { MapView, Reader } from './yaml-reader.js';

const POLL_KEYS = [
  ...TIMING_KEYS,
  'request',
  'items',
  'id',
  'updated',
  'since',
  'seen_window',
  'example',
];
const DAY_MS = 86_400_000;
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
/** What a poll's request may read. */
const REQUEST_SCOPE = ['since', 'now', 'env'];

export interface PollContext {
  connections?: ReadonlySet<string>;
}

export function readPoll(
  r: Reader,
  node: Node | null,
  keyLine: number,
  pctx: PollContext = {},
): PollTrigger | undefined {
  const m = r.map(node, 'trigger.poll', {
    allowed: POLL_KEYS,
    required: ['request', 'id'],
    line: keyLine,
  });
  if (!m) return undefined;
  const before = r.problems.length;
  const timing = readTiming(r, m);
  const request = readRequest(r, m, pctx);
  const items =
    readTemplate(r, m, 'items', 'trigger.poll.items', { expression: true }) ??
    compileTemplate('{{ body }}', 'trigger.poll.items');
  const id = readTemplate(r, m, 'id', 'trigger.poll.id', { expression: true });
  const updated = readTemplate(r, m, 'updated', 'trigger.poll.updated', { expression: true });
  const since = readSince(r, m, updated !== undefined);
  const seenWindowMs = r.duration(m, 'seen_window', 30 * DAY_MS, { positive: true });
  if (r.problems.length > before || !timing || !request || !id || since === undefined) {
    return undefined;
  }
  const trigger: PollTrigger = { type: 'poll', timing, request, items, id, since, seenWindowMs };
  if (updated) trigger.updated = updated;
  if (m.fields.has('example')) trigger.example = readExample(r, m);
  return trigger;
}

function readRequest(r: Reader, m: MapView, pctx: PollContext): PollTrigger['request'] | undefined {
  const field = m.fields.get('request');
  if (!field) return undefined;
  const sites: ExpressionSite[] = [];
  // A request is an http step: the catalog (for connector action steps) is never consulted.
  const ctx: StepContext = {
    delivery: 'fire_and_forget',
    ids: [],
    sites,
    connectors: builtinCatalog(),
  };
  if (pctx.connections) ctx.connections = pctx.connections;
  const where = 'trigger.poll.request';
  const fields = readHttp(r, field.value, where, field.keyLine, 'request', ctx, where);
  for (const site of sites) {
    for (const path of expressionPaths(site.source)) {
      const root = path[0];
      if (root === 'trigger' || root === 'steps' || root === 'job') {
        r.report(
          site.line,
          `${site.where} reads ${root}, which a poll's request cannot see (it runs before any job); it sees ${REQUEST_SCOPE.join(', ')}`,
        );
      }
    }
  }
  return fields && { id: 'request', line: r.line(field.value, field.keyLine), ...fields };
}

/** `since`: `now` (default) or an ISO-8601 date; a date needs `updated` to compare it with. */
function readSince(r: Reader, m: MapView, hasUpdated: boolean): PollTrigger['since'] | undefined {
  if (!m.fields.has('since')) return 'now';
  const raw = r.toJS(r.node(m, 'since') ?? null);
  if (raw === 'now') return 'now';
  const text = raw instanceof Date ? raw.toISOString() : raw;
  const ms = typeof text === 'string' && ISO_DATE.test(text.trim()) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) {
    r.bad(
      m,
      'since',
      `must be now or an ISO-8601 date such as 2025-01-31T00:00:00Z${describe(r.node(m, 'since') ?? null)}`,
    );
    return undefined;
  }
  if (!hasUpdated) {
    r.bad(
      m,
      'since',
      "needs trigger.poll.updated: the first poll compares each item's updated date with since",
    );
    return undefined;
  }
  return new Date(ms);
}
