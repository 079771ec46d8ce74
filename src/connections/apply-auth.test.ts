import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyAuth, joinBaseUrl } from './apply-auth.js';
import { ConnectionError } from './errors.js';
import { parseConnection } from './load-connections.js';

const connection = (...lines: string[]) => parseConnection(lines.join('\n'), 'c.yaml', { env: {} });
const get = (url: string, headers: Record<string, string> = {}) => ({
  method: 'GET',
  url,
  headers,
});

void describe('joinBaseUrl', () => {
  const cases: Array<[string, string, string]> = [
    ['https://api.x.test', '/orders/1', 'https://api.x.test/orders/1'],
    ['https://api.x.test/', 'orders/1', 'https://api.x.test/orders/1'],
    ['https://api.x.test/v2', '/orders', 'https://api.x.test/v2/orders'],
    ['https://api.x.test/v2/', '/orders?a=1', 'https://api.x.test/v2/orders?a=1'],
    ['https://api.x.test/v2', '?page=2', 'https://api.x.test/v2?page=2'],
    ['https://api.x.test/v2', '', 'https://api.x.test/v2'],
    ['https://api.x.test/v2', 'https://other.test/x', 'https://other.test/x'],
  ];
  for (const [base, url, joined] of cases) {
    test(`'${base}' + '${url}' → '${joined}'`, () => assert.equal(joinBaseUrl(base, url), joined));
  }
});

void describe('applyAuth', () => {
  test('basic adds Authorization: Basic base64(user:password), replacing the step’s own', () => {
    const c = connection(
      'name: j',
      'type: basic',
      'user: bot@acme.com',
      'password: p:w',
      'base_url: https://x.test',
    );
    const req = applyAuth(c, get('/me', { authorization: 'Bearer old' }), null);
    assert.deepEqual(req.headers, {
      Authorization: `Basic ${Buffer.from('bot@acme.com:p:w').toString('base64')}`,
    });
    assert.equal(req.url, 'https://x.test/me');
  });

  test('header adds the given headers', () => {
    const c = connection('name: h', 'type: header', 'headers: {X-Api-Key: k1, X-Tenant: acme}');
    assert.deepEqual(
      applyAuth(c, get('https://x.test/a', { Accept: 'application/json' }), null).headers,
      {
        Accept: 'application/json',
        'X-Api-Key': 'k1',
        'X-Tenant': 'acme',
      },
    );
  });

  test('query appends the parameters after the step’s own', () => {
    const c = connection('name: q', 'type: query', 'query: {api_key: "a b&c"}');
    assert.equal(
      applyAuth(c, get('https://x.test/a?x=1#f'), null).url,
      'https://x.test/a?x=1&api_key=a+b%26c#f',
    );
  });

  test('an access token becomes Authorization: Bearer', () => {
    const c = connection('name: o', 'type: none');
    assert.deepEqual(applyAuth(c, get('https://x.test/'), 'tok').headers, {
      Authorization: 'Bearer tok',
    });
  });

  test('an absolute URL on another origin than base_url is refused: credentials stay home', () => {
    const c = connection(
      'name: h',
      'type: header',
      'base_url: https://api.x.test',
      'headers: {X-Api-Key: k1}',
    );
    assert.throws(
      () => applyAuth(c, get('https://evil.test/steal'), null),
      (e: unknown) =>
        e instanceof ConnectionError &&
        e.code === 'url_outside_base' &&
        /https:\/\/evil\.test/.test(e.message),
    );
    assert.equal(applyAuth(c, get('https://api.x.test/ok'), null).url, 'https://api.x.test/ok');
  });
});
