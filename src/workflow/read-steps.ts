/**
 * @module workflow/read-steps
 * The `steps:` list: `http`, `switch`, `reply` and `set` steps, switch cases nested to any depth.
 * Ids default to `step<N>` (1-based) at the top level and `<switchId>_<case>_<i>` (0-based) inside
 * a switch. Every id and every expression is noted for the checks made once the file is read.
 *
 * @example
 *   const steps = readSteps(r, stepsNode, 'steps', (i) => `step${i + 1}`, ctx);
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node } from 'yaml';
import type { ConnectorCatalog } from '../connectors/catalog.js';
import { readActionStep } from './read-connector.js';
import { BODY_ENCODINGS } from './binary.js';
import { readExample } from './read-example.js';
import { nodeTemplate, readTemplate } from './read-template.js';
import type { ExpressionSite } from './read-template.js';
import { METHODS, readReply } from './read-trigger.js';
import { readPaginate } from './read-paginate.js';
import type { Delivery, HttpStep, ResponseFormat, Step, StepType, SwitchCase } from './types.js';
import { describe } from './yaml-reader.js';
import type { MapView, Reader } from './yaml-reader.js';

export interface StepContext {
  delivery: Delivery;
  /** Known connection names; connections are not checked when undefined. */
  connections?: ReadonlySet<string>;
  /** Every step id in file order, with where it was given. */
  ids: Array<{ id: string; line: number; explicit: boolean; where: string }>;
  /** Every expression in a step, for the step-reference check. */
  sites: ExpressionSite[];
  /** For `<connector>.<action>` steps. */
  connectors: ConnectorCatalog;
}

const STEP_TYPES = ['http', 'switch', 'reply', 'set'] as const;
const STEP_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const HTTP_KEYS = [
  'connection',
  'method',
  'url',
  'headers',
  'query',
  'body',
  'body_type',
  'body_encoding',
  'response',
  'example',
  'timeout',
  'retry',
  'errors',
  'max_redirects',
  'paginate',
];
const RESPONSES: readonly ResponseFormat[] = ['auto', 'json', 'xml', 'text', 'binary'];

/** Reads a list of steps (null reads as none); `defaultId(i)` names a step without an `id`. */
export function readSteps(
  r: Reader,
  raw: Node | null,
  where: string,
  line: number,
  defaultId: (i: number) => string,
  ctx: StepContext,
): Step[] {
  const node = r.resolve(raw);
  if (node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) {
    r.report(r.line(node, line), `${where} must be a list of steps${describe(node)}`);
    return [];
  }
  const steps: Step[] = [];
  node.items.forEach((item, i) => {
    const step = readStep(r, item as Node | null, `${where}[${i}]`, defaultId(i), ctx, line);
    if (step) steps.push(step);
  });
  return steps;
}

function readStep(
  r: Reader,
  node: Node | null,
  where: string,
  defaultId: string,
  ctx: StepContext,
  fallbackLine: number,
): Step | undefined {
  const allowed = ['id', ...STEP_TYPES, ...actionKeys(r, node)];
  const m = r.map(node, where, { allowed, line: fallbackLine });
  if (!m) return undefined;
  const id = readId(r, m, defaultId, ctx);
  // In file order: the first type key is the step's type, any later one is the mistake.
  const types = [...m.fields.keys()].filter(
    (k) => (STEP_TYPES as readonly string[]).includes(k) || k.includes('.'),
  );
  const type = types[0] as StepType | undefined;
  if (!type) {
    // An unknown key (e.g. a misspelt type) was already reported.
    if (m.unknown.length === 0)
      r.report(
        m.line,
        `${where} needs exactly one of ${STEP_TYPES.join(', ')}, or a connector action (<connector>.<action>)`,
      );
    return undefined;
  }
  for (const extra of types.slice(1)) {
    r.report(
      m.fields.get(extra)?.keyLine ?? m.line,
      `${where} has both '${type}' and '${extra}'; a step does one thing, split it into two steps`,
    );
  }
  const field = m.fields.get(type);
  const keyLine = field?.keyLine ?? m.line;
  const value = field?.value ?? null;
  const base = { id, line: m.line };
  if (type.includes('.')) {
    const action = readActionStep(r, type, value, where, keyLine, id, {
      ...ctx,
      catalog: ctx.connectors,
    });
    return action && { ...base, ...action };
  }
  switch (type) {
    case 'http': {
      const http = readHttp(r, value, `${where}.http`, keyLine, id, ctx);
      return http && { ...base, ...http };
    }
    case 'switch': {
      const cases = readSwitch(r, value, `${where}.switch`, keyLine, id, ctx);
      return cases && { ...base, type: 'switch', cases };
    }
    case 'reply': {
      if (ctx.delivery !== 'request_response') {
        r.report(
          keyLine,
          `a reply step needs delivery: request_response (this workflow's trigger delivery is ${ctx.delivery})`,
        );
      }
      const reply = readReply(r, m, 'reply', `steps.${id}.reply`, ctx.sites);
      return reply && { ...base, type: 'reply', reply };
    }
    case 'set': {
      if (!r.map(value, `${where}.set`, { line: keyLine })) return undefined;
      const values = nodeTemplate(r, value, `${where}.set`, `steps.${id}.set`, keyLine, {
        sites: ctx.sites,
      });
      return values && { ...base, type: 'set', values };
    }
  }
}

