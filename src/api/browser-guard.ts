/**
 * @module api/browser-guard
 * Keeps web pages from driving the server through a browser on the same machine (§8). Loopback
 * is no boundary: a page on any site can send a *simple* cross-origin request (a `text/plain`
 * POST needs no preflight), and a DNS-rebinding page reaches this server under the attacker's
 * name and reads the answers. So, on every route but the webhooks:
 *
 * - a state-changing request (not GET/HEAD/OPTIONS) whose `Origin` is another origin, or whose
 *   `Sec-Fetch-Site` is `cross-site`, is refused: 403 `forbidden_origin`;
 * - without an API token, a `Host` other than the bound address, `localhost`, `127.0.0.1`,
 *   `[::1]` (with the port) or `HOOKFLOW_PUBLIC_URL`'s host is refused: 403 `forbidden_host`.
 *
 * With a token the page has no credentials to send, so any `Host` is served (a server bound to
 * `0.0.0.0` is reached by many names); the `Origin` check still applies. Requests without an
 * `Origin` (the CLI, curl, Prometheus) are not browsers' cross-origin requests and pass.
 *
 * @example
 *   server.addHook('onRequest', guardBrowserRequests({ boundUrl: () => app.url, publicUrl, apiToken }));
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { HookflowError } from '../errors.js';

export interface BrowserGuardOptions {
  /** The server's own URL once listening, e.g. `http://127.0.0.1:8080`. */
  boundUrl(): string;
  /** HOOKFLOW_PUBLIC_URL: its host and origin are the server's too. */
  publicUrl: string | null;
  apiToken: string | null;
}

/** The names and origins a request may carry: the server's own. */
export interface Trusted {
  /** Host header values, as `URL.host` writes them (lower case, no default port). */
  hosts: ReadonlySet<string>;
  origins: ReadonlySet<string>;
  /** Without a token the Host is checked too. */
  checkHost: boolean;
}

export interface GuardedRequest {
  method: string;
  /** The matched route's pattern (`/hooks/*`); undefined when no route matched. */
  route: string | undefined;
  headers: IncomingHttpHeaders;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Providers send their own Host and no Origin; a probe's Host is its own. Neither is guarded. */
const OPEN_ROUTES = new Set(['/hooks/*', '/healthz']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** What {@link browserRefusal} trusts, from the bound URL and HOOKFLOW_PUBLIC_URL. */
export function trustedBy(opts: { boundUrl: string; publicUrl: string | null; apiToken: boolean }) {
  const hosts = new Set<string>();
  const origins = new Set<string>();
  const bound = new URL(opts.boundUrl);
  for (const name of [bound.hostname, ...LOOPBACK_NAMES]) {
    const url = new URL(`http://${name}:${bound.port || '80'}`);
    hosts.add(url.host);
    origins.add(url.origin);
  }
  if (opts.publicUrl) {
    const pub = new URL(opts.publicUrl);
    hosts.add(pub.host);
    // A proxy may pass the Host on with the scheme's default port written out.
    hosts.add(`${pub.hostname}:${pub.port || (pub.protocol === 'https:' ? '443' : '80')}`);
    origins.add(pub.origin);
  }
  return { hosts, origins, checkHost: !opts.apiToken } satisfies Trusted;
}

/** Why a request is refused as a web page's, or null when it may go on. Webhooks are never. */
export function browserRefusal(request: GuardedRequest, trusted: Trusted): HookflowError | null {
  if (request.route !== undefined && OPEN_ROUTES.has(request.route)) return null;
  const host = hostKey(request.headers.host);
  if (trusted.checkHost && (host === null || !trusted.hosts.has(host))) {
    return new HookflowError(
      'forbidden_host',
      `Host '${request.headers.host ?? ''}' is not this server's name; without HOOKFLOW_API_TOKEN only ${[...trusted.hosts].join(', ')} are served (set HOOKFLOW_PUBLIC_URL to the name you use)`,
    );
  }
  if (SAFE_METHODS.has(request.method)) return null;
  if (request.headers['sec-fetch-site'] === 'cross-site') {
    return new HookflowError(
      'forbidden_origin',
      'a cross-site request may not change anything here (Sec-Fetch-Site: cross-site)',
    );
  }
  const origin = request.headers.origin;
  if (origin === undefined || sameOrigin(origin, host, trusted)) return null;
  return new HookflowError(
    'forbidden_origin',
    `a page from origin '${origin}' may not change anything here; only this server's own pages may`,
  );
}

/** The Fastify `onRequest` hook applying {@link browserRefusal}. */
export function guardBrowserRequests(opts: BrowserGuardOptions) {
  let trusted: Trusted | null = null;
  let trustedFor = '';
  return async function guardBrowserRequests(request: FastifyRequest): Promise<void> {
    const boundUrl = opts.boundUrl();
    // Known only once listening; computed once then.
    if (trusted === null || trustedFor !== boundUrl) {
      trusted = trustedBy({ boundUrl, publicUrl: opts.publicUrl, apiToken: !!opts.apiToken });
      trustedFor = boundUrl;
    }
    const refusal = browserRefusal(
      { method: request.method, route: request.routeOptions.url, headers: request.headers },
      trusted,
    );
    if (refusal) throw refusal;
  };
}

/** A page served by this server, under a trusted name or the name this request used. */
function sameOrigin(origin: string, host: string | null, trusted: Trusted): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // `null` (sandboxed frames, file://) and garbage
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return trusted.origins.has(parsed.origin) || (host !== null && parsed.host === host);
}

function hostKey(header: string | undefined): string | null {
  if (!header) return null;
  try {
    const url = new URL(`http://${header}`);
    // `a@b`, paths or ports out of range are not a Host.
    return url.username || url.pathname !== '/' ? null : url.host;
  } catch {
    return null;
  }
}
