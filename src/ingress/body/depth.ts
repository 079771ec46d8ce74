/**
 * @module ingress/body/depth
 * How deep a body may nest. A 10 KB JSON text can nest 5,000 levels; `JSON.parse` accepts it,
 * and the first recursive function after it (a `JSON.stringify` across threads, a tree walk)
 * overflows the stack. Bodies are refused at parse time instead, so every later walk of a
 * request value is bounded by {@link MAX_DEPTH_SETTING} at most.
 *
 * Depth counts containers inside each other: `1` is 0 deep, `{}` and `[]` 1, `{"a":[1]}` 2. For
 * XML it counts elements (the root is 1), see xml-guard. Form and multipart bodies are flat by
 * construction (no `a[b][c]` expansion), so no limit can catch them.
 *
 * @example
 *   jsonDepthOverflow('[[[]]]', 2); // 2: the index of the bracket opening level 3
 *   jsonDepthOverflow('{"a":"[[["}', 2); // -1: brackets inside strings do not count
 */
import { HookflowError } from '../../errors.js';

/** Real payloads nest a few levels (GitHub's about 6, SOAP envelopes 10–20); 100 leaves room. */
export const DEFAULT_MAX_DEPTH = 100;
/**
 * The highest HOOKFLOW_MAX_DEPTH accepted. Every recursive walk of a request value (JSON across
 * threads, redaction, expression results, job history) is safe far beyond it: V8's
 * `JSON.stringify` fails near 4,000 levels on a default stack.
 */
export const MAX_DEPTH_SETTING = 1000;

export const BODY_TOO_DEEP = 'body_too_deep';

/**
 * The index of the `{` or `[` that opens level `max + 1`, or -1 when the text nests at most
 * `max` deep. One pass, no recursion; brackets inside strings are skipped. Text that is not
 * JSON gives some answer: JSON.parse refuses it afterwards anyway.
 */
export function jsonDepthOverflow(text: string, max: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i = closingQuote(text, i);
      if (i === -1) return -1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return i;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return -1;
}

/** The index of the quote that closes the string opened at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  let at = text.indexOf('"', open + 1);
  while (at !== -1 && isEscaped(text, at)) at = text.indexOf('"', at + 1);
  return at;
}

/** An odd run of backslashes before `at` escapes it. */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  for (let i = at - 1; i >= 0 && text.charCodeAt(i) === 0x5c; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** `body_too_deep` (400): `what` names the format and what nests, e.g. `JSON objects and lists`. */
export function bodyTooDeep(what: string, max: number, where: string): HookflowError {
  return new HookflowError(
    BODY_TOO_DEEP,
    `body nests ${what} more than ${max} levels deep (${where}); ` +
      'Hookflow refuses deeper bodies (the limit is HOOKFLOW_MAX_DEPTH)',
    { maxDepth: max },
  );
}
