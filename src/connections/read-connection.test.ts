import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConnections, parseConnection } from './load-connections.js';
import { readConnection } from './read-connection.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const ENV = {
  JIRA_TOKEN: 'jira-token-value',
  CRM_SECRET: 'crm-secret-value',
  KEY: 'k-abcdef',
  TOKEN: 'tok_7Hq2x9',
};

function problems(text: string, opts = {}) {
  return readConnection(text, 'c.yaml', { env: ENV, ...opts }).problems.map(
    (p) => `${p.line}: ${p.message}`,
  );
}

void describe('connection files: each type', () => {
  test('none: a base URL and nothing added', () => {
    const c = parseConnection(
      lines('name: pub', 'type: none', 'base_url: https://api.x.test'),
      'c.yaml',
    );
    assert.equal(c.type, 'none');
    assert.equal(c.baseUrl, 'https://api.x.test');
    assert.deepEqual(c.auth, { basic: null, headers: {}, query: [] });
    assert.deepEqual(c.secrets, []);
  });

  test('basic: user and password; the password and the Basic credential are secrets', () => {
    const c = parseConnection(
      lines('name: jira', 'type: basic', 'user: bot@acme.com', 'password: ${env:JIRA_TOKEN}'),
      'c.yaml',
      { env: ENV },
    );
    assert.deepEqual(c.auth.basic, { user: 'bot@acme.com', password: 'jira-token-value' });
    assert.ok(c.secrets.includes('jira-token-value'));
    assert.ok(c.secrets.includes(Buffer.from('bot@acme.com:jira-token-value').toString('base64')));
    assert.deepEqual(c.literalSecrets, []);
  });

  test('header: every header value is secret where it is put; ${env:} values inside one too', () => {
    const c = parseConnection(
      lines('name: svc', 'type: header', 'headers:', '  Authorization: Bearer ${env:TOKEN}'),
      'c.yaml',
      { env: ENV },
    );
    assert.deepEqual(c.auth.headers, { Authorization: 'Bearer tok_7Hq2x9' });
    assert.deepEqual(c.secretFields, { headers: ['Authorization'], query: [] });
    assert.deepEqual(c.secrets.sort(), ['Bearer tok_7Hq2x9', 'tok_7Hq2x9']);
  });

  test('header and query values that cannot be secrets are redacted only where they are put', () => {
    const c = parseConnection(
      lines(
        'name: svc',
        'type: custom',
        'headers: {X-Tenant: acme, Accept: application/vnd.api+json}',
        'query: {format: json, key: k-9f8e7d6c}',
      ),
      'c.yaml',
    );
    assert.deepEqual(c.secretFields, { headers: ['X-Tenant', 'Accept'], query: ['format', 'key'] });
    assert.deepEqual(c.secrets, ['k-9f8e7d6c']);
  });

  test('{value, secret: false} is sent, shown in the settings and never redacted', () => {
    const c = parseConnection(
      lines(
        'name: svc',
        'type: query',
        'query: {format: {value: json, secret: false}, key: k-9f8e7d6c}',
      ),
      'c.yaml',
    );
    assert.deepEqual(c.auth.query, [
      ['format', 'json'],
      ['key', 'k-9f8e7d6c'],
    ]);
    assert.deepEqual(c.secretFields.query, ['key']);
    assert.deepEqual(c.literalSecrets, ['query.key']);
    assert.deepEqual(c.settings.query, {
      format: { value: 'json', secret: false },
      key: '[redacted]',
    });
  });

  test('query: parameters in order, values secret', () => {
    const c = parseConnection(
      lines('name: q', 'type: query', 'query: {api_key: abc123, v: 2}'),
      'c.yaml',
    );
    assert.deepEqual(c.auth.query, [
      ['api_key', 'abc123'],
      ['v', '2'],
    ]);
    assert.deepEqual(c.literalSecrets, ['query.api_key', 'query.v']);
  });

  test('custom: basic, headers and query together with a base URL', () => {
    const c = parseConnection(
      lines(
        'name: mix',
        'type: custom',
        'base_url: https://api.x.test/v2',
        'user: u',
        'password: p-123',
        'headers: {X-Tenant: acme}',
        'query: {key: "${env:KEY}"}',
      ),
      'c.yaml',
      { env: ENV },
    );
    assert.deepEqual(c.auth.basic, { user: 'u', password: 'p-123' });
    assert.deepEqual(c.auth.headers, { 'X-Tenant': 'acme' });
    assert.deepEqual(c.auth.query, [['key', 'k-abcdef']]);
  });

  test('oauth2: the settings with their defaults', () => {
    const c = parseConnection(
      lines(
        'name: crm',
        'type: oauth2',
        'authorization_url: https://crm.example/oauth/authorize',
        'token_url: https://crm.example/oauth/token',
        'client_id: abc',
        'client_secret: ${env:CRM_SECRET}',
        'scopes: [read, write]',
        'authorize_params: {access_type: offline}',
      ),
      'c.yaml',
      { env: ENV },
    );
    assert.deepEqual(c.oauth2, {
      grant: 'authorization_code',
      issuer: null,
      authorizationUrl: 'https://crm.example/oauth/authorize',
      tokenUrl: 'https://crm.example/oauth/token',
      clientId: 'abc',
      clientSecret: 'crm-secret-value',
      clientAuth: 'basic',
      scopes: ['read', 'write'],
      authorizeParams: { access_type: 'offline' },
      tokenParams: {},
    });
    assert.deepEqual(c.secrets, ['crm-secret-value']);
  });

  test('oauth2 client_credentials needs only token_url, client_id and client_secret; scopes may be a string', () => {
    const c = parseConnection(
      lines(
        'name: m2m',
        'type: oauth2',
        'grant: client_credentials',
        'token_url: https://auth.x.test/token',
        'client_id: abc',
        'client_secret: s3cr3t-value',
        'scopes: "api:read api:write"',
      ),
      'c.yaml',
    );
    assert.equal(c.oauth2?.grant, 'client_credentials');
    assert.deepEqual(c.oauth2?.scopes, ['api:read', 'api:write']);
  });

  test('test: the request used by POST /api/connections/NAME/test', () => {
    const c = parseConnection(
      lines('name: pub', 'type: none', 'base_url: https://x.test', 'test: {method: get, url: /me}'),
      'c.yaml',
    );
    assert.deepEqual(c.test, { method: 'GET', url: '/me', headers: {}, query: {} });
  });
});

