/**
 * @module datatree/unknown-fields
 * The fields an expression of the steps reads that the datatree says are not there: each is
 * a warning `file:line: unknown field steps.order.body.stauts (…)`. Only paths into a
 * described source are checked (a trigger or http step with an example, or a schedule); a
 * field below an open part (`trigger.headers.*`, a body without example) is never unknown.
 *
 * @example
 *   const warnings = unknownFields(workflow, await buildDatatree(workflow));
 *   for (const w of warnings) console.log(`${w.file}:${w.line}: ${w.message}`);
 */
import { editDistance, expressionPaths } from '../workflow/index.js';
import type { Problem, Workflow } from '../workflow/index.js';
import { formatPath } from './pills.js';
import type { Datatree } from './workflow-datatree.js';
import type { SchemaNode } from './schema.js';

export function unknownFields(wf: Workflow, tree: Datatree): Problem[] {
  const sources = new Map(tree.sources.filter((s) => s.described).map((s) => [s.source, s]));
  const out: Problem[] = [];
  const reported = new Set<string>();
  for (const site of wf.expressions ?? []) {
    let paths: string[][];
    try {
      paths = expressionPaths(site.source);
    } catch {
      continue; // not valid JSONata: the loader has reported it
    }
    for (const path of paths) {
      const start = path[0] === 'trigger' ? 1 : path[0] === 'steps' ? 2 : 0;
      if (start === 0 || path.length <= start) continue;
      const found = sources.get(path.slice(0, start).join('.'));
      if (!found) continue;
      const message = check(path, start, found.schema, site.where);
      const key = `${site.line}:${message}`;
      if (message && !reported.has(key)) {
        reported.add(key);
        out.push({ file: wf.file ?? wf.name, line: site.line, message });
      }
    }
  }
  return out;
}

/** The warning for the first name of `path` (from `start`) that is not in `node`, if any. */
function check(path: string[], start: number, root: SchemaNode, where: string): string | null {
  let node = root;
  for (let i = start; i < path.length; i++) {
    if (node.open) return null;
    const name = path[i] as string;
    const child = node.fields.get(name);
    if (child) {
      node = child;
      continue;
    }
    const at = formatPath(path.slice(0, i));
    const known = [...node.fields.keys()];
    const has =
      known.length === 0
        ? `${at} is ${article(node.type)} with no fields`
        : `${at} has ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}`;
    const near = known.find((k) => editDistance(k, name) <= Math.max(1, Math.floor(k.length / 3)));
    const hint = near ? `; did you mean ${formatPath([...path.slice(0, i), near])}?` : '';
    return `unknown field ${formatPath(path.slice(0, i + 1))} in ${where} (${has}${hint})`;
  }
  return null;
}

function article(type: string): string {
  return type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`;
}
