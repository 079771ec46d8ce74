/**
 * @module workflow/read-trigger
 * The `trigger:` of a workflow file: `webhook` here, `poll` (read-poll.ts), `schedule`
 * (read-schedule.ts) and connector triggers (read-connector.ts).
 *
 * @example
 *   const trigger = readTrigger(r, root); // a Trigger, or undefined with problems reported
 */
import type { Node } from 'yaml';
import { nodeTemplate, readTemplate } from './read-template.js';
import type { ExpressionSite } from './read-template.js';
import { compileTemplate } from './expressions.js';
import { BODY_ENCODINGS } from './binary.js';
import { compileReply, REPLY_KEYS, toStatus } from './reply.js';
import { readVerify } from './read-verify.js';
import { readConnectorTrigger } from './read-connector.js';
import type { ConnectorContext } from './read-connector.js';
import { readExample } from './read-example.js';
import { readPoll } from './read-poll.js';
import { readSchedule } from './read-schedule.js';
import { readRateLimit } from './read-flow-control.js';
import type { BodyFormat, Delivery, ReplyTemplate, Trigger, WebhookTrigger } from './types.js';
import type { MapView, Reader } from './yaml-reader.js';

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
export const DELIVERIES: readonly Delivery[] = [
  'fire_and_forget',
  'acknowledge',
  'request_response',
];
const FORMATS: readonly BodyFormat[] = ['auto', 'json', 'xml', 'form', 'text', 'raw'];
const TRIGGER_TYPES = ['webhook', 'poll', 'schedule'];
const WEBHOOK_KEYS = [
  'method',
  'path',
  'format',
  'delivery',
  'timeout',
  'example',
  'filter',
  'reject',
  'dedupe',
  'dedupe_window',
  'verify',
  'reply',
  'max_body',
  'rate_limit',
];
const SEGMENT = /^[A-Za-z0-9._~-]+$/;
const PARAM = /^:[A-Za-z_][A-Za-z0-9_]*$/;
const DAY_MS = 86_400_000;

/** Reads `trigger:` (exactly one key); undefined when it is missing or invalid. */
export function readTrigger(
  r: Reader,
  trigger: Node | null,
  keyLine: number,
  connectors: ConnectorContext,
): Trigger | undefined {
  const m = r.map(trigger, 'trigger', { line: keyLine });
  if (!m) return undefined;
  const kinds = [...m.fields.values()];
  const first = kinds[0];
  if (!first) {
    r.report(m.line, `trigger needs exactly one key: ${TRIGGER_TYPES.join(', ')}`);
    return undefined;
  }
  for (const extra of kinds.slice(1)) {
    r.report(
      extra.keyLine,
      `trigger must have exactly one key; found '${first.key}' and '${extra.key}'`,
    );
  }
  if (!TRIGGER_TYPES.includes(first.key) && isConnectorKey(first.key, connectors)) {
    return readConnectorTrigger(r, first.key, first.value, first.keyLine, connectors);
  }
  if (!TRIGGER_TYPES.includes(first.key)) {
    r.report(
      first.keyLine,
      `trigger '${first.key}' is not supported by this version (supported: ${TRIGGER_TYPES.join(', ')})`,
    );
    return undefined;
  }
  if (first.key === 'poll') return readPoll(r, first.value, first.keyLine, connectors);
  if (first.key === 'schedule') return readSchedule(r, first.value, first.keyLine);
  return readWebhook(r, first.value, first.keyLine);
}

function readWebhook(r: Reader, node: Node | null, keyLine: number): WebhookTrigger | undefined {
  const m = r.map(node, 'trigger.webhook', {
    allowed: WEBHOOK_KEYS,
    nullIsEmpty: true,
    line: keyLine,
  });
  if (!m) return undefined;
  const delivery = r.oneOf(m, 'delivery', DELIVERIES, 'fire_and_forget');
  const trigger: WebhookTrigger = {
    type: 'webhook',
    method: r.oneOf(m, 'method', METHODS, 'POST', { upper: true }),
    path: readPath(r, m),
    format: r.oneOf(m, 'format', FORMATS, 'auto'),
    delivery,
    timeoutMs: r.duration(m, 'timeout', 30_000, { positive: true }),
    dedupeWindowMs: r.duration(m, 'dedupe_window', 7 * DAY_MS, { positive: true }),
  };
  if (m.fields.has('example')) trigger.example = readExample(r, m, trigger.format);
  const filter = readTemplate(r, m, 'filter', 'trigger.webhook.filter', { expression: true });
  if (filter) trigger.filter = filter;
  const dedupe = readTemplate(r, m, 'dedupe', 'trigger.webhook.dedupe', { expression: true });
  if (dedupe) trigger.dedupe = dedupe;
  const reject = readReply(r, m, 'reject', 'trigger.webhook.reject');
  if (reject) trigger.reject = reject;
  if (m.fields.has('reply') && delivery !== 'acknowledge') {
    r.report(
      m.fields.get('reply')?.keyLine ?? m.line,
      `trigger.webhook.reply needs delivery: acknowledge (this workflow's trigger delivery is ${delivery}` +
        (delivery === 'request_response' ? '; reply with a reply step instead)' : ')'),
    );
  } else {
    const reply = readReply(r, m, 'reply', 'trigger.webhook.reply');
    if (reply) trigger.reply = reply;
  }
  const verify = readVerify(r, m);
  if (verify) {
    trigger.verify = r.toJS(r.node(m, 'verify') ?? null) as Record<string, unknown>;
    trigger.verifier = verify.verifier;
    if (!trigger.dedupe && verify.dedupe) {
      trigger.dedupe = compileTemplate(verify.dedupe, 'trigger.webhook.dedupe');
    }
  }
  const maxBody = r.size(m, 'max_body');
  if (maxBody !== undefined) trigger.maxBodyBytes = maxBody;
  const rateLimit = readRateLimit(r, m);
  if (rateLimit) trigger.rateLimit = rateLimit;
  return trigger;
}

