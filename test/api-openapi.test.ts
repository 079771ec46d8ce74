/**
 * `/api/openapi.json`: the OpenAPI document generated from the routes' schemas, and the
 * consistent validation errors those schemas give.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

describe('OpenAPI document', () => {
  let srv: TestServer;
  let doc: any;
  before(async () => {
    srv = await startServer([], { env: { HOOKFLOW_API_TOKEN: 'open-api-token' } });
    const res = await fetch(`${srv.url}/api/openapi.json`);
    assert.equal(res.status, 200, 'served without the token: it holds no data');
    doc = await res.json();
  });
  after(() => srv.close());

  test('is OpenAPI 3.1 with bearer security', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.title, 'Hookflow management API');
    assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer' });
  });

  test('lists every management route with its methods', () => {
    const methods = (path: string) => Object.keys(doc.paths[path] ?? {}).sort();
    assert.deepEqual(methods('/api/workflows'), ['get']);
    assert.deepEqual(methods('/api/workflows/{name}'), ['delete', 'get', 'put']);
    assert.deepEqual(methods('/api/workflows/{name}/enable'), ['post']);
    assert.deepEqual(methods('/api/workflows/{name}/disable'), ['post']);
    assert.deepEqual(methods('/api/jobs'), ['get']);
    assert.deepEqual(methods('/api/jobs/{id}'), ['get']);
    assert.deepEqual(methods('/api/jobs/{id}/rerun'), ['post']);
    assert.deepEqual(methods('/api/jobs/replay'), ['post']);
    assert.deepEqual(methods('/api/replays'), ['get']);
    assert.deepEqual(methods('/api/replays/{id}'), ['get']);
    assert.deepEqual(methods('/api/replays/{id}/cancel'), ['post']);
    assert.deepEqual(methods('/healthz'), ['get']);
  });

  test('every documented /api route refuses a request without the token (401)', async () => {
    let checked = 0;
    for (const [path, methods] of Object.entries<Record<string, unknown>>(doc.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const method of Object.keys(methods)) {
        const url = `${srv.url}${path.replace(/\{[^}]+\}/g, 'x')}`;
        const res = await fetch(url, { method: method.toUpperCase() });
        assert.equal(res.status, 401, `${method} ${path}`);
        assert.equal(((await res.json()) as any).error.code, 'unauthorized');
        checked++;
      }
    }
    assert.ok(checked >= 9, `${checked} routes checked`);
  });

  test('leaves out webhook routes and the document itself', () => {
    const paths = Object.keys(doc.paths);
    assert.ok(!paths.some((p) => p.startsWith('/hooks')), paths.join(', '));
    assert.ok(!paths.includes('/api/openapi.json'));
  });

  test('describes the job filters and the answers from the same schemas the routes use', () => {
    const list = doc.paths['/api/jobs'].get;
    const params = Object.fromEntries(list.parameters.map((p: any) => [p.name, p]));
    assert.deepEqual(Object.keys(params).sort(), [
      'cursor',
      'limit',
      'match',
      'status',
      'workflow',
    ]);
    assert.deepEqual(params.status.schema.enum, ['queued', 'running', 'succeeded', 'failed']);
    assert.equal(params.limit.schema.maximum, 500);
    assert.equal(params.match.schema.type, 'array', 'match repeats');
    assert.match(params.match.schema.description ?? params.match.description, /PATH:VALUE/);
    const page = list.responses['200'].content['application/json'].schema;
    assert.ok(page.properties.next_cursor);
    const error = list.responses['4XX'] ?? list.responses['4xx'];
    assert.ok(error, 'error answers are documented');
    const put = doc.paths['/api/workflows/{name}'].put;
    assert.ok(put.requestBody, 'PUT documents its body');
    assert.ok(put.responses['201'] && put.responses['200']);
  });
});

describe('validation errors', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([]);
  });
  after(() => srv.close());

  test('a bad query parameter is 400 invalid_request naming the parameter and what it must be', async () => {
    const cases: Array<[string, RegExp]> = [
      ['status=done', /^status must be one of queued, running, succeeded, failed$/],
      ['limit=abc', /^limit must be a whole number$/],
      ['limit=0', /^limit must be >= 1$/],
      ['limit=501', /^limit must be <= 500$/],
    ];
    for (const [q, message] of cases) {
      const res = await fetch(`${srv.url}/api/jobs?${q}`);
      const body = (await res.json()) as any;
      assert.equal(res.status, 400, q);
      assert.deepEqual(Object.keys(body), ['error']);
      assert.equal(body.error.code, 'invalid_request');
      assert.match(body.error.message, message);
    }
  });

  test('an unknown /api route is 404 not_found in the same shape', async () => {
    const res = await fetch(`${srv.url}/api/nothing-here`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as any).error.code, 'not_found');
  });

  test('a cursor the server did not give is 400 invalid_cursor', async () => {
    const res = await fetch(`${srv.url}/api/jobs?cursor=bm9wZQ`);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as any).error.code, 'invalid_cursor');
  });
});
