import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  canBeSecret,
  isSensitiveHeader,
  REDACTED,
  redactHeaders,
  redactNamedHeaders,
  redactQueryParams,
  redactSecrets,
  redactSecretsInText,
} from './redact.js';

void describe('redactHeaders', () => {
  void test('credential headers are redacted whatever their case', () => {
    for (const name of [
      'authorization',
      'Authorization',
      'PROXY-AUTHORIZATION',
      'cookie',
      'set-cookie',
      'x-api-key',
    ]) {
      assert.ok(isSensitiveHeader(name), name);
    }
  });

  void test('webhook signature headers of every preset are redacted', () => {
    for (const name of [
      'x-hub-signature-256',
      'x-hub-signature',
      'stripe-signature',
      'x-slack-signature',
      'x-shopify-hmac-sha256',
      'webhook-signature',
      'x-gitlab-token',
    ]) {
      assert.ok(isSensitiveHeader(name), name);
    }
  });

  void test('names containing signature, token or secret are redacted', () => {
    assert.ok(isSensitiveHeader('X-Custom-Signature'));
    assert.ok(isSensitiveHeader('x-access-token'));
    assert.ok(isSensitiveHeader('X-Client-Secret'));
  });

  void test('ordinary headers are kept', () => {
    for (const name of ['content-type', 'accept', 'user-agent', 'x-request-id', 'webhook-id']) {
      assert.equal(isSensitiveHeader(name), false, name);
    }
  });

  void test('returns a copy with names as given; lists and absent values handled', () => {
    const headers = {
      Authorization: 'Bearer x',
      'set-cookie': ['a=1', 'b=2'],
      accept: '*/*',
      cookie: undefined,
    };
    assert.deepEqual(redactHeaders(headers), {
      Authorization: REDACTED,
      'set-cookie': REDACTED,
      accept: '*/*',
      cookie: undefined,
    });
    assert.equal(headers.Authorization, 'Bearer x');
  });
});

void describe('redactSecrets', () => {
  void test('a secret is cut out of every string, however deep', () => {
    const value = {
      url: 'https://x/?key=abcd1234',
      list: ['abcd1234', { deep: 'Bearer abcd1234!' }],
      n: 1,
      ok: true,
      none: null,
    };
    assert.deepEqual(redactSecrets(value, ['abcd1234']), {
      url: `https://x/?key=${REDACTED}`,
      list: [REDACTED, { deep: `Bearer ${REDACTED}!` }],
      n: 1,
      ok: true,
      none: null,
    });
  });

  void test('URL-encoded forms of a secret are cut out too', () => {
    const secret = 'a b/c+d&e';
    const text = `q=${encodeURIComponent(secret)}&f=${new URLSearchParams({ s: secret }).toString().slice(2)}`;
    assert.equal(redactSecretsInText(text, [secret]), `q=${REDACTED}&f=${REDACTED}`);
  });

  void test('a longer secret that contains a shorter one is cut out whole', () => {
    assert.equal(redactSecretsInText('xx-abc-long-yy', ['abc', 'abc-long']), `xx-${REDACTED}-yy`);
  });

  void test('no secrets: the value itself is returned; empty secrets are ignored', () => {
    const value = { a: 'b' };
    assert.equal(redactSecrets(value, []), value);
    assert.equal(redactSecrets(value, ['']), value);
  });

  void test('object keys and non-plain objects are left alone', () => {
    const bytes = Buffer.from('secret1');
    assert.deepEqual(redactSecrets({ secret1: bytes }, ['secret1']), { secret1: bytes });
  });
});

void describe('canBeSecret', () => {
  void test('short values, words, names and MIME types are not looked for elsewhere', () => {
    for (const value of [
      'json',
      'acme',
      'k1',
      'production',
      'Acme Corp',
      'application/json',
      'application/vnd.api+json',
      'x-www-form-urlencoded',
      'ENTERPRISE',
    ]) {
      assert.equal(canBeSecret(value), false, value);
    }
  });

  void test('values of 8 characters or more with digits, symbols or mixed case are', () => {
    for (const value of [
      'k-9f8e7d6c',
      '12345678',
      'sk_live_abc',
      'aBcDeFgHiJ',
      'abcdefghijklmnopqrstuvwxyz',
    ]) {
      assert.equal(canBeSecret(value), true, value);
    }
  });
});

void describe('redaction by place', () => {
  void test('the named query parameters are redacted in a URL, others and the fragment kept', () => {
    assert.equal(
      redactQueryParams('https://x/a?format=json&api%5Fkey=k1&api_key=k2#top', ['api_key']),
      `https://x/a?format=json&api%5Fkey=${REDACTED}&api_key=${REDACTED}#top`,
    );
    assert.equal(redactQueryParams('https://x/a', ['api_key']), 'https://x/a');
  });

  void test('the named headers are redacted whatever their case', () => {
    assert.deepEqual(redactNamedHeaders({ 'x-tenant': 'acme', accept: 'a/b' }, ['X-Tenant']), {
      'x-tenant': REDACTED,
      accept: 'a/b',
    });
  });
});