/** Keys of a step mapping that name a connector action (`<connector>.<action>`). */
function actionKeys(r: Reader, node: Node | null): string[] {
  const n = r.resolve(node);
  if (!isMap(n)) return [];
  return n.items.flatMap((pair) => {
    const key = r.resolve(pair.key);
    return isScalar(key) && typeof key.value === 'string' && key.value.includes('.')
      ? [key.value]
      : [];
  });
}

function readId(r: Reader, m: MapView, defaultId: string, ctx: StepContext): string {
  const given = r.string(m, 'id');
  if (given !== undefined && !STEP_ID.test(given)) {
    r.bad(m, 'id', `must match [A-Za-z_][A-Za-z0-9_-]* (got '${given}')`);
  }
  const explicit = given !== undefined && STEP_ID.test(given);
  const id = explicit ? given : defaultId;
  ctx.ids.push({ id, line: explicit ? r.valueLine(m, 'id') : m.line, explicit, where: m.where });
  return id;
}

export type HttpFields = Omit<HttpStep, 'id' | 'line'>;

/** The fields of an `http` step (also a poll trigger's `request`); `at` names it in run-time errors. */
export function readHttp(
  r: Reader,
  node: Node | null,
  where: string,
  keyLine: number,
  id: string,
  ctx: StepContext,
  at = `steps.${id}.http`,
): HttpFields | undefined {
  const m = r.map(node, where, { allowed: HTTP_KEYS, required: ['url'], line: keyLine });
  if (!m) return undefined;
  const before = r.problems.length;
  const opts = { sites: ctx.sites };
  const connection = r.string(m, 'connection');
  if (connection !== undefined && ctx.connections && !ctx.connections.has(connection)) {
    const known = [...ctx.connections].sort().join(', ') || 'none';
    r.report(
      r.valueLine(m, 'connection'),
      `unknown connection '${connection}' in ${where}.connection (known: ${known})`,
    );
  }
  const url = readTemplate(r, m, 'url', `${at}.url`, opts);
  if (url?.isStatic && connection === undefined) checkAbsoluteUrl(r, m);
  for (const key of ['headers', 'query'] as const) {
    const value = r.node(m, key);
    const text = isScalar(value) && typeof value.value === 'string' && value.value.includes('{{');
    if (value !== undefined && !text)
      r.map(value, `${where}.${key}`, { line: r.valueLine(m, key) });
  }
  const step: HttpFields = {
    type: 'http',
    method: r.oneOf(m, 'method', METHODS, 'GET', { upper: true }),
    url: url as HttpStep['url'],
    bodyType: r.oneOf(m, 'body_type', ['json', 'form', 'raw'] as const, 'json'),
    response: r.oneOf(m, 'response', RESPONSES, 'auto'),
    timeoutMs: r.duration(m, 'timeout', 30_000, { positive: true }),
    retry: readRetry(r, m, where),
    errors: r.oneOf(m, 'errors', ['fail', 'continue'] as const, 'fail'),
  };
  if (connection !== undefined) step.connection = connection;
  const headers = readTemplate(r, m, 'headers', `${at}.headers`, opts);
  if (headers) step.headers = headers;
  const query = readTemplate(r, m, 'query', `${at}.query`, opts);
  if (query) step.query = query;
  const body = readTemplate(r, m, 'body', `${at}.body`, opts);
  if (body) step.body = body;
  const bodyEncoding = r.oneOf(m, 'body_encoding', BODY_ENCODINGS, 'auto');
  if (bodyEncoding !== 'auto') step.bodyEncoding = bodyEncoding;
  if (m.fields.has('example')) step.example = readExample(r, m, step.response);
  if (m.fields.has('max_redirects')) step.maxRedirects = r.integer(m, 'max_redirects', 5, 0);
  const paginate = m.fields.get('paginate');
  if (paginate) {
    const p = readPaginate(
      r,
      paginate.value,
      `${where}.paginate`,
      paginate.keyLine,
      `${at}.paginate`,
      ctx.sites,
    );
    if (p) step.paginate = p;
  }
  return r.problems.length > before || !url ? undefined : step;
}

