/**
 * @module workflow/expression-paths
 * The field paths an expression reads from its scope, found in JSONata's own parse tree: for
 * `$count(steps.order.body.items[0].sku) + trigger.body.total` they are
 * `steps.order.body.items.sku` and `trigger.body.total`. Filters and indexes (`[0]`) are dropped,
 * since a list is described by its items; a path stops at the first step that is not a plain
 * name (`*`, `**`, a function, a variable). Only paths read from the scope itself count: inside
 * a filter or after the first step, a name is relative to the items being walked.
 *
 * @example
 *   expressionPaths('steps.order.body.items[0].sku'); // [['steps', 'order', 'body', 'items', 'sku']]
 */
import jsonata from 'jsonata';

type AstNode = { type?: unknown; value?: unknown; steps?: unknown[] } & Record<string, unknown>;

/** Every scope path in a JSONata expression, each as its list of names, in order of appearance. */
export function expressionPaths(source: string): string[][] {
  const out: string[][] = [];
  walk(jsonata(source).ast(), out);
  return out;
}

function walk(node: unknown, out: string[][]): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, out);
    return;
  }
  if (!isNode(node)) return;
  if (node.type === 'path') {
    scopePath(node, out);
    return;
  }
  for (const [key, child] of Object.entries(node)) {
    if (key !== 'position' && typeof child === 'object' && child !== null) walk(child, out);
  }
}

function scopePath(node: AstNode, out: string[][]): void {
  const steps = (node.steps ?? []).filter(isNode);
  const first = steps[0];
  let i = 0;
  // `$$.trigger…` and `$.trigger…` at the top read the scope too.
  if (first?.type === 'variable' && (first.value === '$' || first.value === '')) i = 1;
  else if (first !== undefined && first.type !== 'name') {
    walk(first, out);
    return;
  }
  const names: string[] = [];
  for (; i < steps.length; i++) {
    const step = steps[i] as AstNode;
    if (step.type !== 'name' || typeof step.value !== 'string') break;
    names.push(step.value);
  }
  if (names.length > 0) out.push(names);
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'type' in value;
}
