/**
 * §5 connections over real HTTP: each type against a loopback server that echoes what it
 * received; secrets kept out of job history, API answers and the database file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, startUpstream } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import { fire, grepDataDir } from './helpers/connections.js';

const SECRETS = {
  BASIC_PW: 'pw-basic-9f8e7d',
  HEADER_TOKEN: 'tok-header-6c5b4a',
  QUERY_KEY: 'key-query-3a2b1c',
  CUSTOM_PW: 'pw-custom-0d9e8f',
  CUSTOM_KEY: 'key-custom-7g6h5i',
};

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
}

void describe('connections: each type adds its credentials to the request', () => {
  let upstream: { url: string; close(): Promise<void> };
  const received: Echo[] = [];
  let srv: TestServer;

  before(async () => {
    upstream = await startUpstream((req, _body, res) => {
      const echo = {
        method: req.method!,
        url: req.url!,
        headers: req.headers as Record<string, string>,
      };
      received.push(echo);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(echo));
    });
    const base = `base_url: ${upstream.url}/api`;
    const workflow = (name: string, connection: string) => `
name: ${name}
trigger: {webhook: {path: ${name}}}
steps:
  - id: call
    http: {connection: ${connection}, url: /echo?x=1}
`;
    srv = await startServer(
      [
        workflow('call-none', 'pub'),
        workflow('call-basic', 'jira'),
        workflow('call-header', 'svc'),
        workflow('call-query', 'maps'),
        workflow('call-custom', 'mix'),
      ],
      {
        // The upstream is on loopback: private networks allowed for these tests.
        env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1', ...SECRETS },
        connections: [
          `name: pub\ntype: none\n${base}\n`,
          `name: jira\ntype: basic\n${base}\nuser: bot@acme.com\npassword: \${env:BASIC_PW}\ntest: {url: /myself}\n`,
          `name: svc\ntype: header\n${base}\nheaders:\n  Authorization: Bearer \${env:HEADER_TOKEN}\n  X-Tenant: acme\n`,
          `name: maps\ntype: query\n${base}\nquery:\n  api_key: \${env:QUERY_KEY}\n`,
          `name: mix\ntype: custom\n${base}\nuser: svc\npassword: \${env:CUSTOM_PW}\nheaders:\n  X-Api-Key: \${env:CUSTOM_KEY}\nquery:\n  v: "2"\n`,
        ],
      },
    );
  });
  after(async () => {
    await srv.close();
    await upstream.close();
  });

  const call = async (workflow: string) => {
    const job = await fire(srv, workflow);
    assert.equal(job.status, 'succeeded', job.error ?? '');
    return { job, echo: received.at(-1)! };
  };

  test('none: the base URL is joined, nothing is added', async () => {
    const { echo } = await call('call-none');
    assert.equal(echo.url, '/api/echo?x=1');
    assert.equal(echo.headers.authorization, undefined);
  });

  test('basic: Authorization: Basic base64(user:password)', async () => {
    const { echo } = await call('call-basic');
    const expected = Buffer.from(`bot@acme.com:${SECRETS.BASIC_PW}`).toString('base64');
    assert.equal(echo.headers.authorization, `Basic ${expected}`);
  });

  test('header: the given headers', async () => {
    const { echo } = await call('call-header');
    assert.equal(echo.headers.authorization, `Bearer ${SECRETS.HEADER_TOKEN}`);
    assert.equal(echo.headers['x-tenant'], 'acme');
  });

  test('query: the given parameters, after the step’s own', async () => {
    const { echo } = await call('call-query');
    assert.equal(echo.url, `/api/echo?x=1&api_key=${SECRETS.QUERY_KEY}`);
  });

  test('custom: basic, headers and query together', async () => {
    const { echo } = await call('call-custom');
    assert.equal(
      echo.headers.authorization,
      `Basic ${Buffer.from(`svc:${SECRETS.CUSTOM_PW}`).toString('base64')}`,
    );
    assert.equal(echo.headers['x-api-key'], SECRETS.CUSTOM_KEY);
    assert.equal(echo.url, '/api/echo?x=1&v=2');
  });

  test('no secret appears in the job history, even where the service echoed it', async () => {
    for (const wf of ['call-basic', 'call-header', 'call-query', 'call-custom']) {
      const { job } = await call(wf);
      const res = await fetch(`${srv.url}/api/jobs/${job.id}`);
      const text = await res.text();
      for (const secret of Object.values(SECRETS))
        assert.ok(!text.includes(secret), `${wf}: ${secret}`);
      assert.match(text, /\[redacted\]/);
    }
  });

  test('GET /api/connections lists each with its type and state, and no secret', async () => {
    const res = await fetch(`${srv.url}/api/connections`);
    const text = await res.text();
    const body = JSON.parse(text) as { connections: any[] };
    assert.deepEqual(
      body.connections.map((c) => [c.name, c.type, c.grant, c.state]),
      [
        ['jira', 'basic', null, 'ready'],
        ['maps', 'query', null, 'ready'],
        ['mix', 'custom', null, 'ready'],
        ['pub', 'none', null, 'ready'],
        ['svc', 'header', null, 'ready'],
      ],
    );
    assert.equal(body.connections[0].base_url, `${upstream.url}/api`);
    for (const secret of Object.values(SECRETS)) assert.ok(!text.includes(secret));
  });

  test('GET /api/connections/NAME shows its settings with secrets redacted', async () => {
    const res = await fetch(`${srv.url}/api/connections/mix`);
    const body = (await res.json()) as any;
    assert.equal(res.status, 200);
    assert.deepEqual(body.settings, {
      name: 'mix',
      type: 'custom',
      base_url: `${upstream.url}/api`,
      user: 'svc',
      password: '[redacted]',
      headers: { 'X-Api-Key': '[redacted]' },
      query: { v: '[redacted]' },
    });
  });

  test('POST /api/connections/NAME/test sends the test request: ok with its status', async () => {
    const res = await fetch(`${srv.url}/api/connections/jira/test`, { method: 'POST' });
    assert.deepEqual(await res.json(), {
      ok: true,
      status: 200,
      message: 'GET /myself answered 200',
    });
    assert.equal(received.at(-1)!.url, '/api/myself');
    assert.match(received.at(-1)!.headers.authorization ?? '', /^Basic /);
  });

  test('GET /api/connections/NAME of an unknown connection: 404 connection_not_found', async () => {
    const res = await fetch(`${srv.url}/api/connections/nope`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as any).error.code, 'connection_not_found');
  });

  test('the database file holds no secret in clear', async () => {
    const found = grepDataDir(srv.dataDir, Object.values(SECRETS));
    assert.deepEqual(found, []);
  });
});

void describe('connections: test results', () => {
  test('a test request answered 401 is not ok, with the status and what the service said', async () => {
    const upstream = await startUpstream((_req, _body, res) => {
      res.statusCode = 401;
      res.setHeader('content-type', 'application/json');
      res.end('{"message":"bad credentials"}');
    });
    const srv = await startServer([], {
      env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' },
      connections: [
        `name: gh\ntype: header\nbase_url: ${upstream.url}\nheaders: {Authorization: "token x-123"}\ntest: {url: /user}\n`,
      ],
    });
    try {
      const res = await fetch(`${srv.url}/api/connections/gh/test`, { method: 'POST' });
      assert.deepEqual(await res.json(), {
        ok: false,
        status: 401,
        message: 'GET /user answered 401: {"message":"bad credentials"}',
      });
    } finally {
      await srv.close();
      await upstream.close();
    }
  });

  test('a connection without a test request is tested with a GET of its base URL', async () => {
    const upstream = await startUpstream((_req, _body, res) => res.end('ok'));
    const srv = await startServer([], {
      env: { HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '1' },
      connections: [`name: pub\ntype: none\nbase_url: ${upstream.url}/v1\n`],
    });
    try {
      const res = await fetch(`${srv.url}/api/connections/pub/test`, { method: 'POST' });
      assert.deepEqual(await res.json(), {
        ok: true,
        status: 200,
        message: `GET ${upstream.url}/v1 answered 200`,
      });
    } finally {
      await srv.close();
      await upstream.close();
    }
  });
});
