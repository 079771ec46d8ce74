/**
 * @module workflow/read-connector
 * Connector triggers (`trigger: {github: {…}}`, `{mailchimp.subscribe: {…}}`) and action steps
 * (`- mailchimp.add_member: {…}`). A few keys are Hookflow's own (the route, the connection,
 * delivery…); every other key is a param of the connector, checked by its schema, each issue
 * reported at the line of the key it is about.
 *
 * @example
 *   const trigger = readConnectorTrigger(r, 'github', node, 3, { catalog });
 */
import type { Node } from 'yaml';
import type { ConnectorCatalog } from '../connectors/catalog.js';
import { deliveriesOf } from '../connectors/catalog.js';
import { formatParamPath, validateParamsSync } from '../connectors/validate-params.js';
import type { ParamIssue } from '../connectors/validate-params.js';
import { nodeTemplate } from './read-template.js';
import type { ExpressionSite } from './read-template.js';
import { readPath } from './read-trigger.js';
import { readVerify } from './read-verify.js';
import type { ActionStep, ConnectorTrigger, Scope, Template } from './types.js';
import type { MapView, Reader } from './yaml-reader.js';

/** Keys of a connector trigger that are Hookflow's, not the connector's params. */
export const CONNECTOR_TRIGGER_KEYS = [
  'path',
  'connection',
  'verify',
  'delivery',
  'timeout',
  'dedupe_window',
  'max_body',
  'example',
];
/** Keys of an action step that are Hookflow's. */
export const ACTION_STEP_KEYS = ['connection', 'timeout'];
const DAY_MS = 86_400_000;

export interface ConnectorContext {
  catalog: ConnectorCatalog;
  /** Known connection names; not checked when undefined. */
  connections?: ReadonlySet<string>;
}

export function readConnectorTrigger(
  r: Reader,
  key: string,
  node: Node | null,
  keyLine: number,
  ctx: ConnectorContext,
): ConnectorTrigger | undefined {
  const resolved = ctx.catalog.resolveTrigger(key);
  if ('problem' in resolved) {
    r.report(keyLine, resolved.problem);
    return undefined;
  }
  const where = `trigger.${key}`;
  const m = r.map(node, where, { nullIsEmpty: true, line: keyLine });
  if (!m) return undefined;
  const before = r.problems.length;
  const def = resolved.definition;
  const deliveries = deliveriesOf(def);
  const trigger: ConnectorTrigger = {
    type: 'connector',
    key,
    connector: resolved.connector.name,
    trigger: resolved.name,
    params: undefined,
    connection: readConnection(r, m, ctx.connections),
    method: def.method ?? 'POST',
    path: readPath(r, m),
    format: def.format ?? 'auto',
    delivery: r.oneOf(m, 'delivery', deliveries, deliveries[0]!),
    timeoutMs: r.duration(m, 'timeout', 30_000, { positive: true }),
    dedupeWindowMs: r.duration(m, 'dedupe_window', 7 * DAY_MS, { positive: true }),
  };
  const maxBody = r.size(m, 'max_body');
  if (maxBody !== undefined) trigger.maxBodyBytes = maxBody;
  if (m.fields.has('example')) trigger.example = r.toJS(r.node(m, 'example') ?? null);
  const verify = readVerify(r, m);
  if (verify) trigger.verifier = verify.verifier;

  const params: Record<string, unknown> = {};
  for (const [k, f] of m.fields) {
    if (!CONNECTOR_TRIGGER_KEYS.includes(k)) params[k] = r.toJS(f.value);
  }
  const checked = validateParamsSync(def.params, params);
  if ('issues' in checked) reportIssues(r, m, checked.issues);
  else trigger.params = checked.value;
  return r.problems.length > before ? undefined : trigger;
}

export function readActionStep(
  r: Reader,
  key: string,
  node: Node | null,
  where: string,
  keyLine: number,
  id: string,
  ctx: ConnectorContext & { sites: ExpressionSite[] },
): Omit<ActionStep, 'id' | 'line'> | undefined {
  const resolved = ctx.catalog.resolveAction(key);
  if ('problem' in resolved) {
    r.report(keyLine, resolved.problem);
    return undefined;
  }
  const m = r.map(node, `${where}.${key}`, { nullIsEmpty: true, line: keyLine });
  if (!m) return undefined;
  const before = r.problems.length;
  const connection = readConnection(r, m, ctx.connections);
  const timeoutMs = r.duration(m, 'timeout', 30_000, { positive: true });
  const parts: Array<[string, Template]> = [];
  for (const [k, f] of m.fields) {
    if (ACTION_STEP_KEYS.includes(k)) continue;
    const t = nodeTemplate(
      r,
      f.value,
      `${m.where}.${k}`,
      `steps.${id}.${k}`,
      r.line(f.value, f.keyLine),
      {
        sites: ctx.sites,
      },
    );
    if (t) parts.push([k, t]);
  }
  if (r.problems.length > before) return undefined;
  const params = objectTemplate(parts, `steps.${id}`);
  if (params.isStatic) {
    const value = Object.fromEntries(parts.map(([k]) => [k, r.toJS(r.node(m, k) ?? null)]));
    const checked = validateParamsSync(resolved.definition.params, value);
    if ('issues' in checked) {
      reportIssues(r, m, checked.issues);
      return undefined;
    }
  }
  return {
    type: 'action',
    key,
    connector: resolved.connector.name,
    action: resolved.name,
    connection,
    params,
    timeoutMs,
  };
}

/** `connection:` naming a known connection (when the known ones are given). */
export function readConnection(
  r: Reader,
  m: MapView,
  connections: ReadonlySet<string> | undefined,
): string | null {
  const connection = r.string(m, 'connection');
  if (connection === undefined) return null;
  if (connections && !connections.has(connection)) {
    const known = [...connections].sort().join(', ') || 'none';
    r.report(
      r.valueLine(m, 'connection'),
      `unknown connection '${connection}' in ${m.where}.connection (known: ${known})`,
    );
  }
  return connection;
}

/** Each schema issue at the line of the key it is about; a missing key at the mapping's. */
function reportIssues(r: Reader, m: MapView, issues: readonly ParamIssue[]): void {
  for (const issue of issues) {
    const top = issue.path[0];
    if (typeof top === 'string' && !m.fields.has(top)) {
      r.report(m.line, `missing required key '${top}' in ${m.where} (${issue.message})`);
    } else if (top !== undefined) {
      r.report(
        r.valueLine(m, String(top)),
        `${m.where}.${formatParamPath(issue.path)}: ${issue.message}`,
      );
    } else {
      // An issue about the whole mapping (e.g. an unknown key): at that key's line if it names one.
      const named = [...m.fields.keys()].find((k) => issue.message.includes(`"${k}"`));
      const line = named ? (m.fields.get(named)?.keyLine ?? m.line) : m.line;
      const own = `Hookflow's own keys here: ${(m.where.startsWith('trigger') ? CONNECTOR_TRIGGER_KEYS : ACTION_STEP_KEYS).join(', ')}`;
      r.report(line, `${m.where}: ${issue.message} (${own})`);
    }
  }
}

function objectTemplate(parts: ReadonlyArray<[string, Template]>, where: string): Template {
  return {
    isStatic: parts.every(([, t]) => t.isStatic),
    where,
    async render(scope: Scope) {
      const out: Record<string, unknown> = {};
      for (const [k, t] of parts) out[k] = await t.render(scope);
      return out;
    },
  };
}