/** `<connector>.<trigger>`, or a connector's name alone. */
export function isConnectorKey(key: string, connectors: ConnectorContext): boolean {
  return key.includes('.') || connectors.catalog.has(key);
}

/** `path`: slashes trimmed; segments of `[A-Za-z0-9._~-]` or `:name`; null when absent. */
export function readPath(r: Reader, m: MapView): string | null {
  const raw = r.string(m, 'path');
  if (raw === undefined) return null;
  const path = raw.trim().replace(/^\/+|\/+$/g, '');
  const problems: string[] = [];
  if (path === '') problems.push('must not be empty (leave it out to get a generated path)');
  const params = new Set<string>();
  for (const segment of path === '' ? [] : path.split('/')) {
    if (PARAM.test(segment)) {
      if (params.has(segment)) problems.push(`uses the parameter '${segment}' twice`);
      params.add(segment);
    } else if (segment === '') {
      problems.push(`has an empty segment ('//')`);
    } else if (segment === '.' || segment === '..' || !SEGMENT.test(segment)) {
      problems.push(
        `has an invalid segment '${segment}': use letters, digits and . _ ~ - or a :param name ([A-Za-z_][A-Za-z0-9_]*)`,
      );
    }
  }
  for (const p of problems) r.bad(m, 'path', p);
  return problems.length > 0 ? null : path;
}

/** `reply`/`reject` (and the reply step): `{status, headers, body}`, each may hold expressions. */
export function readReply(
  r: Reader,
  parent: MapView,
  key: string,
  runtimeWhere: string,
  sites?: ExpressionSite[],
): ReplyTemplate | undefined {
  const field = parent.fields.get(key);
  if (!field) return undefined;
  const where = `${parent.where}.${key}`;
  const m = r.map(field.value, where, {
    allowed: REPLY_KEYS,
    nullIsEmpty: true,
    line: field.keyLine,
  });
  if (!m) return undefined;
  const before = r.problems.length;
  const status = r.node(m, 'status');
  if (status !== undefined) {
    const value = r.toJS(status);
    const dynamic = typeof value === 'string' && value.includes('{{');
    if (!dynamic && toStatus(value) === undefined)
      r.bad(m, 'status', 'must be an HTTP status 100-599');
    else
      nodeTemplate(
        r,
        status,
        `${where}.status`,
        `${runtimeWhere}.status`,
        r.valueLine(m, 'status'),
        { sites },
      );
  }
  const headers = r.node(m, 'headers');
  if (headers !== undefined) {
    const value = r.toJS(headers);
    const dynamic = typeof value === 'string' && value.includes('{{');
    if (!dynamic) r.map(headers, `${where}.headers`, { line: r.valueLine(m, 'headers') });
    nodeTemplate(
      r,
      headers,
      `${where}.headers`,
      `${runtimeWhere}.headers`,
      r.valueLine(m, 'headers'),
      { sites },
    );
  }
  if (m.fields.has('body')) {
    const body = r.node(m, 'body') ?? null;
    nodeTemplate(r, body, `${where}.body`, `${runtimeWhere}.body`, r.valueLine(m, 'body'), {
      sites,
    });
  }
  r.oneOf(m, 'body_encoding', BODY_ENCODINGS, 'auto');
  if (r.problems.length > before) return undefined;
  const raw: Record<string, unknown> = {};
  for (const k of REPLY_KEYS) if (m.fields.has(k)) raw[k] = r.toJS(r.node(m, k) ?? null);
  return compileReply(raw, runtimeWhere);
}
