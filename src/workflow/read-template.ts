/**
 * @module workflow/read-template
 * Compiles a YAML value into a Template, reporting each invalid `{{ }}` at the line of the string
 * that holds it, and noting where each expression sits (for the step-reference check).
 *
 * @example
 *   const url = readTemplate(r, http, 'url', 'steps.order.http.url', { sites });
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node } from 'yaml';
import { childWhere, compileTemplate } from './expressions.js';
import { splitTemplate } from './template-syntax.js';
import type { Template } from './types.js';
import { describe } from './yaml-reader.js';
import type { MapView, Reader } from './yaml-reader.js';

/** Where an expression was written: for messages about what it refers to. */
export interface ExpressionSite {
  where: string;
  line: number;
  source: string;
}

export interface TemplateOptions {
  /** The value must be a string holding an expression (filter, dedupe, when). */
  expression?: boolean;
  /** Collects the expressions found, when given. */
  sites?: ExpressionSite[];
}

/** The template of `m[key]`, or undefined when absent or invalid (reported). */
export function readTemplate(
  r: Reader,
  m: MapView,
  key: string,
  runtimeWhere: string,
  opts: TemplateOptions = {},
): Template | undefined {
  const field = m.fields.get(key);
  if (!field) return undefined;
  const where = childWhere(m.where, key);
  return nodeTemplate(
    r,
    field.value,
    where,
    runtimeWhere,
    r.line(field.value, field.keyLine),
    opts,
  );
}

/** The template of a node; `where` names it in problems, `runtimeWhere` in run-time errors. */
export function nodeTemplate(
  r: Reader,
  node: Node | null,
  where: string,
  runtimeWhere: string,
  line: number,
  opts: TemplateOptions = {},
): Template | undefined {
  if (opts.expression) {
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== 'string' || !value.includes('{{')) {
      r.report(
        line,
        `${where} must be an expression like "{{ body.type = 'order' }}"${describe(node)}`,
      );
      return undefined;
    }
  }
  if (!checkStrings(r, node, where, line, opts.sites)) return undefined;
  try {
    return compileTemplate(r.toJS(node), runtimeWhere);
  } catch (e) {
    r.report(line, (e as Error).message);
    return undefined;
  }
}

/**
 * Compiles every string below `node` on its own, reporting each bad one at its line. Walks a
 * workflow file's YAML (its author's), never a request value.
 */
function checkStrings(
  r: Reader,
  raw: Node | null,
  where: string,
  fallbackLine: number,
  sites: ExpressionSite[] | undefined,
): boolean {
  const node = r.resolve(raw);
  const line = r.line(node, fallbackLine);
  if (isScalar(node)) {
    if (typeof node.value !== 'string' || !node.value.includes('{{')) return true;
    try {
      compileTemplate(node.value, where);
    } catch (e) {
      r.report(line, (e as Error).message);
      return false;
    }
    for (const part of splitTemplate(node.value)) {
      if ('source' in part) sites?.push({ where, line, source: part.source });
    }
    return true;
  }
  let ok = true;
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = r.resolve(pair.key);
      const name = isScalar(key) ? String(key.value) : '?';
      ok = checkStrings(r, pair.value as Node | null, childWhere(where, name), line, sites) && ok;
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      ok = checkStrings(r, item as Node | null, `${where}[${i}]`, line, sites) && ok;
    });
  }
  return ok;
}
