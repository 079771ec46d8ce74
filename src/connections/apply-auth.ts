/**
 * @module connections/apply-auth
 * What a connection adds to a request, as pure functions: the base URL joined to a relative
 * step URL, Basic credentials, headers, query parameters, a bearer token. A header the
 * connection sets replaces the step's header of the same name (whatever its case).
 *
 * @example
 *   joinBaseUrl('https://api.example.com/v2', '/orders/1'); // → 'https://api.example.com/v2/orders/1'
 *   applyAuth(connection, { method: 'GET', url: '/me', headers: {} }, null);
 *   // → { method: 'GET', url: 'https://api.example.com/v2/me', headers: { authorization: 'Basic …' } }
 */
import { appendQuery } from '../steps/index.js';
import type { OutboundRequest } from '../steps/index.js';
import { ConnectionError } from './errors.js';
import type { Connection } from './types.js';

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Joins a path to the base URL by concatenation, as users of API docs expect: the base's own
 * path is kept (`/v2` + `/orders` → `/v2/orders`), whatever slashes either side has.
 */
export function joinBaseUrl(baseUrl: string, url: string): string {
  if (ABSOLUTE.test(url)) return url;
  if (url === '') return baseUrl;
  const base = baseUrl.replace(/\/+$/, '');
  if (url.startsWith('?') || url.startsWith('#')) return `${base}${url}`;
  return `${base}/${url.replace(/^\/+/, '')}`;
}

/** The request with the connection's base URL and credentials applied (a copy). */
export function applyAuth(
  connection: Connection,
  req: OutboundRequest,
  accessToken: string | null,
): OutboundRequest {
  const url = resolveUrl(connection, req.url);
  const headers = { ...req.headers };
  const { basic, headers: extra, query } = connection.auth;
  if (basic) {
    const credential = Buffer.from(`${basic.user}:${basic.password}`).toString('base64');
    setHeader(headers, 'Authorization', `Basic ${credential}`);
  }
  for (const [name, value] of Object.entries(extra)) setHeader(headers, name, value);
  if (accessToken !== null) setHeader(headers, 'Authorization', `Bearer ${accessToken}`);
  return { ...req, url: appendQuery(url, query), headers };
}

/**
 * A relative URL joined to the base URL. An absolute URL must stay on the base URL's origin:
 * the connection's credentials are for that service, and are not sent anywhere else.
 */
export function resolveUrl(connection: Connection, url: string): string {
  if (!connection.baseUrl) return url;
  const joined = joinBaseUrl(connection.baseUrl, url);
  if (joined !== url) return joined;
  if (sameOrigin(url, connection.baseUrl)) return url;
  throw new ConnectionError(
    'url_outside_base',
    `url ${originOf(url)} is not on the base_url of connection '${connection.name}' (${originOf(connection.baseUrl)}); its credentials are only sent there. Use a path relative to the base_url, or a connection for that service`,
  );
}

export function sameOrigin(a: string, b: string): boolean {
  return originOf(a) === originOf(b);
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function setHeader(headers: Record<string, string>, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) delete headers[key];
  headers[name] = value;
}
