/**
 * @module ingress/body/xml-guard
 * The places untrusted XML could make the parser do more work than its size: DTDs, entity
 * references, deep nesting. A document with a DTD (or any other `<!…>` declaration) is refused
 * before parsing, which rules out billion laughs, quadratic blow-up, parameter entities and
 * external entities (XXE) at once. References are then decoded in one non-recursive pass, and only the five
 * predefined entities and numeric character references: nothing a document defines is expanded.
 *
 * @example
 *   refuseUnsafeXml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'); // throws invalid_body
 *   refuseUnsafeXml('<a><b/></a>', 1); // throws body_too_deep
 *   decodeXmlReferences('Tom &amp; Jerry &#x263A; &nbsp;'); // 'Tom & Jerry ☺ &nbsp;'
 */
import { bodyTooDeep, DEFAULT_MAX_DEPTH } from './depth.js';
import { invalidBody } from './errors.js';

/**
 * Throws `invalid_body` for what must never reach the parser or the validator:
 * - "DTDs are not allowed": `<!` opening anything but a comment or a CDATA section;
 * - markup that is never closed;
 * and `body_too_deep` for elements nested more than `maxDepth` deep, the root being level 1
 * (the validator's error for a deep unclosed document quotes every open tag: a few MB of `<a>`
 * would cost seconds).
 * The scan follows the tokenizer of fast-xml-parser (comments, CDATA, processing instructions,
 * quoted attribute values), so `<!DOCTYPE` inside a comment or CDATA is fine, and a declaration
 * the parser would read cannot hide from it. Linear: every step moves past a `<`.
 */
export function refuseUnsafeXml(xml: string, maxDepth = DEFAULT_MAX_DEPTH): void {
  let depth = 0;
  let at = xml.indexOf('<');
  while (at !== -1) {
    const end = endOfMarkup(xml, at);
    if (end === -1) {
      throw invalidBody('XML', `the markup opened at line ${lineOf(xml, at)} is never closed`);
    }
    const next = xml[at + 1];
    if (next === '/') {
      depth = Math.max(0, depth - 1);
    } else if (next !== '!' && next !== '?') {
      // An element, self-closing or not, sits one level below the open ones.
      if (depth + 1 > maxDepth) {
        throw bodyTooDeep('XML elements', maxDepth, `line ${lineOf(xml, at)}`);
      }
      if (xml[end - 1] !== '/') depth++;
    }
    at = xml.indexOf('<', end + 1);
  }
}

/** Index of the last character of the markup that starts at `at` (a `<`), or -1 if unclosed. */
function endOfMarkup(xml: string, at: number): number {
  if (xml.startsWith('<!--', at)) return lastOf(xml.indexOf('-->', at + 4), 3);
  if (xml.startsWith('<![', at)) return lastOf(xml.indexOf(']]>', at + 3), 3);
  if (xml.startsWith('<!', at)) {
    const line = lineOf(xml, at);
    throw invalidBody(
      'XML',
      `DTDs are not allowed (found "${xml.slice(at, at + 10)}…" at line ${line}); ` +
        'Hookflow refuses <!DOCTYPE> and <!ENTITY> declarations so entity expansion and ' +
        'external entities cannot happen — send the document without its DTD',
      { line },
    );
  }
  if (xml.startsWith('<?', at)) return lastOf(indexOutsideQuotes(xml, at + 2, '?>'), 2);
  if (xml.startsWith('</', at)) return xml.indexOf('>', at + 2);
  return indexOutsideQuotes(xml, at + 1, '>');
}

function lastOf(index: number, length: number): number {
  return index === -1 ? -1 : index + length - 1;
}

/** Like indexOf, skipping over '…' and "…" the way an attribute list is read. */
function indexOutsideQuotes(xml: string, from: number, close: string): number {
  for (let i = from; i < xml.length; i++) {
    const ch = xml[i];
    if (ch === '"' || ch === "'") {
      i = xml.indexOf(ch, i + 1);
      if (i === -1) return -1;
    } else if (xml.startsWith(close, i)) {
      return i;
    }
  }
  return -1;
}

function lineOf(xml: string, index: number): number {
  let line = 1;
  for (let i = xml.indexOf('\n'); i !== -1 && i < index; i = xml.indexOf('\n', i + 1)) line++;
  return line;
}

const PREDEFINED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};
const REFERENCE = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g;

/**
 * Decodes `&amp; &lt; &gt; &quot; &apos;` and `&#NNN;`/`&#xHHH;` in one pass. Any other reference
 * (`&nbsp;`, `&custom;`) and a numeric one that is not an XML character (`&#0;`, a surrogate) is
 * left as written. The output is never scanned again, so `&amp;lt;` becomes `&lt;`, not `<`.
 */
export function decodeXmlReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    REFERENCE,
    (
      ref: string,
      hex: string | undefined,
      decimal: string | undefined,
      name: string | undefined,
    ) => {
      if (name !== undefined) return PREDEFINED[name] ?? ref;
      const code = hex !== undefined ? parseInt(hex, 16) : parseInt(decimal ?? '', 10);
      return isXmlChar(code) ? String.fromCodePoint(code) : ref;
    },
  );
}

/** XML 1.0 `Char`: tab, LF, CR, and the Unicode scalar values from U+0020 minus U+FFFE/U+FFFF. */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}
