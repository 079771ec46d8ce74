/**
 * @module datatree/schema
 * A value → the schema of what it holds: each field's type and a sample value. A list is
 * described by its items: the fields of all its objects merged (the first 100 items), so a
 * field that only some items have is still in the schema. A field that is null in one item
 * and a string in another is a string.
 *
 * @example
 *   inferSchema({ items: [{ sku: 'A' }, { sku: 'B', qty: 2 }] });
 *   // object { items: array { sku: string 'A', qty: number 2 } }
 */

export type PillType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

export interface SchemaNode {
  type: PillType;
  /** A string, number or boolean value; for a list of those, its first item; else null. */
  sample: unknown;
  /** The fields of an object, or of the objects in a list. */
  fields: Map<string, SchemaNode>;
  /** Any field may be there (headers, query, a body without example): none is unknown. */
  open: boolean;
}

/**
 * Items of one list looked at; nesting followed. Past these, a part is left open: MAX_DEPTH also
 * bounds the recursion of inferSchema, whatever an example or a captured payload holds.
 */
const MAX_ITEMS = 100;
const MAX_DEPTH = 32;
const MAX_SAMPLE_CHARS = 200;

export function inferSchema(value: unknown, depth = 0): SchemaNode {
  const type = typeOf(value);
  const node = emptyNode(type);
  if (depth >= MAX_DEPTH && (type === 'object' || type === 'array')) {
    node.open = true;
    return node;
  }
  if (type === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      node.fields.set(key, inferSchema(child, depth + 1));
    }
  } else if (type === 'array') {
    for (const item of (value as unknown[]).slice(0, MAX_ITEMS)) {
      const itemNode = inferSchema(item, depth + 1);
      if (node.sample === null && isScalarType(itemNode.type)) node.sample = itemNode.sample;
      // JSONata maps a path over a list, and over a list of lists: their fields are the items'.
      if (itemNode.type === 'object' || itemNode.type === 'array') {
        mergeFields(node.fields, itemNode.fields);
        node.open ||= itemNode.open;
      }
    }
  } else {
    node.sample = typeof value === 'string' ? shorten(value) : value;
  }
  return node;
}

/** A node with no fields, e.g. the type of a known envelope field without sample. */
export function emptyNode(type: PillType, sample: unknown = null, open = false): SchemaNode {
  return { type, sample, fields: new Map(), open };
}

/** An object with the given fields. */
export function objectNode(fields: Record<string, SchemaNode>, open = false): SchemaNode {
  return { type: 'object', sample: null, fields: new Map(Object.entries(fields)), open };
}

/** Merges `from` into `into`: a field in either is in the result. */
export function mergeFields(into: Map<string, SchemaNode>, from: Map<string, SchemaNode>): void {
  for (const [key, node] of from) {
    const seen = into.get(key);
    into.set(key, seen ? mergeNodes(seen, node) : node);
  }
}

function mergeNodes(a: SchemaNode, b: SchemaNode): SchemaNode {
  // null says "sometimes missing"; another type says what the field holds.
  const [first, other] = a.type === 'null' ? [b, a] : [a, b];
  const merged: SchemaNode = {
    type: first.type,
    sample: first.sample ?? other.sample,
    fields: new Map(a.fields),
    open: a.open || b.open,
  };
  mergeFields(merged.fields, b.fields);
  return merged;
}

function typeOf(value: unknown): PillType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'object';
  }
}

function isScalarType(type: PillType): boolean {
  return type === 'string' || type === 'number' || type === 'boolean';
}

function shorten(text: string): string {
  return text.length > MAX_SAMPLE_CHARS ? `${text.slice(0, MAX_SAMPLE_CHARS - 1)}…` : text;
}
