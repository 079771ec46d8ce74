/**
 * @module ingress/body/parse-form
 * `application/x-www-form-urlencoded` text → a flat object. A key sent once gives a string; a key
 * repeated gives the list of its values in order. `+` is a space; bad percent-escapes are kept
 * leniently (URLSearchParams rules), so any UTF-8 text is a valid form.
 *
 * @example
 *   parseForm('a=1&b=x+y&a=2'); // { a: ['1', '2'], b: 'x y' }
 */
import { stripBom } from './parse-json.js';

export type FormFields = Record<string, string | string[]>;

export function parseForm(text: string): FormFields {
  return collectFields(new URLSearchParams(stripBom(text)));
}

/** Name/value pairs → FormFields, a repeated name becoming a list. Shared with multipart. */
export function collectFields(pairs: Iterable<readonly [string, string]>): FormFields {
  const fields = new Map<string, string | string[]>();
  for (const [name, value] of pairs) {
    const seen = fields.get(name);
    if (seen === undefined) fields.set(name, value);
    else if (Array.isArray(seen)) seen.push(value);
    else fields.set(name, [seen, value]);
  }
  // fromEntries defines own properties, so a field named `__proto__` stays plain data.
  return Object.fromEntries(fields);
}
