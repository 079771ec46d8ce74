/**
 * @module steps/http/parse-response-xml
 * XML response bodies → objects the way §3 of the spec reads XML: the root element is the top
 * key, namespace prefixes dropped, attributes as `@name`, an element's text as its value (or
 * `#text` beside attributes), repeated elements as lists. Values stay strings.
 *
 * Stand-in until `ingress/body` exports `parseXml(text)`; this should then delegate to it so
 * webhooks and responses read XML the same way.
 *
 * Untrusted input: a DOCTYPE is refused (no entity declarations, no expansion bombs), and
 * fast-xml-parser's entity processing is off. The five predefined entities and numeric
 * character references are decoded here in one linear pass; CDATA is kept as written.
 *
 * @example
 *   parseResponseXml('<soap:Envelope><Body id="1">ok</Body></soap:Envelope>');
 *   // → { Envelope: { Body: { '#text': 'ok', '@id': '1' } } }
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const CDATA = '#cdata';
const TEXT = '#text';

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: TEXT,
  cdataPropName: CDATA,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  // Also bounds the recursion in normalize().
  maxNestedTags: 100,
});

export class XmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlParseError';
  }
}

/** Parses an XML document; throws XmlParseError with a readable reason when it is not one. */
export function parseResponseXml(text: string): unknown {
  if (/<!DOCTYPE/i.test(text)) {
    throw new XmlParseError('XML with a DOCTYPE is refused (entity declarations are not allowed)');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new XmlParseError(`${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(text) as unknown;
  } catch (e) {
    throw new XmlParseError(e instanceof Error ? e.message : String(e));
  }
  return normalize(parsed);
}

/** Decodes entities in text and attribute values, and folds CDATA back into the text. */
function normalize(value: unknown): unknown {
  if (typeof value === 'string') return decodeEntities(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;

  const out: Record<string, unknown> = {};
  let cdata: string | undefined;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (key === CDATA) cdata = Array.isArray(item) ? item.join('') : String(item);
    else out[key] = normalize(item);
  }
  if (cdata === undefined) return out;
  const text = typeof out[TEXT] === 'string' ? out[TEXT] + cdata : cdata;
  const keys = Object.keys(out).filter((key) => key !== TEXT);
  if (keys.length === 0) return text;
  out[TEXT] = text;
  return out;
}

const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, dec?: string, hex?: string, name?: string) => {
    if (name) return NAMED[name] ?? whole;
    const code = dec !== undefined ? Number(dec) : Number.parseInt(hex ?? '', 16);
    const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
    return valid ? String.fromCodePoint(code) : whole;
  });
}
