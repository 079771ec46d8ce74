/**
 * @module ingress/body/decode-body
 * A webhook request's bytes → the trigger's `body` and `rawBody` (SPEC §3).
 *
 * `rawBody` is always the exact bytes: their UTF-8 text when they are valid UTF-8 (a byte-order
 * mark included), else base64 with `rawBodyEncoding: 'base64'`. Signatures are checked against it.
 *
 * `body` by kind — from the Content-Type with format `auto`, else the forced format:
 * - json: the parsed value;
 * - xml: the document as an object, see parse-xml;
 * - form: `{ name: value | value[] }`;
 * - multipart: `{ fields, files }`, see parse-multipart;
 * - text: the string (decoded as UTF-8, invalid bytes → U+FFFD, a leading BOM dropped);
 * - raw: the same string as `rawBody` — text when the bytes are UTF-8, else base64 (then
 *   `rawBodyEncoding` says so). Hookflow cannot know what an unknown type means, so it keeps the
 *   readable form when there is one.
 * An empty body (0 bytes) is `null` whatever the kind. JSON and XML nesting deeper than
 * `maxDepth` is refused with `body_too_deep` (see depth.ts); form and multipart bodies are flat.
 * A `Content-Encoding` (gzip…) was undone before, by content-encoding.ts: `raw` is plain bytes.
 *
 * @example
 *   await decodeBody(Buffer.from('{"a":1}'), 'application/json', 'auto');
 *   // { body: { a: 1 }, rawBody: '{"a":1}' }
 */
import type { BodyFormat } from '../../workflow/types.js';
import { bodyKindOf, contentTypeOf, type BodyKind } from './content-type.js';
import { DEFAULT_MAX_DEPTH } from './depth.js';
import { invalidBody, unsupportedMediaType } from './errors.js';
import { parseForm } from './parse-form.js';
import { parseJson } from './parse-json.js';
import { parseMultipart } from './parse-multipart.js';
import { parseXml } from './parse-xml.js';

export interface DecodeOptions {
  /** JSON and XML nested deeper are refused (HOOKFLOW_MAX_DEPTH); default 100. */
  maxDepth?: number;
}

export interface DecodedBody {
  body: unknown;
  rawBody: string;
  rawBodyEncoding?: 'base64';
}

// ignoreBOM keeps a leading BOM in the text: rawBody must be the bytes exactly.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8');

/**
 * Throws `unsupported_media_type` when a forced format meets a Content-Type announcing another
 * structured kind, and `invalid_body` when the bytes are not valid for the kind.
 */
export async function decodeBody(
  raw: Buffer,
  contentType: string | undefined,
  format: BodyFormat,
  options: DecodeOptions = {},
): Promise<DecodedBody> {
  const kind = kindToDecode(contentType, format);
  if (raw.length === 0) return { body: null, rawBody: '' };
  const text = utf8TextOf(raw);
  const body = await bodyOf(kind, raw, text, contentType, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  return text === undefined
    ? { body, rawBody: raw.toString('base64'), rawBodyEncoding: 'base64' }
    : { body, rawBody: text };
}

/** The kinds a Content-Type may announce beside each forced format without a 415. */
const ACCEPTED_BESIDE: Record<Exclude<BodyFormat, 'auto'>, readonly BodyKind[]> = {
  json: ['json'],
  xml: ['xml'],
  // "form" covers both HTML form encodings; multipart bodies keep their own shape.
  form: ['form', 'multipart'],
  // Any bytes can be taken as text or kept raw: nothing to refuse.
  text: ['json', 'xml', 'form', 'multipart'],
  raw: ['json', 'xml', 'form', 'multipart'],
};
const EXPECTED_TYPE = {
  json: 'application/json',
  xml: 'application/xml',
  form: 'application/x-www-form-urlencoded',
  text: 'text/plain',
  raw: 'application/octet-stream',
} as const;

function kindToDecode(contentType: string | undefined, format: BodyFormat): BodyKind {
  const announced = bodyKindOf(contentType);
  if (format === 'auto') return announced;
  // text/*, application/octet-stream, a missing header or any type we do not parse: the
  // workflow's format decides.
  if (announced === 'text' || announced === 'raw') return format;
  if (!ACCEPTED_BESIDE[format].includes(announced)) {
    throw unsupportedMediaType(format, contentTypeOf(contentType), EXPECTED_TYPE[format]);
  }
  return announced === 'multipart' && format === 'form' ? 'multipart' : format;
}

async function bodyOf(
  kind: BodyKind,
  raw: Buffer,
  text: string | undefined,
  contentType: string | undefined,
  maxDepth: number,
): Promise<unknown> {
  switch (kind) {
    case 'json':
      return parseJson(requireText(text, 'JSON'), maxDepth);
    case 'xml':
      return parseXml(requireText(text, 'XML'), maxDepth);
    case 'form':
      return parseForm(requireText(text, 'form data'));
    case 'multipart':
      return parseMultipart(raw, contentType ?? '');
    case 'text':
      return lenientUtf8.decode(raw);
    case 'raw':
      return text ?? raw.toString('base64');
  }
}

function utf8TextOf(raw: Buffer): string | undefined {
  try {
    return strictUtf8.decode(raw);
  } catch {
    return undefined;
  }
}

function requireText(text: string | undefined, what: string): string {
  if (text === undefined) throw invalidBody(what, 'the bytes are not UTF-8 text');
  return text;
}
