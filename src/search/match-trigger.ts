/**
 * @module search/match-trigger
 * What a match means on a job's trigger data, as pure functions shared by every store: the
 * values a path reaches (an array on the way is searched element by element, unless the key
 * is its index), each as a typed term (`s123` the string "123", `n123` the number), the terms
 * a condition accepts, and the text that must occur in the stored JSON for it to hold (a
 * cheap filter a database can run before the exact check here).
 *
 * @example
 *   const m = parseMatch('body.order.id:123');
 *   matchesTrigger(trigger, [m]);      // true when trigger.body.order.id is 123 or "123"
 *   searchTerms(trigger, [m.path]);    // [{ path: 'body.order.id', term: 'n123' }]
 */
import type { JobMatch, MatchPath } from './parse-match.js';

/** A value found at a declared path, as stored in the search index. */
export interface SearchTerm {
  path: string;
  term: string;
}

/** Terms longer than this are not indexed (a match on them is found by scanning). */
export const MAX_TERM_LENGTH = 512;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** The typed term of a scalar; undefined for objects and arrays. */
function termOf(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'number':
      return Number.isFinite(value) ? `n${String(value)}` : undefined;
    case 'boolean':
      return `b${String(value)}`;
    default:
      return value === null ? 'z' : undefined;
  }
}

/** Every scalar a path reaches in the trigger data. */
function valuesAt(trigger: unknown, path: MatchPath): unknown[] {
  if (trigger === null || typeof trigger !== 'object') return [];
  const out: unknown[] = [];
  walk((trigger as Record<string, unknown>)[path.root], path.keys, 0, out);
  return out;
}

function walk(value: unknown, keys: readonly string[], i: number, out: unknown[]): void {
  if (Array.isArray(value)) {
    const key = keys[i];
    if (key !== undefined && /^\d+$/.test(key)) {
      walk(value[Number(key)], keys, i + 1, out);
    } else {
      for (const item of value) walk(item, keys, i, out);
    }
    return;
  }
  if (i === keys.length) {
    if (value === null || typeof value !== 'object') out.push(value);
    return;
  }
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, keys[i]!)) {
    walk((value as Record<string, unknown>)[keys[i]!], keys, i + 1, out);
  }
}

/** The terms a condition accepts. */
export function acceptedTerms(match: JobMatch): string[] {
  const v = match.value;
  if (v.kind === 'string') return [`s${v.value}`];
  const terms = [`s${v.text}`];
  if (NUMBER.test(v.text) && Number.isFinite(Number(v.text)))
    terms.push(`n${String(Number(v.text))}`);
  if (v.text === 'true' || v.text === 'false') terms.push(`b${v.text}`);
  if (v.text === 'null') terms.push('z');
  return terms;
}

/** Whether the trigger data meets every condition. */
export function matchesTrigger(trigger: unknown, matches: readonly JobMatch[]): boolean {
  return matches.every((m) => {
    const accepted = new Set(acceptedTerms(m));
    return valuesAt(trigger, m.path).some((v) => {
      const term = termOf(v);
      return term !== undefined && accepted.has(term);
    });
  });
}

/** The terms to index for a new job: each distinct value at each declared path. */
export function searchTerms(trigger: unknown, paths: readonly MatchPath[]): SearchTerm[] {
  const out: SearchTerm[] = [];
  for (const path of paths) {
    const seen = new Set<string>();
    for (const v of valuesAt(trigger, path)) {
      const term = termOf(v);
      if (term === undefined || term.length > MAX_TERM_LENGTH || seen.has(term)) continue;
      seen.add(term);
      out.push({ path: path.text, term });
    }
  }
  return out;
}

/** Whether the index answers this condition (its terms are short enough to be indexed). */
export function indexable(match: JobMatch): boolean {
  return acceptedTerms(match).every((t) => t.length <= MAX_TERM_LENGTH);
}

/**
 * Texts of which the stored trigger JSON (JSON.stringify of the trigger) holds at least one
 * when the condition is met: a value is stored as JSON.stringify writes it. Where one text is
 * part of every other, it alone is returned.
 */
export function matchNeedles(match: JobMatch): string[] {
  const needles = [
    ...new Set(
      acceptedTerms(match).map((t) =>
        t === 'z' ? 'null' : t[0] === 's' ? JSON.stringify(t.slice(1)) : t.slice(1),
      ),
    ),
  ];
  const inAll = needles.find((n) => needles.every((m) => m.includes(n)));
  return inAll === undefined ? needles : [inAll];
}
