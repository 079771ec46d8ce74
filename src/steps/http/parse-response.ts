/**
 * @module steps/http/parse-response
 * Response bytes → the `body` of an `http` step's output, by the step's `response` format:
 * `json` and `xml` parse (an empty body is null), `text` decodes by the charset, `binary` is
 * `{base64, contentType, size}`, and `auto` picks one of these from the Content-Type.
 *
 * @example
 *   parseResponseBody('auto', Buffer.from('{"id":1}'), 'application/json'); // → { id: 1 }
 */
import { TextDecoder } from 'node:util';
import { DEFAULT_MAX_DEPTH, jsonDepthOverflow } from '../../ingress/body/index.js';
import type { ResponseFormat } from '../../workflow/types.js';
import { parseResponseXml } from './parse-response-xml.js';

export interface BinaryBody {
  base64: string;
  contentType: string | null;
  size: number;
}

/** The body did not parse as the format asked for. */
export class ResponseParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResponseParseError';
  }
}

export function parseResponseBody(
  format: ResponseFormat,
  bytes: Buffer,
  contentType: string | undefined,
): unknown {
  const { mime, charset } = parseContentType(contentType);
  switch (format) {
    case 'json':
      return bytes.length === 0 ? null : parseJson(decodeText(bytes, charset));
    case 'xml':
      return bytes.length === 0 ? null : parseXml(decodeText(bytes, charset));
    case 'text':
      return decodeText(bytes, charset);
    case 'binary':
      return toBinary(bytes, contentType);
    case 'auto':
    default:
      if (bytes.length === 0) return null;
      if (isJsonType(mime)) return parseJson(decodeText(bytes, charset));
      if (isXmlType(mime)) return parseXml(decodeText(bytes, charset));
      if (isTextType(mime)) return decodeText(bytes, charset);
      return toBinary(bytes, contentType);
  }
}

/** Decodes bytes by the charset (UTF-8 when absent or unknown); a BOM is dropped. */
export function decodeText(bytes: Buffer, charset?: string): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(bytes);
}

export function parseContentType(value: string | undefined): { mime: string; charset?: string } {
  if (!value) return { mime: '' };
  const [type = '', ...params] = value.split(';');
  let charset: string | undefined;
  for (const param of params) {
    const [name, raw] = param.split('=', 2);
    if (name?.trim().toLowerCase() === 'charset' && raw) {
      charset = raw.trim().replace(/^"|"$/g, '');
    }
  }
  return { mime: type.trim().toLowerCase(), charset };
}

function isJsonType(mime: string): boolean {
  return mime === 'application/json' || mime === 'text/json' || mime.endsWith('+json');
}

function isXmlType(mime: string): boolean {
  return mime === 'application/xml' || mime === 'text/xml' || mime.endsWith('+xml');
}

const TEXT_TYPES = new Set([
  'application/javascript',
  'application/x-www-form-urlencoded',
  'application/yaml',
  'application/x-yaml',
]);

function isTextType(mime: string): boolean {
  return mime.startsWith('text/') || TEXT_TYPES.has(mime);
}

/**
 * A hostile or broken upstream must not hand the engine a value that overflows the stack of
 * the next recursive walk: responses nest at most as deep as webhook bodies do by default
 * (XML: parse-response-xml stops at 100 too).
 */
function parseJson(text: string): unknown {
  const overflow = jsonDepthOverflow(text, DEFAULT_MAX_DEPTH);
  if (overflow !== -1) {
    throw new ResponseParseError(
      `the body nests JSON objects and lists more than ${DEFAULT_MAX_DEPTH} levels deep (at character ${overflow + 1}); Hookflow refuses deeper responses`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ResponseParseError(`the body is not valid JSON: ${(e as Error).message}`);
  }
}

function parseXml(text: string): unknown {
  try {
    return parseResponseXml(text);
  } catch (e) {
    throw new ResponseParseError(`the body is not valid XML: ${(e as Error).message}`);
  }
}

function toBinary(bytes: Buffer, contentType: string | undefined): BinaryBody {
  return { base64: bytes.toString('base64'), contentType: contentType ?? null, size: bytes.length };
}
