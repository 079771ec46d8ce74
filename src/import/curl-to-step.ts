/**
 * @module import/curl-to-step
 * A parsed cURL request → an `http` step, and, when the command carries credentials, a proposed
 * connection that holds them (pure). The secret never goes into the step or the connection
 * file: the connection reads it with `${env:NAME}`, and {@link CurlImport.env} names each
 * variable to set. A credential already written as a shell variable (`Bearer $OPENAI_API_KEY`)
 * keeps that variable's name.
 *
 * What counts as a credential: `-u user:password` (→ `basic`), an `Authorization` or
 * `Cookie` header, a header whose name says key, token, secret, password or signature
 * (→ `header`), a query parameter named `key`, `api_key`, `token`, `access_token`,
 * `signature`… (→ `query`); several kinds together → `custom`.
 *
 * @example
 *   const out = curlToStep(parseCurl(`curl -H 'X-Api-Key: abc' https://api.acme.io/v1/items`));
 *   out.stepYaml;           // "- id: request\n  http:\n    connection: acme\n    method: GET\n    url: /v1/items\n"
 *   out.connection?.yaml;   // "name: acme\ntype: header\nbase_url: https://api.acme.io\nheaders:\n  X-Api-Key: ${env:ACME_API_KEY}\n"
 *   out.env;                // [{ name: 'ACME_API_KEY', holds: 'the X-Api-Key header' }]
 */
import { stringify } from 'yaml';
import type { CurlRequest } from './parse-curl.js';

export interface CurlImport {
  /** The step as data: `{id, http: {…}}`. */
  step: { id: string; http: Record<string, unknown> };
  /** The step as YAML, a one-item list to paste under `steps:`. */
  stepYaml: string;
  /** The proposed connection, when the command had credentials. */
  connection: { name: string; document: Record<string, unknown>; yaml: string } | null;
  /** The variables the connection reads, and what each must hold. */
  env: Array<{ name: string; holds: string }>;
  /** Things the import could not carry over, or changed. */
  notes: string[];
}

export interface ImportOptions {
  /** The step's id (default `request`). */
  id?: string;
  /** The connection's name (default: from the host, `api.stripe.com` → `stripe`). */
  connection?: string;
}

const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie)$|api-?key|apikey|token|secret|passw|signature|^x-auth/i;
const NOT_SECRET_HEADER = /idempotency|request-id|correlation|csrf/i;
const SECRET_QUERY =
  /^(key|api[-_]?key|apikey|hapikey|token|access[-_]?token|auth[-_]?token|auth|secret|client[-_]?secret|password|sig|signature)$/i;
/** Headers the step computes itself. */
const DROPPED_HEADERS = new Set(['content-length', 'host', 'accept-encoding', 'connection']);
const SHELL_VARIABLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const FORM_SHAPED = /^[^=&]+=[^&]*(?:&[^=&]+=[^&]*)*$/;

