/**
 * @module connections/read-connection
 * Reads one connection document (YAML, or JSON read as YAML so every node has a line) into a
 * compiled {@link Connection}. Every problem is reported with its line, like workflow files.
 * `${env:NAME}` is replaced at load time. Credentials (passwords, client secrets) and every
 * environment value inside them become the connection's `secrets`, cut out of job history
 * wherever they would appear. Header and query values are secret where they are put, and
 * everywhere only when they can be secrets (`canBeSecret`); one written
 * `{value: json, secret: false}` is not secret at all.
 *
 * @example
 *   const { connection, problems } = readConnection(text, 'connections/jira.yaml');
 */
import { createHash } from 'node:crypto';
import { isMap } from 'yaml';
import type { Node } from 'yaml';
import type { Env, MapView, Problem } from '../workflow/index.js';
import {
  Reader,
  describeNode,
  parseYamlDocument,
  sortProblems,
  substituteEnv,
} from '../workflow/index.js';
import { readRate, readTest, readUrl } from './read-fields.js';
import { readOAuth2 } from './read-oauth2.js';
import { isRecord, redactedSettings, Secrets } from './read-secrets.js';
import { CONNECTION_TYPES } from './types.js';
import type { Connection, ConnectionType, StaticAuth } from './types.js';

export interface ReadConnectionOptions {
  /** Values for `${env:NAME}`; `process.env` when left out. */
  env?: Env;
  /** The name the document must have (PUT /api/connections/NAME); it may then leave it out. */
  name?: string;
  /** true: the document came from a file (kept as `file`); false: pushed through the API. */
  fromFile?: boolean;
}

export const CONNECTION_NAME = /^[a-z0-9][a-z0-9_-]*$/;

const COMMON_KEYS = ['name', 'type', 'base_url', 'allow_private', 'test', 'rate', 'description'];
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

export function readConnection(
  text: string,
  file: string,
  opts: ReadConnectionOptions = {},
): { connection?: Connection; problems: Problem[] } {
  const result = parseYamlDocument(text);
  if ('faults' in result) {
    const problems = result.faults.map((f) => ({
      file,
      line: f.line,
      message: `invalid YAML/JSON: ${f.message}`,
    }));
    return { problems };
  }
  // `written` is as written: `${env:}` not replaced, so secrets tell env from literal values.
  const { doc, lines, value: written } = result.parsed;
  const r = new Reader(file, lines, doc);
  if (doc.contents === null) {
    r.report(1, 'the document is empty: a connection needs at least name and type');
    return { problems: r.problems };
  }
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
  const secretFields = { headers: [] as string[], query: [] as string[] };
  const auth = readStaticAuth(r, root, type, secrets, secretFields);
  const oauth2 = type === 'oauth2' ? readOAuth2(r, root, secrets) : null;
  const connection: Connection = {
    name: name ?? '',
    type,
    baseUrl: baseUrl ?? null,
    allowPrivate: r.bool(root, 'allow_private', false),
    auth,
    oauth2,
    test: readTest(r, root),
    rate: readRate(r, root),
    secrets: secrets.values(),
    secretFields,
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

function readStaticAuth(
  r: Reader,
  root: MapView,
  type: ConnectionType,
  s: Secrets,
  secretFields: Connection['secretFields'],
): StaticAuth {
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
    const headers = readStrings(r, root, 'headers', type === 'header', s, secretFields.headers);
    auth.headers = Object.fromEntries(headers);
  }
  if (fields.includes('query')) {
    auth.query = readStrings(r, root, 'query', type === 'query', s, secretFields.query);
  }
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

/**
 * A mapping of names to values: text, or `{value, secret: false}` for one that is not secret.
 * The names of the secret ones are added to `secretNames`.
 */
function readStrings(
  r: Reader,
  parent: MapView,
  key: string,
  required: boolean,
  s: Secrets,
  secretNames: string[],
): [string, string][] {
  if (!parent.fields.has(key)) {
    if (required) r.report(parent.line, `missing required key '${key}' in the connection`);
    return [];
  }
  const m = r.map(r.node(parent, key) ?? null, key, { line: r.valueLine(parent, key) });
  if (!m) return [];
  const out: [string, string][] = [];
  for (const [name, field] of m.fields) {
    const entry = readEntry(r, field.value, `${key}.${name}`, field.keyLine);
    if (!entry) continue;
    out.push([name, entry.value]);
    if (!entry.secret) continue;
    s.add([key, name], entry.value, 'value');
    secretNames.push(name);
  }
  if (out.length === 0 && r.problems.length === 0 && required)
    r.report(m.line, `${key} must hold at least one name and value`);
  return out;
}

/** One header or query value: a scalar (secret), or `{value, secret}`. */
function readEntry(
  r: Reader,
  node: Node | null,
  where: string,
  keyLine: number,
): { value: string; secret: boolean } | undefined {
  if (isMap(r.resolve(node))) {
    const m = r.map(node, where, {
      allowed: ['value', 'secret'],
      required: ['value'],
      line: keyLine,
    });
    if (!m) return undefined;
    const value = r.toJS(r.node(m, 'value') ?? null);
    if (!isScalarValue(value)) {
      if (m.fields.has('value'))
        r.bad(m, 'value', `must be text${describeNode(r.node(m, 'value') ?? null)}`);
      return undefined;
    }
    return { value: String(value), secret: r.bool(m, 'secret', true) };
  }
  const value = r.toJS(node);
  if (isScalarValue(value)) return { value: String(value), secret: true };
  r.report(
    r.line(node, keyLine),
    `${where} must be text, or {value, secret: false} for a value that is not secret${describeNode(node)}`,
  );
  return undefined;
}

function isScalarValue(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
