/**
 * @module connections/read-connection
 * Reads one connection document (YAML, or JSON read as YAML so every node has a line) into a
 * compiled {@link Connection}. Every problem is reported with its line, like workflow files.
 * `${env:NAME}` is replaced at load time; the values of secret fields (passwords, header and
 * query values, client secrets) and every environment value inside them become the
 * connection's `secrets`, cut out of job history wherever they would appear.
 *
 * @example
 *   const { connection, problems } = readConnection(text, 'connections/jira.yaml');
 */
import { createHash } from 'node:crypto';
import { LineCounter, isMap, parseDocument } from 'yaml';
import { REDACTED } from '../steps/index.js';
import type { Env, MapView, Problem } from '../workflow/index.js';
import { METHODS, Reader, describeNode, sortProblems, substituteEnv } from '../workflow/index.js';
import { CONNECTION_TYPES, OAUTH2_GRANTS } from './types.js';
import type {
  Connection,
  ConnectionTest,
  ConnectionType,
  OAuth2Settings,
  StaticAuth,
} from './types.js';

export interface ReadConnectionOptions {
  /** Values for `${env:NAME}`; `process.env` when left out. */
  env?: Env;
  /** The name the document must have (PUT /api/connections/NAME); it may then leave it out. */
  name?: string;
  /** true: the document came from a file (kept as `file`); false: pushed through the API. */
  fromFile?: boolean;
}

export const CONNECTION_NAME = /^[a-z0-9][a-z0-9_-]*$/;

const COMMON_KEYS = ['name', 'type', 'base_url', 'allow_private', 'test', 'description'];
const OAUTH2_KEYS = [
  'grant',
  'issuer',
  'authorization_url',
  'token_url',
  'client_id',
  'client_secret',
  'client_auth',
  'scopes',
  'authorize_params',
  'token_params',
];
const KEYS_BY_TYPE: Record<ConnectionType, string[]> = {
  none: [],
  basic: ['user', 'password'],
  header: ['headers'],
  query: ['query'],
  custom: ['user', 'password', 'headers', 'query'],
  oauth2: OAUTH2_KEYS,
};
const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function readConnection(
  text: string,
  file: string,
  opts: ReadConnectionOptions = {},
): { connection?: Connection; problems: Problem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const r = new Reader(file, lines, doc);
  for (const e of doc.errors) r.report(r.lineAt(e.pos[0]), `invalid YAML/JSON: ${e.message}`);
  if (r.problems.length > 0) return { problems: r.problems };
  if (doc.contents === null) {
    r.report(1, 'the document is empty: a connection needs at least name and type');
    return { problems: r.problems };
  }
  // As written: `${env:}` references not replaced, so secrets tell env from literal values.
  const written = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const env = opts.env ?? process.env;
  substituteEnv(doc, env, r);

  if (!isMap(doc.contents)) {
    r.report(
      r.line(doc.contents),
      `a connection must be a mapping of settings (name, type, …)${describeNode(doc.contents)}`,
    );
    return { problems: r.problems };
  }
  const root = r.map(doc.contents, '');
  if (!root) return { problems: sortProblems(r.problems) };
  for (const key of opts.name === undefined ? ['name', 'type'] : ['type']) {
    if (!root.fields.has(key))
      r.report(root.line, `missing required key '${key}' in the connection`);
  }
  const name = readName(r, root, opts.name);
  const type = r.oneOf(root, 'type', CONNECTION_TYPES, 'none');
  const allowed = [...COMMON_KEYS, ...KEYS_BY_TYPE[type]];
  for (const [key, field] of root.fields) {
    if (!allowed.includes(key)) {
      r.report(
        field.keyLine,
        `unknown key '${key}' in a ${type} connection (allowed: ${allowed.join(', ')})`,
      );
    }
  }

  const secrets = new Secrets(isRecord(written) ? written : {}, env);
  const baseUrl = readUrl(r, root, 'base_url');
  const auth = readStaticAuth(r, root, type, secrets);
  const oauth2 = type === 'oauth2' ? readOAuth2(r, root, secrets) : null;
  const connection: Connection = {
    name: name ?? '',
    type,
    baseUrl: baseUrl ?? null,
    allowPrivate: r.bool(root, 'allow_private', false),
    auth,
    oauth2,
    test: readTest(r, root),
    secrets: secrets.values(),
    literalSecrets: secrets.literal,
    settings: redactedSettings(written, secrets),
    file: opts.fromFile === false ? null : file,
    hash: createHash('sha256').update(text).digest('hex'),
  };
  if (r.problems.length > 0 || name === undefined) return { problems: sortProblems(r.problems) };
  return { connection, problems: [] };
}

