/**
 * @module workflow/read-example
 * `example` of a webhook trigger, an `http` step or a poll: kept decoded (docs/datatree.md), so
 * an XML or form-encoded sample given as text is an object like the payload it stands for. A
 * sample that does not decode is a problem at its line.
 *
 * @example
 *   if (m.fields.has('example')) trigger.example = readExample(r, m, trigger.format);
 */
import { parseExample } from '../datatree/parse-example.js';
import type { ExampleFormat } from '../datatree/parse-example.js';
import type { BodyFormat, ResponseFormat } from './types.js';
import type { MapView, Reader } from './yaml-reader.js';

const EXAMPLE_FORMAT: Record<BodyFormat | ResponseFormat, ExampleFormat> = {
  auto: 'auto',
  json: 'json',
  xml: 'xml',
  form: 'form',
  text: 'text',
  raw: 'text',
  binary: 'text',
};

/** The decoded `m.example`, read as `format` says; undefined (reported) when it does not decode. */
export function readExample(
  r: Reader,
  m: MapView,
  format: BodyFormat | ResponseFormat = 'auto',
): unknown {
  const value = r.toJS(r.node(m, 'example') ?? null);
  try {
    return parseExample(value, EXAMPLE_FORMAT[format]);
  } catch (e) {
    r.bad(m, 'example', (e as Error).message);
    return undefined;
  }
}
