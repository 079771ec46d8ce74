/**
 * @module datatree
 * Datatrees from payload examples (pure functions): every `example` of a workflow (webhook
 * payloads in JSON, XML or form encoding, HTTP response bodies, poll items) becomes a schema of
 * paths, types and sample values, shown as pills by `GET /api/workflows/NAME/datatree`, and
 * used by `hookflow validate` to warn about expression paths that no example holds.
 *
 * @example
 *   const tree = await buildDatatree(workflow);
 *   datatreeBody(tree); // { workflow, sources: [{ source: 'trigger', pills: [{ path, type, sample }] }] }
 *   unknownFields(workflow, tree); // [{ file, line, message: 'unknown field steps.order.body.stauts (…)' }]
 */
import { pillsOf } from './pills.js';
import type { Pill } from './pills.js';
import type { Datatree } from './workflow-datatree.js';

export { buildDatatree } from './workflow-datatree.js';
export type { Datatree, DatatreeSource } from './workflow-datatree.js';
export { inferSchema } from './schema.js';
export type { PillType, SchemaNode } from './schema.js';
export { formatPath, pillsOf, MAX_PILLS } from './pills.js';
export type { Pill } from './pills.js';
export { unknownFields } from './unknown-fields.js';

/** The API's answer: the pills of each source, in workflow order (trigger first). */
export function datatreeBody(tree: Datatree): {
  workflow: string;
  sources: Array<{ source: string; pills: Pill[] }>;
} {
  return {
    workflow: tree.workflow,
    sources: tree.sources.map((s) => ({
      source: s.source,
      pills: pillsOf(s.source.split('.'), s.schema),
    })),
  };
}
