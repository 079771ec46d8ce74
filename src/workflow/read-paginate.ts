/**
 * @module workflow/read-paginate
 * `paginate:` of an http step: the next page by URL (`next`) or by a query parameter
 * (`param` + `value`: a cursor, an offset, a page number), what each page's items are, an
 * optional `while`, and `max_pages`.
 *
 * @example
 *   paginate: {items: "{{ body.data }}", param: starting_after, value: "{{ body.data[-1].id }}", while: "{{ body.has_more }}"}
 */
import type { Node } from 'yaml';
import { readTemplate } from './read-template.js';
import type { ExpressionSite } from './read-template.js';
import type { HttpPagination } from './types.js';
import type { Reader } from './yaml-reader.js';

const PAGINATE_KEYS = ['items', 'next', 'param', 'value', 'while', 'max_pages'];
export const DEFAULT_MAX_PAGES = 100;

export function readPaginate(
  r: Reader,
  node: Node | null,
  where: string,
  keyLine: number,
  at: string,
  sites: ExpressionSite[],
): HttpPagination | undefined {
  const m = r.map(node, where, { allowed: PAGINATE_KEYS, line: keyLine });
  if (!m) return undefined;
  const before = r.problems.length;
  const opts = { expression: true, sites };
  const hasNext = m.fields.has('next');
  const hasParam = m.fields.has('param') || m.fields.has('value');
  if (hasNext === hasParam) {
    r.report(
      m.line,
      `${where} needs either next (the next page's URL) or param and value (a query parameter: cursor, offset, page), not ${hasNext ? 'both' : 'neither'}`,
    );
  }
  let next: HttpPagination['next'] | undefined;
  if (hasNext) {
    const url = readTemplate(r, m, 'next', `${at}.next`, opts);
    if (url) next = { kind: 'url', url };
  } else if (hasParam) {
    for (const key of ['param', 'value'])
      if (!m.fields.has(key)) r.report(m.line, `missing required key '${key}' in ${where}`);
    const param = r.string(m, 'param');
    const value = readTemplate(r, m, 'value', `${at}.value`, opts);
    if (param !== undefined && param === '') r.bad(m, 'param', 'must name a query parameter');
    if (param && value) next = { kind: 'param', param, value };
  }
  const maxPages = r.integer(m, 'max_pages', DEFAULT_MAX_PAGES, 1);
  const items = readTemplate(r, m, 'items', `${at}.items`, opts);
  const whileTemplate = readTemplate(r, m, 'while', `${at}.while`, opts);
  if (r.problems.length > before || !next) return undefined;
  const paginate: HttpPagination = { next, maxPages };
  if (items) paginate.items = items;
  if (whileTemplate) paginate.while = whileTemplate;
  return paginate;
}
