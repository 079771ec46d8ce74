/**
 * @module datatree/pills
 * A schema as the list of pills a user picks from: every field, nested ones included, with the
 * expression path that reads it, its type and a sample. A name that is not a plain JSONata name
 * is quoted with backticks (`` trigger.body.order.`@id` ``, `` trigger.body.`first-name` ``).
 * A list's item fields follow the list's own path (`steps.order.body.items.sku`): in JSONata
 * that reads the field of every item.
 *
 * @example
 *   pillsOf(['trigger', 'body'], inferSchema({ id: 1 }));
 *   // [{ path: 'trigger.body.id', type: 'number', sample: 1 }]
 */
import type { PillType, SchemaNode } from './schema.js';

export interface Pill {
  path: string;
  type: PillType;
  sample: unknown;
}

/** At most this many pills per source; a huge example gives its first ones. */
export const MAX_PILLS = 2000;

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'function']);

/** The pills of every field below `node` (not of `node` itself), depth first, in field order. */
export function pillsOf(root: readonly string[], node: SchemaNode): Pill[] {
  const pills: Pill[] = [];
  const walk = (names: string[], n: SchemaNode) => {
    for (const [key, child] of n.fields) {
      if (pills.length >= MAX_PILLS) return;
      const path = [...names, key];
      pills.push({ path: formatPath(path), type: child.type, sample: child.sample });
      walk(path, child);
    }
  };
  walk([...root], node);
  return pills;
}

/** `trigger.body.order.id`, with backticks around names JSONata would not read as one. */
export function formatPath(names: readonly string[]): string {
  return names.map((n) => (PLAIN_NAME.test(n) && !RESERVED.has(n) ? n : `\`${n}\``)).join('.');
}