function readName(r: Reader, root: MapView, expected: string | undefined): string | undefined {
  const given = r.string(root, 'name');
  if (given !== undefined && !CONNECTION_NAME.test(given)) {
    r.bad(root, 'name', `must match [a-z0-9][a-z0-9_-]* (got '${given}')`);
    return undefined;
  }
  if (expected !== undefined && given !== undefined && given !== expected) {
    r.bad(root, 'name', `is '${given}', but the request is for connection '${expected}'`);
    return undefined;
  }
  return given ?? expected;
}

/** The secret fields of a document: their values as used, and which were written literally. */
class Secrets {
  private readonly found = new Set<string>();
  readonly literal: string[] = [];
  readonly keys = new Set<string>();

  constructor(
    private readonly written: Record<string, unknown>,
    private readonly env: Env,
  ) {}

  /** Notes `value` (at `path`, e.g. `headers.X-Api-Key`) as a secret. */
  add(path: string[], value: string): void {
    this.keys.add(path.join('\u0000'));
    if (value !== '') this.found.add(value);
    let w: unknown = this.written;
    for (const key of path) w = isRecord(w) ? w[key] : undefined;
    const writtenText = typeof w === 'string' ? w : String(w ?? '');
    const refs = [...writtenText.matchAll(ENV_REF)];
    if (refs.length === 0) this.literal.push(path.join('.'));
    for (const [, envName] of refs) {
      const v = envName === undefined ? undefined : this.env[envName];
      if (v) this.found.add(v);
    }
  }

  /** Adds a derived value (the Basic credential) without a field of its own. */
  derived(value: string): void {
    if (value !== '') this.found.add(value);
  }

  isSecret(path: string[]): boolean {
    return this.keys.has(path.join('\u0000'));
  }

  values(): string[] {
    return [...this.found];
  }
}

function readStaticAuth(r: Reader, root: MapView, type: ConnectionType, s: Secrets): StaticAuth {
  const auth: StaticAuth = { basic: null, headers: {}, query: [] };
  const fields = KEYS_BY_TYPE[type];
  if (fields.includes('user')) {
    const required = type === 'basic';
    const user = r.string(root, 'user');
    const password = r.string(root, 'password');
    if (required) {
      for (const key of ['user', 'password'])
        if (!root.fields.has(key))
          r.report(root.line, `a basic connection needs '${key}' (missing)`);
    } else if ((user === undefined) !== (password === undefined) && r.problems.length === 0) {
      r.report(root.line, 'give both user and password (Basic authentication), or neither');
    }
    if (user !== undefined && password !== undefined) {
      auth.basic = { user, password };
      s.add(['password'], password);
      const credential = Buffer.from(`${user}:${password}`).toString('base64');
      s.derived(credential);
    }
  }
  if (fields.includes('headers')) {
    auth.headers = Object.fromEntries(readStrings(r, root, 'headers', type === 'header', s));
  }
  if (fields.includes('query')) auth.query = readStrings(r, root, 'query', type === 'query', s);
  if (
    type === 'custom' &&
    !auth.basic &&
    !root.fields.has('headers') &&
    !root.fields.has('query') &&
    !root.fields.has('base_url')
  ) {
    r.report(
      root.line,
      'a custom connection needs at least one of user/password, headers, query, base_url',
    );
  }
  return auth;
}

/** A mapping of names to scalar values, each a secret. */
function readStrings(
  r: Reader,
  parent: MapView,
  key: string,
  required: boolean,
  s: Secrets,
): [string, string][] {
  if (!parent.fields.has(key)) {
    if (required) r.report(parent.line, `missing required key '${key}' in the connection`);
    return [];
  }
  const m = r.map(r.node(parent, key) ?? null, key, { line: r.valueLine(parent, key) });
  if (!m) return [];
  const out: [string, string][] = [];
  for (const [name, field] of m.fields) {
    const value = r.toJS(field.value);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      r.report(
        r.line(field.value, field.keyLine),
        `${key}.${name} must be text${describeNode(field.value)}`,
      );
      continue;
    }
    out.push([name, String(value)]);
    s.add([key, name], String(value));
  }
  if (out.length === 0 && r.problems.length === 0 && required)
    r.report(m.line, `${key} must hold at least one name and value`);
  return out;
}

