/**
 * §8: web pages cannot drive the server through a browser on the same machine. Cross-origin
 * state-changing calls and DNS-rebinding Hosts are refused and change nothing; the server's
 * own pages, the CLI (no Origin) and webhook senders (any Host) go on working.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import { send } from './helpers/raw-http.js';

const HELLO = `
name: hello
trigger:
  webhook: {path: hello}
`;
const EVIL = 'http://evil.example';
const TOKEN = 'guard-token-123';

describe('without a token: Origin and Host', () => {
  let srv: TestServer;
  let port: string;
  before(async () => {
    srv = await startServer([HELLO]);
    port = new URL(srv.url).port;
  });
  after(() => srv.close());

  const enabled = async () => (await send(`${srv.url}/api/workflows/hello`)).json.enabled;

  test('a cross-origin simple request cannot disable a workflow: 403 forbidden_origin', async () => {
    const r = await send(`${srv.url}/api/workflows/hello/disable`, {
      method: 'POST',
      headers: { origin: EVIL, 'content-type': 'text/plain' },
      body: 'x',
    });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'forbidden_origin');
    assert.equal(await enabled(), true);
  });

  test('a cross-origin rerun is refused and queues no job', async () => {
    const hook = await send(`${srv.url}/hooks/hello`, { method: 'POST' });
    const id = hook.json.id as string;
    await srv.finishedJob(id);
    const before = (await srv.jobsOf('hello')).length;
    const r = await send(`${srv.url}/api/jobs/${id}/rerun`, {
      method: 'POST',
      headers: { origin: EVIL },
    });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'forbidden_origin');
    assert.equal((await srv.jobsOf('hello')).length, before);
  });

  test('Sec-Fetch-Site: cross-site is refused even without an Origin', async () => {
    const r = await send(`${srv.url}/api/workflows/hello/disable`, {
      method: 'POST',
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'forbidden_origin');
    assert.equal(await enabled(), true);
  });

  test('Origin: null (a sandboxed frame, a file) is refused', async () => {
    const r = await send(`${srv.url}/api/workflows/hello/disable`, {
      method: 'POST',
      headers: { origin: 'null' },
    });
    assert.equal(r.status, 403);
    assert.equal(await enabled(), true);
  });

  test("the server's own pages may change things, under 127.0.0.1 or localhost", async () => {
    const off = await send(`${srv.url}/api/workflows/hello/disable`, {
      method: 'POST',
      headers: { origin: srv.url, 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(off.status, 200);
    assert.equal(off.json.enabled, false);
    const on = await send(`${srv.url}/api/workflows/hello/enable`, {
      method: 'POST',
      headers: { host: `localhost:${port}`, origin: `http://localhost:${port}` },
    });
    assert.equal(on.status, 200);
    assert.equal(on.json.enabled, true);
  });

  test('a call without Origin (the CLI, curl) may change things', async () => {
    const r = await send(`${srv.url}/api/workflows/hello/enable`, { method: 'POST' });
    assert.equal(r.status, 200);
  });

  test('a rebinding Host cannot read the connections: 403 forbidden_host', async () => {
    const r = await send(`${srv.url}/api/connections`, {
      headers: { host: `evil.example:${port}` },
    });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'forbidden_host');
    assert.doesNotMatch(r.text, /connections"/);
  });

  test('a rebinding page cannot create a workflow with PUT', async () => {
    const r = await send(`${srv.url}/api/workflows/rebound`, {
      method: 'PUT',
      headers: {
        host: `evil.example:${port}`,
        origin: `http://evil.example:${port}`,
        'content-type': 'application/yaml',
      },
      body: 'name: rebound\ntrigger: {webhook: {path: rebound}}\n',
    });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'forbidden_host');
    assert.equal((await send(`${srv.url}/api/workflows/rebound`)).status, 404);
  });

  test('the UI, /metrics and /oauth/callback refuse a rebinding Host too', async () => {
    for (const path of ['/', '/metrics', '/oauth/callback?state=x&code=y']) {
      const r = await send(`${srv.url}${path}`, { headers: { host: `evil.example:${port}` } });
      assert.equal(r.status, 403, path);
      assert.equal(r.json.error.code, 'forbidden_host', path);
    }
  });

  test('webhooks accept any Host and any Origin', async () => {
    const r = await send(`${srv.url}/hooks/hello`, {
      method: 'POST',
      headers: { host: 'provider.example', origin: EVIL, 'content-type': 'text/plain' },
      body: 'ping',
    });
    assert.equal(r.status, 202);
  });

  test("webhook URLs are built on the bound address, never on the request's Host", async () => {
    const r = await send(`${srv.url}/api/workflows/hello`, {
      headers: { host: `localhost:${port}` },
    });
    assert.equal(r.json.trigger.url, `${srv.url}/hooks/hello`);
  });
});

describe('with HOOKFLOW_PUBLIC_URL', () => {
  const PUBLIC = 'https://hooks.example.com';
  let srv: TestServer;
  before(async () => {
    srv = await startServer([HELLO], { env: { HOOKFLOW_PUBLIC_URL: PUBLIC } });
  });
  after(() => srv.close());

  test('its host is served, and the URLs shown are built on it', async () => {
    const r = await send(`${srv.url}/api/workflows/hello`, {
      headers: { host: 'hooks.example.com' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.json.trigger.url, `${PUBLIC}/hooks/hello`);
  });

  test('its origin may change things', async () => {
    const r = await send(`${srv.url}/api/workflows/hello/enable`, {
      method: 'POST',
      headers: { host: 'hooks.example.com', origin: PUBLIC },
    });
    assert.equal(r.status, 200);
  });
});

describe('with a token', () => {
  let srv: TestServer;
  let port: string;
  const auth = { authorization: `Bearer ${TOKEN}` };
  before(async () => {
    srv = await startServer([HELLO], { env: { HOOKFLOW_API_TOKEN: TOKEN } });
    port = new URL(srv.url).port;
  });
  after(() => srv.close());

  test('any Host is served: the token is the check', async () => {
    const r = await send(`${srv.url}/api/workflows`, {
      headers: { ...auth, host: `box.lan:${port}` },
    });
    assert.equal(r.status, 200);
  });

  test('a cross-origin call is refused even with the token', async () => {
    const r = await send(`${srv.url}/api/workflows/hello/disable`, {
      method: 'POST',
      headers: { ...auth, origin: EVIL },
    });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'forbidden_origin');
  });

  test('a page served under the name the request was sent to may change things', async () => {
    const r = await send(`${srv.url}/api/workflows/hello/enable`, {
      method: 'POST',
      headers: { ...auth, host: `box.lan:${port}`, origin: `http://box.lan:${port}` },
    });
    assert.equal(r.status, 200);
  });
});
