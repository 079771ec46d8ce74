/**
 * @module workflow/template-syntax
 * Finds the `{{ … }}` expressions inside a string. The closing `}}` is the first one outside a
 * JSONata string literal, comment or object constructor, so `{{ {"a": {"b": 1}} }}` works.
 *
 * @example
 *   splitTemplate('Hi {{ name }}!') // → [{text: 'Hi '}, {source: ' name ', raw: '{{ name }}'}, {text: '!'}]
 */

export type TemplatePart = { text: string } | { source: string; raw: string };

/** Splits a string into literal text and expressions; throws a plain Error on an unclosed `{{`. */
export function splitTemplate(value: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let pos = 0;
  for (;;) {
    const open = value.indexOf('{{', pos);
    if (open < 0) break;
    const close = findClose(value, open + 2);
    if (close < 0) {
      throw new Error(`'{{' at character ${open + 1} has no matching '}}'`);
    }
    if (open > pos) parts.push({ text: value.slice(pos, open) });
    parts.push({ source: value.slice(open + 2, close), raw: value.slice(open, close + 2) });
    pos = close + 2;
  }
  if (pos < value.length || parts.length === 0) parts.push({ text: value.slice(pos) });
  return parts;
}

/** True when the string holds at least one `{{`. */
export function hasExpression(value: string): boolean {
  return value.includes('{{');
}

/** Index of the `}}` that closes an expression starting at `from`, or -1. */
function findClose(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipQuoted(s, i, c);
    } else if (c === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2);
      i = end < 0 ? s.length : end + 1;
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      if (depth === 0 && s[i + 1] === '}') return i;
      if (depth > 0) depth--;
    }
  }
  return -1;
}

/** Index of the quote closing the literal opened at `start` (or the end of the string). */
function skipQuoted(s: string, start: number, quote: string): number {
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '\\' && quote !== '`') i++;
    else if (s[i] === quote) return i;
  }
  return s.length;
}

/** The expression with string literals and comments blanked out, for scanning names. */
function withoutLiterals(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '"' || c === "'") {
      const end = skipQuoted(source, i, c);
      out += ' '.repeat(end - i + 1);
      i = end;
    } else if (c === '/' && source[i + 1] === '*') {
      const found = source.indexOf('*/', i + 2);
      const end = found < 0 ? source.length : found + 1;
      out += ' '.repeat(end - i + 1);
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

/** A `steps.<id>` path found in an expression; `hyphenated` is the id if `-` was meant as part of it. */
export interface StepReference {
  id: string;
  hyphenated?: string;
}

const STEP_PATH =
  /(?<![\w$.`])steps\s*\.\s*(?:`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*)((?:-[A-Za-z0-9_]+)*))/g;

/** Every `steps.<id>` (or ``steps.`my-id` ``) that starts a path in a JSONata expression. */
export function findStepReferences(source: string): StepReference[] {
  const refs: StepReference[] = [];
  for (const m of withoutLiterals(source).matchAll(STEP_PATH)) {
    const quoted = m[1];
    if (quoted !== undefined) {
      refs.push({ id: quoted });
    } else {
      const id = m[2] as string;
      const rest = m[3] ?? '';
      refs.push(rest ? { id, hyphenated: id + rest } : { id });
    }
  }
  return refs;
}
