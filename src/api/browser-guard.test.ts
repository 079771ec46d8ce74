import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserRefusal, trustedBy } from './browser-guard.js';

const noToken = trustedBy({ boundUrl: 'http://127.0.0.1:8080', publicUrl: null, apiToken: false });
const req = (headers: Record<string, string>, method = 'POST', route = '/api/workflows/:name') => ({
  method,
  route,
  headers,
});
const codeOf = (r: ReturnType<typeof browserRefusal>) => r?.code ?? null;

describe('browserRefusal', () => {
  test('the loopback names with the bound port are trusted Hosts; other ports are not', () => {
    for (const host of ['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST:8080', '[::1]:8080']) {
      assert.equal(codeOf(browserRefusal(req({ host }, 'GET'), noToken)), null, host);
    }
    for (const host of ['localhost:9090', 'evil.example:8080', 'localhost', 'a@localhost:8080']) {
      assert.equal(codeOf(browserRefusal(req({ host }, 'GET'), noToken)), 'forbidden_host', host);
    }
    assert.equal(codeOf(browserRefusal(req({}, 'GET'), noToken)), 'forbidden_host');
  });

  test('a public URL adds its host, with or without its default port, and its origin', () => {
    const t = trustedBy({
      boundUrl: 'http://127.0.0.1:8080',
      publicUrl: 'https://Hooks.Example.com',
      apiToken: false,
    });
    for (const host of ['hooks.example.com', 'hooks.example.com:443']) {
      const r = browserRefusal(req({ host, origin: 'https://hooks.example.com' }), t);
      assert.equal(codeOf(r), null, host);
    }
  });

  test('safe methods are not checked for Origin; others are', () => {
    const headers = { host: '127.0.0.1:8080', origin: 'http://evil.example' };
    assert.equal(codeOf(browserRefusal(req(headers, 'GET'), noToken)), null);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      assert.equal(codeOf(browserRefusal(req(headers, method), noToken)), 'forbidden_origin');
    }
  });

  test('an origin on another port of the same host is another origin', () => {
    for (const origin of ['http://127.0.0.1:3000', 'http://localhost:3000', 'null', 'junk']) {
      const r = browserRefusal(req({ host: '127.0.0.1:8080', origin }), noToken);
      assert.equal(codeOf(r), 'forbidden_origin', origin);
    }
  });

  test('webhooks and /healthz are never refused', () => {
    const headers = { host: 'evil.example', origin: 'http://evil.example' };
    for (const route of ['/hooks/*', '/healthz']) {
      assert.equal(browserRefusal(req(headers, 'POST', route), noToken), null, route);
    }
  });

  test('an unmatched route is guarded like any other', () => {
    const r = browserRefusal(req({ host: 'evil.example' }, 'GET', undefined as never), noToken);
    assert.equal(codeOf(r), 'forbidden_host');
  });

  test('with a token any Host is served, and an Origin matching it is same-origin', () => {
    const t = trustedBy({ boundUrl: 'http://0.0.0.0:8080', publicUrl: null, apiToken: true });
    const headers = { host: 'box.lan:8080', origin: 'http://box.lan:8080' };
    assert.equal(browserRefusal(req(headers), t), null);
    const evil = { host: 'box.lan:8080', origin: 'http://evil.example' };
    assert.equal(codeOf(browserRefusal(req(evil), t)), 'forbidden_origin');
  });
});