export function curlToStep(req: CurlRequest, opts: ImportOptions = {}): CurlImport {
  const notes = [...req.notes];
  const url = new URL(req.url);
  const name = opts.connection ?? connectionNameFor(url.hostname);
  const vars = new EnvNames(name);

  const auth: Record<string, unknown> = {};
  const kinds = new Set<'basic' | 'header' | 'query'>();
  if (req.user !== null) {
    const colon = req.user.indexOf(':');
    const user = colon === -1 ? req.user : req.user.slice(0, colon);
    const password = colon === -1 ? '' : req.user.slice(colon + 1);
    auth.user = vars.take(user, 'USER', 'the user name of -u');
    // `-u sk_live_…:` (Stripe's form): the key is the user and the password is empty.
    auth.password = password === '' ? '' : vars.take(password, 'PASSWORD', 'the password of -u');
    kinds.add('basic');
  }

  const headers: Record<string, string> = {};
  const secretHeaders: Record<string, string> = {};
  for (const [header, value] of req.headers) {
    const lower = header.toLowerCase();
    if (DROPPED_HEADERS.has(lower)) {
      notes.push(`left out the ${header} header: the step sets it itself`);
    } else if (SECRET_HEADER.test(header) && !NOT_SECRET_HEADER.test(header)) {
      secretHeaders[header] = secretHeaderValue(header, value, vars);
      kinds.add('header');
    } else {
      headers[header] = value;
    }
  }
  if (Object.keys(secretHeaders).length > 0) auth.headers = secretHeaders;

  const query: Record<string, string | string[]> = {};
  const secretQuery: Record<string, string> = {};
  for (const [key, value] of req.query) {
    if (SECRET_QUERY.test(key)) {
      secretQuery[key] = vars.take(value, snake(key), `the ${key} query parameter`);
      kinds.add('query');
    } else {
      const prev = query[key];
      query[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
    }
  }
  if (Object.keys(secretQuery).length > 0) auth.query = secretQuery;

  const http: Record<string, unknown> = {};
  let connection: CurlImport['connection'] = null;
  if (kinds.size > 0) {
    const type = kinds.size > 1 ? 'custom' : [...kinds][0]!;
    const document = { name, type, base_url: url.origin, ...auth };
    connection = { name, document, yaml: stringify(document) };
    http.connection = name;
    http.method = req.method;
    http.url = `${url.pathname}`;
  } else {
    http.method = req.method;
    http.url = url.toString();
  }
  if (Object.keys(query).length > 0) http.query = query;
  if (Object.keys(headers).length > 0) http.headers = headers;
  if (req.data) Object.assign(http, stepBody(req.data, headers, notes));

  const step = { id: opts.id ?? 'request', http };
  return { step, stepYaml: stringify([step]), connection, env: vars.list, notes };
}

/** `Bearer abc` → `Bearer ${env:NAME_TOKEN}`: the scheme stays, the credential is a variable. */
function secretHeaderValue(header: string, value: string, vars: EnvNames): string {
  const lower = header.toLowerCase();
  if (lower === 'authorization' || lower === 'proxy-authorization') {
    const space = value.indexOf(' ');
    if (space > 0) {
      const scheme = value.slice(0, space);
      const credential = value.slice(space + 1).trim();
      return `${scheme} ${vars.take(credential, 'TOKEN', `the ${scheme} credential of the ${header} header`)}`;
    }
  }
  return vars.take(value, snake(header.replace(/^x-/i, '')), `the ${header} header`);
}

/** The body, by what it is: JSON → a YAML object; form data → a mapping; else text as given. */
function stepBody(
  data: NonNullable<CurlRequest['data']>,
  headers: Record<string, string>,
  notes: string[],
): Record<string, unknown> {
  const typeHeader = Object.keys(headers).find((h) => h.toLowerCase() === 'content-type');
  const type = typeHeader ? (headers[typeHeader] ?? '').toLowerCase() : null;
  const text = data.text;
  if (data.json || type?.includes('json') || (type === null && /^\s*[[{]/.test(text))) {
    try {
      const body: unknown = JSON.parse(text);
      if (type === null && !data.json) {
        notes.push(
          'the body is JSON: the step sends it as application/json (curl -d would have said application/x-www-form-urlencoded)',
        );
      }
      return { body };
    } catch {
      // not JSON after all: sent as the text it is
    }
  }
  if (
    (type === null || type.startsWith('application/x-www-form-urlencoded')) &&
    FORM_SHAPED.test(text)
  ) {
    const body: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(text)) {
      const prev = body[k];
      body[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    }
    return { body_type: 'form', body };
  }
  // curl says form-urlencoded for -d unless told otherwise; the step says it too.
  if (type === null) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return { body_type: 'raw', body: text };
}

/** `api.stripe.com` → `stripe`; `hooks.slack.com` → `slack`; an address → `api`. */
export function connectionNameFor(hostname: string): string {
  if (/^[\d.]+$/.test(hostname) || hostname.includes(':') || hostname === 'localhost') return 'api';
  const labels = hostname.toLowerCase().split('.');
  if (labels.length > 1) labels.pop(); // the top-level domain
  const GENERIC = new Set(['api', 'www', 'app', 'apis', 'rest', 'hooks', 'co', 'com']);
  const meaningful = labels.filter((l) => !GENERIC.has(l) && !/^v\d+$/.test(l));
  const label = meaningful.at(-1) ?? labels.at(-1) ?? 'api';
  const clean = label.replace(/[^a-z0-9_-]/g, '-').replace(/^[^a-z0-9]+/, '');
  return clean || 'api';
}

/** Names of the variables a connection reads, unique, prefixed by its name. */
class EnvNames {
  readonly list: Array<{ name: string; holds: string }> = [];
  private readonly prefix: string;

  constructor(connection: string) {
    this.prefix = snake(connection);
  }

  /** `${env:NAME}` for a secret value; a shell variable (`${TOKEN}`) keeps its own name. */
  take(value: string, suffix: string, holds: string): string {
    const shell = SHELL_VARIABLE.exec(value)?.[1];
    let name = shell ?? `${this.prefix}_${suffix}`;
    if (!shell) {
      for (let n = 2; this.list.some((v) => v.name === name); n++)
        name = `${this.prefix}_${suffix}_${n}`;
    }
    if (!this.list.some((v) => v.name === name)) this.list.push({ name, holds });
    return `\${env:${name}}`;
  }
}

function snake(text: string): string {
  return text
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}
