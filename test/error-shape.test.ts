/**
 * §9: every refusal answers `{"error": {"code", "message"}}` — Node's parser refusals (431,
 * framing) written on the raw socket, Fastify's own (bad URL, body too large) and ours.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import { exchange, parseRawAnswer, send } from './helpers/raw-http.js';

const HELLO = `
name: hello
trigger:
  webhook: {path: hello}
`;

function assertShape(json: any, code: string): void {
  assert.deepEqual(Object.keys(json), ['error']);
  assert.equal(json.error.code, code);
  assert.equal(typeof json.error.message, 'string');
}

describe('one error shape', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startServer([HELLO], { env: { HOOKFLOW_MAX_BODY: '1kb' } });
  });
  after(() => srv.close());

  test('headers larger than the limit: 431 headers_too_large', async () => {
    const raw = await exchange(
      srv.url,
      `GET /api/workflows HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    const { status, json } = parseRawAnswer(raw);
    assert.equal(status, 431);
    assertShape(json, 'headers_too_large');
  });

  test('bytes that are not HTTP: 400 bad_request', async () => {
    const { status, json } = parseRawAnswer(await exchange(srv.url, 'HELLO THERE\r\n\r\n'));
    assert.equal(status, 400);
    assertShape(json, 'bad_request');
  });

  test('Content-Length with Transfer-Encoding (request smuggling): 400 bad_request', async () => {
    const raw = await exchange(
      srv.url,
      'POST /hooks/hello HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    const { status, json } = parseRawAnswer(raw);
    assert.equal(status, 400);
    assertShape(json, 'bad_request');
  });

  test('a path with a broken %-escape: 400 invalid_url', async () => {
    const r = await send(`${srv.url}/api/workflows/%E0%A4%A`);
    assert.equal(r.status, 400);
    assertShape(r.json, 'invalid_url');
  });

  test('an unknown route: 404 not_found', async () => {
    const r = await send(`${srv.url}/nowhere`);
    assert.equal(r.status, 404);
    assertShape(r.json, 'not_found');
  });

  test('a document over the body limit: 413 body_too_large', async () => {
    const r = await send(`${srv.url}/api/workflows/big`, {
      method: 'PUT',
      headers: { 'content-type': 'application/yaml' },
      body: `name: big\n# ${'x'.repeat(4000)}\n`,
    });
    assert.equal(r.status, 413);
    assertShape(r.json, 'body_too_large');
  });

  test('an Expect the server does not know: 417 expectation_failed', async () => {
    const r = await send(`${srv.url}/healthz`, { headers: { expect: 'teapot' } });
    assert.equal(r.status, 417);
    assertShape(r.json, 'expectation_failed');
  });

  test('after a refusal on one connection, the server goes on serving', async () => {
    await exchange(srv.url, 'HELLO THERE\r\n\r\n');
    assert.equal((await send(`${srv.url}/healthz`)).status, 200);
  });
});
