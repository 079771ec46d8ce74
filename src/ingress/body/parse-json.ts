/**
 * @module ingress/body/parse-json
 * JSON text → value, with a coded error. A leading byte-order mark is ignored (RFC 8259 §8.1).
 * Nesting deeper than `maxDepth` is refused before parsing (see depth.ts).
 *
 * @example
 *   parseJson('{"id": 1}'); // { id: 1 }
 *   parseJson('[[[1]]]', 2); // throws body_too_deep
 */
import { errorMessage } from '../../errors.js';
import { bodyTooDeep, DEFAULT_MAX_DEPTH, jsonDepthOverflow } from './depth.js';
import { invalidBody } from './errors.js';

/** Throws `invalid_body` "body is not valid JSON: <reason>", or `body_too_deep`. */
export function parseJson(text: string, maxDepth = DEFAULT_MAX_DEPTH): unknown {
  const json = stripBom(text);
  const overflow = jsonDepthOverflow(json, maxDepth);
  if (overflow !== -1) {
    throw bodyTooDeep('JSON objects and lists', maxDepth, `at character ${overflow + 1}`);
  }
  try {
    return JSON.parse(json);
  } catch (e) {
    throw invalidBody('JSON', errorMessage(e));
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