function readOAuth2(r: Reader, root: MapView, s: Secrets): OAuth2Settings | null {
  const grant = r.oneOf(root, 'grant', OAUTH2_GRANTS, 'authorization_code');
  const issuer = readUrl(r, root, 'issuer') ?? null;
  const authorizationUrl = readUrl(r, root, 'authorization_url') ?? null;
  const tokenUrl = readUrl(r, root, 'token_url') ?? null;
  if (!issuer) {
    if (!tokenUrl && !root.fields.has('token_url'))
      r.report(root.line, "an oauth2 connection needs 'token_url' (or 'issuer', to discover it)");
    if (
      grant === 'authorization_code' &&
      !authorizationUrl &&
      !root.fields.has('authorization_url')
    )
      r.report(
        root.line,
        "grant authorization_code needs 'authorization_url' (or 'issuer', to discover it)",
      );
  }
  if (!root.fields.has('client_id'))
    r.report(root.line, "an oauth2 connection needs 'client_id' (missing)");
  const clientId = r.string(root, 'client_id') ?? '';
  const clientSecret = r.string(root, 'client_secret') ?? null;
  if (clientSecret !== null) s.add(['client_secret'], clientSecret);
  const clientAuth = r.oneOf(
    root,
    'client_auth',
    ['basic', 'post', 'none'] as const,
    clientSecret === null ? 'none' : 'basic',
  );
  if (clientAuth !== 'none' && clientSecret === null && !root.fields.has('client_secret')) {
    r.report(r.valueLine(root, 'client_auth'), `client_auth ${clientAuth} needs 'client_secret'`);
  }
  if (grant === 'client_credentials' && clientAuth === 'none') {
    r.report(root.line, "grant client_credentials needs 'client_secret'");
  }
  return {
    grant,
    issuer,
    authorizationUrl,
    tokenUrl,
    clientId,
    clientSecret,
    clientAuth,
    scopes: readScopes(r, root),
    authorizeParams: Object.fromEntries(readPlainStrings(r, root, 'authorize_params')),
    tokenParams: Object.fromEntries(readPlainStrings(r, root, 'token_params')),
  };
}

function readScopes(r: Reader, root: MapView): string[] {
  if (!root.fields.has('scopes')) return [];
  const value = r.toJS(r.node(root, 'scopes') ?? null);
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  r.bad(
    root,
    'scopes',
    `must be a list of scopes or a space-separated string${describeNode(r.node(root, 'scopes') ?? null)}`,
  );
  return [];
}

/** A mapping of names to scalar values that are not secrets. */
function readPlainStrings(r: Reader, parent: MapView, key: string): [string, string][] {
  if (!parent.fields.has(key)) return [];
  const m = r.map(r.node(parent, key) ?? null, key, { line: r.valueLine(parent, key) });
  if (!m) return [];
  const out: [string, string][] = [];
  for (const [name, field] of m.fields) {
    const value = r.toJS(field.value);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out.push([name, String(value)]);
    else
      r.report(
        r.line(field.value, field.keyLine),
        `${key}.${name} must be text${describeNode(field.value)}`,
      );
  }
  return out;
}

function readUrl(r: Reader, m: MapView, key: string): string | undefined {
  const value = r.string(m, key);
  if (value === undefined) return undefined;
  let ok = false;
  try {
    ok = /^https?:$/.test(new URL(value).protocol);
  } catch {
    ok = false;
  }
  if (!ok) {
    r.bad(m, key, `must be an absolute http(s) URL (got '${value}')`);
    return undefined;
  }
  return value;
}

function readTest(r: Reader, root: MapView): ConnectionTest | null {
  const field = root.fields.get('test');
  if (!field) return null;
  const m = r.map(field.value, 'test', {
    allowed: ['method', 'url', 'headers', 'query'],
    required: ['url'],
    line: field.keyLine,
  });
  if (!m) return null;
  const url = r.string(m, 'url');
  return {
    method: r.oneOf(m, 'method', METHODS, 'GET', { upper: true }),
    url: url ?? '',
    headers: Object.fromEntries(readPlainStrings(r, m, 'headers')),
    query: Object.fromEntries(readPlainStrings(r, m, 'query')),
  };
}

/** The document as written, with the value of every secret field replaced by `[redacted]`. */
function redactedSettings(written: unknown, s: Secrets): Record<string, unknown> {
  if (!isRecord(written)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(written)) {
    if (s.isSecret([key])) out[key] = REDACTED;
    else if (isRecord(value) && (key === 'headers' || key === 'query')) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, s.isSecret([key, k]) ? REDACTED : v]),
      );
    } else out[key] = value;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