function checkAbsoluteUrl(r: Reader, m: MapView): void {
  const value = r.toJS(r.node(m, 'url') ?? null);
  let ok = false;
  try {
    ok = typeof value === 'string' && /^https?:$/.test(new URL(value).protocol);
  } catch {
    ok = false;
  }
  if (!ok)
    r.bad(
      m,
      'url',
      `must be an absolute http(s) URL (or use a connection with a base_url)${describeValue(value)}`,
    );
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? ` (got '${value}')` : '';
}

function readRetry(r: Reader, parent: MapView, where: string): HttpStep['retry'] {
  const fallback = { attempts: 1, backoffMs: 1000 };
  const field = parent.fields.get('retry');
  if (!field) return fallback;
  const m = r.map(field.value, `${where}.retry`, {
    allowed: ['attempts', 'backoff'],
    line: field.keyLine,
  });
  if (!m) return fallback;
  return { attempts: r.integer(m, 'attempts', 1, 1), backoffMs: r.duration(m, 'backoff', 1000) };
}

function readSwitch(
  r: Reader,
  node: Node | null,
  where: string,
  keyLine: number,
  id: string,
  ctx: StepContext,
): SwitchCase[] | undefined {
  if (!isSeq(node) || node.items.length === 0) {
    r.report(
      r.line(node, keyLine),
      `${where} must be a list of cases ({when, then} …, then an optional {else})${describe(node)}`,
    );
    return undefined;
  }
  const before = r.problems.length;
  const cases: SwitchCase[] = [];
  node.items.forEach((item, i) => {
    const caseWhere = `${where}[${i}]`;
    const m = r.map(item as Node | null, caseWhere, {
      allowed: ['when', 'then', 'else'],
      line: r.line(node),
    });
    if (!m) return;
    const stepsOf = (key: 'then' | 'else'): Step[] => {
      const f = m.fields.get(key);
      const line = f ? r.line(f.value, f.keyLine) : m.line;
      return readSteps(
        r,
        f?.value ?? null,
        `${caseWhere}.${key}`,
        line,
        (j) => `${id}_${i}_${j}`,
        ctx,
      );
    };
    if (m.fields.has('else')) {
      if (m.fields.has('when') || m.fields.has('then')) {
        r.report(m.line, `${caseWhere} is an else case: it takes no 'when' or 'then'`);
      }
      if (i !== node.items.length - 1)
        r.report(m.line, `${caseWhere}: the else case must be the last case`);
      cases.push({ when: null, steps: stepsOf('else') });
      return;
    }
    for (const key of ['when', 'then']) {
      if (!m.fields.has(key)) r.report(m.line, `missing required key '${key}' in ${caseWhere}`);
    }
    const when = readTemplate(r, m, 'when', `steps.${id}.switch[${i}].when`, {
      expression: true,
      sites: ctx.sites,
    });
    const steps = stepsOf('then');
    if (when) cases.push({ when, steps });
  });
  return r.problems.length > before ? undefined : cases;
}