void describe('connection files: secrets are never shown', () => {
  test('settings keep what was written, secret fields redacted', () => {
    const c = parseConnection(
      lines(
        'name: svc',
        'type: custom',
        'base_url: https://x.test',
        'user: bot',
        'password: literal-pw',
        'headers: {X-Api-Key: "${env:KEY}"}',
      ),
      'c.yaml',
      { env: ENV },
    );
    assert.deepEqual(c.settings, {
      name: 'svc',
      type: 'custom',
      base_url: 'https://x.test',
      user: 'bot',
      password: '[redacted]',
      headers: { 'X-Api-Key': '[redacted]' },
    });
    assert.ok(!JSON.stringify(c.settings).includes('k-abcdef'));
  });

  test('literal secrets are told apart from ${env:} ones (they are stored sealed)', () => {
    const c = parseConnection(
      lines(
        'name: s',
        'type: custom',
        'user: u',
        'password: literal',
        'headers: {A: "${env:KEY}"}',
      ),
      'c.yaml',
      { env: ENV },
    );
    assert.deepEqual(c.literalSecrets, ['password']);
  });
});

void describe('connection files: problems with file and line', () => {
  test('a missing type is a problem at the mapping', () => {
    assert.deepEqual(problems(lines('name: x')), [
      "1: missing required key 'type' in the connection",
    ]);
  });

  test('an unknown type names the known ones', () => {
    assert.deepEqual(problems(lines('name: x', 'type: digest')), [
      "2: type must be one of none, basic, header, query, custom, oauth2 (got 'digest')",
    ]);
  });

  test("a key of another type is a problem at its line, naming the type's keys", () => {
    assert.deepEqual(problems(lines('name: x', 'type: header', 'headers: {A: b}', 'password: p')), [
      "4: unknown key 'password' in a header connection (allowed: name, type, base_url, allow_private, test, rate, description, headers)",
    ]);
  });

  test('basic without a password', () => {
    assert.deepEqual(problems(lines('name: x', 'type: basic', 'user: u')), [
      "1: a basic connection needs 'password' (missing)",
    ]);
  });

  test('a header value that is not text', () => {
    assert.deepEqual(problems(lines('name: x', 'type: header', 'headers:', '  A: [1, 2]')), [
      '4: headers.A must be text, or {value, secret: false} for a value that is not secret (got a list)',
    ]);
  });

  test('a {value, secret} entry with an unknown key, or secret that is not true/false', () => {
    const text = lines(
      'name: x',
      'type: header',
      'headers:',
      '  A: {value: v, secret: no, hide: 1}',
    );
    assert.deepEqual(problems(text), [
      "4: unknown key 'hide' in headers.A (allowed: value, secret)",
      "4: headers.A.secret must be true or false (got 'no')",
    ]);
  });

  test('a base_url that is not an absolute http(s) URL', () => {
    assert.deepEqual(problems(lines('name: x', 'type: none', 'base_url: /api')), [
      "3: base_url must be an absolute http(s) URL (got '/api')",
    ]);
  });

  test('an unset environment variable, at the line that names it', () => {
    assert.deepEqual(
      problems(lines('name: x', 'type: basic', 'user: u', 'password: ${env:NOPE}')),
      ['4: environment variable NOPE is not set'],
    );
  });

  test('oauth2 without token_url or client_id', () => {
    assert.deepEqual(
      problems(lines('name: x', 'type: oauth2', 'grant: client_credentials', 'client_secret: s')),
      [
        "1: an oauth2 connection needs 'token_url' (or 'issuer', to discover it)",
        "1: an oauth2 connection needs 'client_id' (missing)",
      ],
    );
  });

  test('authorization_code needs authorization_url unless an issuer is given', () => {
    assert.deepEqual(
      problems(lines('name: x', 'type: oauth2', 'token_url: https://a.test/t', 'client_id: c')),
      ["1: grant authorization_code needs 'authorization_url' (or 'issuer', to discover it)"],
    );
    assert.deepEqual(
      problems(lines('name: x', 'type: oauth2', 'issuer: https://a.test', 'client_id: c')),
      [],
    );
  });

  test('a document that is not a mapping', () => {
    assert.deepEqual(problems('- a\n- b\n'), [
      '1: a connection must be a mapping of settings (name, type, …) (got a list)',
    ]);
  });

  test('a name that is not [a-z0-9][a-z0-9_-]*', () => {
    assert.deepEqual(problems(lines('name: My CRM', 'type: none')), [
      "1: name must match [a-z0-9][a-z0-9_-]* (got 'My CRM')",
    ]);
  });

  test('a PUT body may leave the name out, but may not give another', () => {
    assert.deepEqual(problems(lines('type: none'), { name: 'crm' }), []);
    assert.deepEqual(problems(lines('name: other', 'type: none'), { name: 'crm' }), [
      "1: name is 'other', but the request is for connection 'crm'",
    ]);
  });

  test('JSON reads the same way, with lines', () => {
    assert.deepEqual(
      problems('{\n  "name": "x",\n  "type": "basic",\n  "user": "u",\n  "password": 5\n}'),
      ['5: password must be text (got 5)'],
    );
  });
});

void describe('loadConnections', () => {
  test('a directory loads every file; problems are file:line; a duplicate name is a problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookflow-conn-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), lines('name: a', 'type: none'));
      writeFileSync(join(dir, 'b.yaml'), lines('name: a', 'type: none'));
      writeFileSync(join(dir, 'c.json'), '{"name": "c", "type": "nope"}');
      const { connections, problems: found } = loadConnections(dir);
      assert.deepEqual(
        connections.map((c) => [c.name, c.file]),
        [['a', join(dir, 'a.yaml')]],
      );
      assert.deepEqual(
        found.map((p) => `${p.file.slice(dir.length + 1)}:${p.line}`),
        ['b.yaml:1', 'c.json:1'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
