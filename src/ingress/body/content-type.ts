/**
 * @module ingress/body/content-type
 * Reads a Content-Type header into the kind of body it announces.
 *
 * @example
 *   contentTypeOf('Application/JSON; charset=utf-8'); // 'application/json'
 *   bodyKindOf('application/soap+xml; charset=utf-8'); // 'xml'
 */

/** How a body is decoded: the formats a workflow can force, plus multipart. */
export type BodyKind = 'json' | 'xml' | 'form' | 'multipart' | 'text' | 'raw';

/** The lower-cased media type without parameters; `''` when the header is missing. */
export function contentTypeOf(header: string | undefined): string {
  if (header === undefined) return '';
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/** The body kind a Content-Type header announces (parameters such as charset are ignored). */
export function bodyKindOf(header: string | undefined): BodyKind {
  const type = contentTypeOf(header);
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml')) return 'xml';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'multipart/form-data') return 'multipart';
  if (type.startsWith('text/')) return 'text';
  return 'raw';
}
