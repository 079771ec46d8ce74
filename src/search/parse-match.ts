/**
 * @module search/parse-match
 * The payload search syntax (docs/jobs.md "Search by payload"): `PATH:VALUE`, where PATH
 * starts at `body`, `query`, `headers` or `params` of the trigger data and walks keys joined by
 * dots (`body.order.id`), a key with a dot, colon, quote or space quoted as a JSON string
 * (`body."order.id"`), and VALUE is the rest: bare text matches a string with that text or
 * the number, boolean or null it spells (`123` matches 123 and "123"); a JSON string
 * (`"123"`) matches that string only.
 *
 * @example
 *   parseMatch('body.order.id:123');
 *   // → { path: { root: 'body', keys: ['order', 'id'], text: 'body.order.id' },
 *   //     value: { kind: 'loose', text: '123' } }
 */
import { HookflowError } from '../errors.js';

export const MATCH_ROOTS = ['body', 'query', 'headers', 'params'] as const;
export type MatchRoot = (typeof MATCH_ROOTS)[number];

export interface MatchPath {
  root: MatchRoot;
  keys: string[];
  /** The canonical spelling (quotes only where needed; header names lower-cased). */
  text: string;
}

/** `loose`: bare text (a string, or the number/boolean/null it spells); `string`: quoted. */
export type MatchValue = { kind: 'loose'; text: string } | { kind: 'string'; value: string };

export interface JobMatch {
  path: MatchPath;
  value: MatchValue;
}

/** At most this many `match` conditions in one query. */
export const MAX_MATCHES = 8;
const MAX_MATCH_LENGTH = 1024;
const BARE_KEY = /^[^.:"]+$/;
const HINT =
  'write PATH:VALUE, PATH starting at body, query, headers or params (e.g. body.order.id:123; quote a key with a dot as body."a.b")';

function invalid(text: string, why: string): HookflowError {
  return new HookflowError('invalid_match', `match '${text}': ${why}; ${HINT}`, { match: text });
}

/** Parses one condition; throws HookflowError `invalid_match` saying what is wrong. */
export function parseMatch(text: string): JobMatch {
  if (text.length > MAX_MATCH_LENGTH) {
    throw invalid(text.slice(0, 40) + '…', `longer than ${MAX_MATCH_LENGTH} characters`);
  }
  const { keys, end } = readPath(text);
  if (text[end] !== ':') throw invalid(text, 'no ":" between the path and the value');
  const [first, ...rest] = keys;
  if (!(MATCH_ROOTS as readonly string[]).includes(first ?? '')) {
    throw invalid(text, `the path must start at ${MATCH_ROOTS.join(', ')}, not '${first ?? ''}'`);
  }
  if (rest.length === 0) throw invalid(text, `name a key inside ${first}`);
  const root = first as MatchRoot;
  const inner = root === 'headers' ? [rest[0]!.toLowerCase(), ...rest.slice(1)] : rest;
  const path: MatchPath = { root, keys: inner, text: pathText(root, inner) };
  return { path, value: readValue(text, text.slice(end + 1)) };
}

/** Parses a path alone (a workflow's `search:` entry). */
export function parseMatchPath(text: string): MatchPath {
  return parseMatch(`${text}:`).path;
}

/** Parses every condition; several are ANDed. */
export function parseMatches(texts: readonly string[]): JobMatch[] {
  if (texts.length > MAX_MATCHES) {
    throw new HookflowError(
      'invalid_match',
      `at most ${MAX_MATCHES} match conditions at once, got ${texts.length}`,
    );
  }
  return texts.map(parseMatch);
}

function readPath(text: string): { keys: string[]; end: number } {
  const keys: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      const close = closingQuote(text, i);
      if (close < 0) throw invalid(text, 'a quoted key has no closing quote');
      keys.push(JSON.parse(text.slice(i, close + 1)) as string);
      i = close + 1;
    } else {
      let j = i;
      while (j < text.length && !'.:"'.includes(text[j]!)) j++;
      const key = text.slice(i, j);
      if (key === '' || !BARE_KEY.test(key)) {
        throw invalid(text, `empty or unquoted key at character ${i + 1}`);
      }
      keys.push(key);
      i = j;
    }
    if (text[i] !== '.') return { keys, end: i };
    i++;
  }
}

/** Index of the quote closing the JSON string opening at `start`, or -1. */
function closingQuote(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function readValue(whole: string, value: string): MatchValue {
  if (!value.startsWith('"')) return { kind: 'loose', text: value };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalid(whole, 'a value starting with " must be one JSON string, e.g. "123"');
  }
  return { kind: 'string', value: parsed as string };
}

function pathText(root: MatchRoot, keys: readonly string[]): string {
  return [root, ...keys.map((k) => (BARE_KEY.test(k) ? k : JSON.stringify(k)))].join('.');
}

/** The condition spelled canonically (what `parseMatch` reads back the same). */
export function matchText(match: JobMatch): string {
  const v = match.value;
  return `${match.path.text}:${v.kind === 'loose' ? v.text : JSON.stringify(v.value)}`;
}
