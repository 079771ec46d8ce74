/**
 * @module ingress/body/parse-json
 * JSON text → value, with a coded error. A leading byte-order mark is ignored (RFC 8259 §8.1).
 *
 * @example
 *   parseJson('{"id": 1}'); // { id: 1 }
 */
import { errorMessage } from '../../errors.js';
import { invalidBody } from './errors.js';

/** Throws `invalid_body` "body is not valid JSON: <reason>". */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(stripBom(text));
  } catch (e) {
    throw invalidBody('JSON', errorMessage(e));
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
