/**
 * @module connectors/catalog
 * The connectors a server knows: the built-ins, then the user's from the connectors directory.
 * Workflows name a trigger `<connector>.<trigger>` (or just `<connector>` when it has one
 * trigger) and an action `<connector>.<action>`.
 *
 * @example
 *   const catalog = new ConnectorCatalog(BUILTIN_CONNECTORS);
 *   const found = catalog.resolveTrigger('github'); // { connector, name: 'webhook', definition }
 */
import { HookflowError } from '../errors.js';
import type { Connector } from './sdk/define-connector.js';
import type { Delivery } from '../workflow/types.js';
import type { AnyAction, AnyTrigger } from './sdk/types.js';

/** Core trigger and step types: no connector may take these names. */
export const RESERVED_NAMES = ['webhook', 'poll', 'schedule', 'http', 'switch', 'reply', 'set'];
const NAME = /^[a-z0-9][a-z0-9-]*$/;
const MEMBER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const DELIVERIES: readonly Delivery[] = ['fire_and_forget', 'acknowledge', 'request_response'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const FORMATS = ['auto', 'json', 'xml', 'form', 'text', 'raw'];

export interface ResolvedTrigger {
  connector: Connector;
  name: string;
  definition: AnyTrigger;
}

export interface ResolvedAction {
  connector: Connector;
  name: string;
  definition: AnyAction;
}

export type Resolution<T> = T | { problem: string };

export class ConnectorCatalog {
  private readonly connectors = new Map<string, { connector: Connector; file: string | null }>();

  /**
   * @param dir the user's connectors directory it was loaded from, if any: the engine thread
   *   loads the same files (connector code cannot cross threads).
   */
  constructor(
    connectors: readonly Connector[] = [],
    readonly dir: string | null = null,
  ) {
    for (const c of connectors) this.add(c, null);
  }

  /** Adds one; throws `invalid_connector` naming what is wrong with its definition. */
  add(connector: Connector, file: string | null): void {
    const problems = checkConnector(connector);
    const name = connector.name;
    const other = this.connectors.get(name);
    if (other) {
      problems.push(
        `the name '${name}' is already used by ${other.file ? other.file : 'a built-in connector'}`,
      );
    }
    if (problems.length > 0) throw new HookflowError('invalid_connector', problems.join('; '));
    this.connectors.set(name, { connector, file });
  }

  has(name: string): boolean {
    return this.connectors.has(name);
  }

  get(name: string): Connector | undefined {
    return this.connectors.get(name)?.connector;
  }

  names(): string[] {
    return [...this.connectors.keys()].sort();
  }

  /** `github` (its only trigger) or `mailchimp.subscribe`. */
  resolveTrigger(key: string): Resolution<ResolvedTrigger> {
    const found = this.member(key, 'trigger');
    if ('problem' in found) return found;
    return { ...found, definition: found.connector.triggers![found.name]! };
  }

  resolveAction(key: string): Resolution<ResolvedAction> {
    const found = this.member(key, 'action');
    if ('problem' in found) return found;
    return { ...found, definition: found.connector.actions![found.name]! };
  }

  private member(
    key: string,
    kind: 'trigger' | 'action',
  ): Resolution<{ connector: Connector; name: string }> {
    const dot = key.indexOf('.');
    const connectorName = dot === -1 ? key : key.slice(0, dot);
    const connector = this.get(connectorName);
    if (!connector) {
      return {
        problem: `unknown connector '${connectorName}' in '${key}' (known: ${this.names().join(', ') || 'none'})`,
      };
    }
    const members = Object.keys(
      (kind === 'trigger' ? connector.triggers : connector.actions) ?? {},
    );
    if (dot === -1) {
      if (kind === 'trigger' && members.length === 1) return { connector, name: members[0]! };
      return {
        problem: `connector '${connectorName}' has ${members.length === 0 ? 'no' : 'several'} ${kind}s; write ${connectorName}.<${kind}> (${members.join(', ') || 'none'})`,
      };
    }
    const name = key.slice(dot + 1);
    if (!members.includes(name)) {
      return {
        problem: `connector '${connectorName}' has no ${kind} '${name}' (it has: ${members.join(', ') || 'none'})`,
      };
    }
    return { connector, name };
  }
}

/** The allowed delivery modes of a trigger, the default first. */
export function deliveriesOf(definition: AnyTrigger): readonly Delivery[] {
  const d = definition.delivery ?? 'fire_and_forget';
  return typeof d === 'string' ? [d] : d;
}

/** What is wrong with a definition, as messages (empty when it is fine). */
export function checkConnector(c: Connector): string[] {
  const problems: string[] = [];
  if (typeof c.name !== 'string' || !NAME.test(c.name)) {
    problems.push(`name must match [a-z0-9-]+ (got ${JSON.stringify(c.name)})`);
  } else if (RESERVED_NAMES.includes(c.name)) {
    problems.push(`the name '${c.name}' is reserved for Hookflow's own ${c.name}`);
  }
  for (const [kind, members] of [
    ['trigger', c.triggers],
    ['action', c.actions],
  ] as const) {
    if (members === undefined) continue;
    if (typeof members !== 'object' || members === null) {
      problems.push(`${kind}s must be an object of ${kind} definitions`);
      continue;
    }
    for (const [name, def] of Object.entries(members)) {
      const where = `${kind} '${name}'`;
      if (!MEMBER.test(name))
        problems.push(`${where}: the name must match [A-Za-z_][A-Za-z0-9_-]*`);
      if (typeof def !== 'object' || def === null) {
        problems.push(
          `${where} must be an object (use define${kind === 'trigger' ? 'Trigger' : 'Action'})`,
        );
        continue;
      }
      if (def.params !== undefined && typeof def.params?.['~standard']?.validate !== 'function') {
        problems.push(
          `${where}: params must be a schema (zod, valibot or another Standard Schema)`,
        );
      }
      if (kind === 'action') {
        if (typeof (def as AnyAction).run !== 'function')
          problems.push(`${where} needs a run function`);
      } else {
        problems.push(...checkTrigger(where, def as AnyTrigger));
      }
    }
  }
  return problems;
}

function checkTrigger(where: string, t: AnyTrigger): string[] {
  const problems: string[] = [];
  const deliveries = deliveriesOf(t);
  if (deliveries.length === 0 || deliveries.some((d) => !DELIVERIES.includes(d))) {
    problems.push(`${where}: delivery must be one or a list of ${DELIVERIES.join(', ')}`);
  }
  if (t.method !== undefined && !METHODS.includes(t.method)) {
    problems.push(`${where}: method must be one of ${METHODS.join(', ')}`);
  }
  if (t.format !== undefined && !FORMATS.includes(t.format)) {
    problems.push(`${where}: format must be one of ${FORMATS.join(', ')}`);
  }
  for (const hook of [
    'init',
    'destroy',
    'filter',
    'before',
    'split',
    'uniqueId',
    'reply',
  ] as const) {
    if (t[hook] !== undefined && typeof t[hook] !== 'function') {
      problems.push(`${where}: ${hook} must be a function`);
    }
  }
  if (t.reply && !deliveries.includes('acknowledge')) {
    problems.push(`${where}: reply is the acknowledge answer; add 'acknowledge' to its delivery`);
  }
  if (t.split && deliveries.includes('request_response')) {
    problems.push(`${where}: split makes several jobs, which cannot answer one request_response`);
  }
  return problems;
}
