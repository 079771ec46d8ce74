/**
 * @module ingress/body/parse-xml
 * Untrusted XML text → an object the way users read the document:
 * - the root element is the one top-level key;
 * - namespace prefixes are dropped from elements and attributes (`soapenv:Envelope` →
 *   `Envelope`), and `xmlns`/`xmlns:*` attributes are left out;
 * - attributes become `@name`;
 * - an element with only text is that text, a string: nothing is coerced to a number or boolean
 *   (`<zip>01234</zip>` stays `'01234'`), an empty element is `''`;
 * - beside attributes or child elements the text goes under `#text`;
 * - a name repeated among siblings becomes a list in document order;
 * - CDATA is text, taken verbatim; text outside CDATA is trimmed and its `&amp;`-style and
 *   numeric references decoded (see xml-guard);
 * - the XML declaration, processing instructions and comments are ignored.
 * Mixed content keeps the text pieces but not their place among the child elements. Names that
 * shadow Object.prototype are fast-xml-parser's call: `__proto__`, `constructor` and `prototype`
 * are refused, `toString`, `valueOf`, `hasOwnProperty`… come out prefixed `__`.
 *
 * Refused with `invalid_body`: malformed XML, DTDs (see xml-guard), more than one root element;
 * with `body_too_deep`: elements nested more than `maxDepth` deep (default 100).
 *
 * @example
 *   parseXml('<soap:Envelope xmlns:soap="…"><soap:Body><id type="sf">42</id></soap:Body></soap:Envelope>');
 *   // { Envelope: { Body: { id: { '@type': 'sf', '#text': '42' } } } }
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { errorMessage } from '../../errors.js';
import { invalidBody } from './errors.js';
import { stripBom } from './parse-json.js';
import { DEFAULT_MAX_DEPTH, MAX_DEPTH_SETTING } from './depth.js';
import { decodeXmlReferences, refuseUnsafeXml } from './xml-guard.js';

export type XmlValue = string | XmlObject;
export interface XmlObject {
  [name: string]: XmlValue | XmlValue[];
}

const TEXT = '#text';
const CDATA = '#cdata';
const ATTRIBUTES = ':@';

// preserveOrder keeps text, CDATA and elements apart and in order; the user-facing object is
// built below. processEntities: false — fast-xml-parser expands nothing, we decode references.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: CDATA,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // A backstop only: refuseUnsafeXml enforces the depth asked for, at most MAX_DEPTH_SETTING. It
  // also bounds the recursion of elementValue.
  maxNestedTags: MAX_DEPTH_SETTING + 1,
});

/** fast-xml-parser's preserveOrder node: `{ name: children, ':@'?: attributes }` or `{ '#text': s }`. */
type OrderedNode = Record<string, unknown>;

/** Throws `invalid_body` "body is not valid XML: <reason>", or `body_too_deep`. */
export function parseXml(text: string, maxDepth = DEFAULT_MAX_DEPTH): XmlObject {
  const xml = stripBom(text);
  refuseUnsafeXml(xml, maxDepth);
  const validation = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw invalidBody('XML', `${shorten(msg)} (line ${line}, column ${col})`, {
      line,
      column: col,
    });
  }
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(xml) as OrderedNode[];
  } catch (e) {
    throw invalidBody('XML', shorten(errorMessage(e)));
  }
  const roots = nodes.filter((node) => isElementName(nameOf(node)));
  const root = roots[0];
  if (root === undefined) throw invalidBody('XML', 'the document has no root element');
  if (roots.length > 1) {
    throw invalidBody('XML', `the document has ${roots.length} root elements; XML allows one`);
  }
  const name = nameOf(root);
  return Object.fromEntries([[name, elementValue(root, name)]]) as XmlObject;
}

function elementValue(node: OrderedNode, name: string): XmlValue {
  const entries: Array<[string, XmlValue | XmlValue[]]> = [];
  const attributes = node[ATTRIBUTES] as Record<string, unknown> | undefined;
  for (const [attribute, value] of Object.entries(attributes ?? {})) {
    entries.push([attribute, decodeXmlReferences(String(value))]);
  }
  const children = new Map<string, XmlValue[]>();
  let text = '';
  for (const child of node[name] as OrderedNode[]) {
    const childName = nameOf(child);
    if (childName === TEXT) text += decodeXmlReferences(String(child[TEXT]));
    else if (childName === CDATA) text += cdataText(child[CDATA]);
    else if (isElementName(childName)) {
      const value = elementValue(child, childName);
      const siblings = children.get(childName);
      if (siblings === undefined) children.set(childName, [value]);
      else siblings.push(value);
    }
  }
  if (entries.length === 0 && children.size === 0) return text;
  for (const [childName, values] of children) {
    entries.push([childName, values.length === 1 ? (values[0] as XmlValue) : values]);
  }
  if (text !== '') entries.push([TEXT, text]);
  // fromEntries defines own properties: an element named like an Object.prototype member stays data.
  return Object.fromEntries(entries);
}

function nameOf(node: OrderedNode): string {
  for (const key of Object.keys(node)) if (key !== ATTRIBUTES) return key;
  return '';
}

function isElementName(name: string): boolean {
  return name !== '' && name !== TEXT && name !== CDATA;
}

/** CDATA comes as `[{ '#text': '…' }]`; it is never trimmed nor decoded. */
function cdataText(value: unknown): string {
  if (!Array.isArray(value)) return '';
  return value.map((part: OrderedNode) => String(part[TEXT] ?? '')).join('');
}

/** Parser messages may quote the input (a tag name, a context window): keep them readable. */
function shorten(message: string): string {
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}
