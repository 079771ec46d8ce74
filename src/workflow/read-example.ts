/**
 * @module workflow/read-example
 * `example` of a webhook trigger, an `http` step or a poll, kept decoded (docs/datatree.md): an
 * XML or form-encoded sample given as text becomes the object the payload will be. A structured
 * value (a YAML/JSON mapping or list) is the payload itself. A string is decoded the way the
 * payload will be, by the trigger's `format` or the step's `response`, with the parsers of
 * webhook bodies (XML: root element as top key, attributes `@name`, `#text`, repeated elements
 * as lists). With `auto`, a string that starts with `<` is XML, one that starts with `{` or `[`
 * is JSON, one shaped like `a=1&b=2` is form data, and anything else stays text. A sample that
 * does not decode is a problem at its line.
 *
 * @example
 *   parseExample('<order id="1"><item>a</item><item>b</item></order>', 'auto');
 *   // { order: { '@id': '1', item: ['a', 'b'] } }
 */
import { errorMessage } from '../errors.js';
import { parseForm, parseJson, parseXml } from '../ingress/body/index.js';
import type { BodyFormat, ResponseFormat } from './types.js';
import type { MapView, Reader } from './yaml-reader.js';

export type ExampleFormat = 'auto' | 'json' | 'xml' | 'form' | 'text';

const FORM_LIKE = /^[^\s=&]+=[^\s&]*(?:&[^\s=&]+=[^\s&]*)*$/;

/** The decoded example; throws an Error whose message reads "is not valid XML: <reason>". */
export function parseExample(value: unknown, format: ExampleFormat): unknown {
  if (typeof value !== 'string') return value;
  const kind = format === 'auto' ? guessFormat(value) : format;
  try {
    switch (kind) {
      case 'json':
        return parseJson(value);
      case 'xml':
        return parseXml(value);
      case 'form':
        return parseForm(value);
      case 'text':
      case 'auto':
        return value;
    }
  } catch (e) {
    throw new Error(errorMessage(e).replace(/^body /, ''));
  }
}

function guessFormat(text: string): ExampleFormat {
  const start = text.trimStart()[0];
  if (start === '<') return 'xml';
  if (start === '{' || start === '[') return 'json';
  return FORM_LIKE.test(text.trim()) ? 'form' : 'text';
}
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
