/**
 * @module workflow/parse-document
 * Parses the text of a user document (a workflow, a connection, a file given to `apply`) as
 * YAML — JSON is YAML too, so every node has a line. Whatever the text, the answer is the
 * document or faults with lines, never an exception: documents come over the API from anyone
 * holding the token, and a throw there was a 500.
 *
 * Two hostile shapes are bounded:
 * - **nesting** deeper than {@link MAX_DOCUMENT_DEPTH} is refused before the document is built:
 *   building recurses, and past ~1,000 levels it overflows the stack — after which V8 may abort
 *   the whole process on its next regular-expression compile. The depth is measured on the
 *   parser's token tree, which is built without recursion;
 * - **aliases** (`*a`) expand to at most {@link MAX_ALIAS_COUNT} copies ("billion laughs").
 *
 * @example
 *   const r = parseYamlDocument(text);
 *   if ('faults' in r) for (const f of r.faults) report(f.line, `invalid YAML: ${f.message}`);
 *   else use(r.parsed.doc, r.parsed.value);
 */
import { LineCounter, Parser, parseDocument, visit } from 'yaml';
import type { CST, Document } from 'yaml';
import { errorMessage } from '../errors.js';

/** Levels of mappings and sequences a document may nest. */
export const MAX_DOCUMENT_DEPTH = 64;
/** Copies an alias may make of its anchor, across the document (the yaml package's default). */
export const MAX_ALIAS_COUNT = 100;

export interface ParsedDocument {
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain values, aliases expanded; taken before `${env:}` is substituted. */
  value: unknown;
}

/** Something wrong with the text itself, at a 1-based line. */
export interface DocumentFault {
  line: number;
  message: string;
}

export function parseYamlDocument(
  text: string,
): { parsed: ParsedDocument } | { faults: DocumentFault[] } {
  const deep = tooDeep(text);
  if (deep) return { faults: [deep] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const faults = doc.errors.map((e) => ({
      line: lines.linePos(e.pos[0]).line,
      message: e.message,
    }));
    return { faults };
  }
  try {
    const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return { parsed: { doc, lines, value } };
  } catch (e) {
    // The yaml package throws ReferenceError for an alias bomb or an alias without its anchor.
    return { faults: [{ line: aliasLine(doc, lines), message: aliasMessage(e) }] };
  }
}

/** The first place nesting passes the limit, from the token tree (no recursion). */
function tooDeep(text: string): DocumentFault | null {
  const pending: Array<{ token: CST.Token | undefined; depth: number }> = [];
  for (const token of new Parser().parse(text)) pending.push({ token, depth: 0 });
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { token, depth } = next;
    if (!token) continue;
    if (depth > MAX_DOCUMENT_DEPTH) {
      return {
        line: lineAt(text, token.offset),
        message: `the document nests deeper than ${MAX_DOCUMENT_DEPTH} levels of mappings and sequences`,
      };
    }
    if (token.type === 'document') pending.push({ token: token.value, depth });
    else if ('items' in token) {
      for (const item of token.items) {
        pending.push({ token: item.key ?? undefined, depth: depth + 1 });
        pending.push({ token: item.value, depth: depth + 1 });
      }
    }
  }
  return null;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The line of the first alias without its anchor, else of the first alias, else 1. */
function aliasLine(doc: Document.Parsed, lines: LineCounter): number {
  let first: number | undefined;
  let unresolved: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      const line = node.range ? lines.linePos(node.range[0]).line : 1;
      first ??= line;
      if (!node.resolve(doc)) {
        unresolved = line;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return unresolved ?? first ?? 1;
}

function aliasMessage(e: unknown): string {
  const message = errorMessage(e);
  if (/excessive alias count/i.test(message)) {
    return `the aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies of their anchors; write the values out or use fewer aliases`;
  }
  return message;
}
