/**
 * §5 OAuth2 against a real authorization server (oidc-provider) on loopback: the whole
 * authorization-code flow over HTTP (authorize → login and consent → callback → tokens stored
 * sealed), jobs calling a protected resource, a refresh before expiry, exactly one refresh and
 * one retry on a 401 (also for 10 jobs at once), a refused refresh, client credentials.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fire, grepDataDir } from './helpers/connections.js';
import { authorizeAs, CLIENT_ID, CLIENT_SECRET, startAuthServer } from './helpers/oidc.js';
import type { AuthServer } from './helpers/oidc.js';
import { startServer } from './helpers/server.js';
import type { StartOptions, TestServer } from './helpers/server.js';

const KEY = 'oauth-test-key-0123456789-0123456789';

const CALL = (name: string, connection: string) => `
name: ${name}
trigger: {webhook: {path: ${name}}}
steps:
  - id: me
    http: {connection: ${connection}, url: /me}
`;

const json = async (res: Response) => (await res.json()) as any;

void describe('oauth2 authorization_code against oidc-provider', () => {
  let as: AuthServer;
  let srv: TestServer;
  let callbackUrl: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'hookflow-oauth-'));
  let options: StartOptions;

  before(async () => {
    as = await startAuthServer();
    options = {
      dataDir,
      env: { HOOKFLOW_SECRET_KEY: KEY, CRM_CLIENT_SECRET: CLIENT_SECRET },
      connections: [
        `name: crm
type: oauth2
grant: authorization_code
authorization_url: ${as.issuer}/auth
token_url: ${as.issuer}/token
client_id: ${CLIENT_ID}
client_secret: \${env:CRM_CLIENT_SECRET}
scopes: [api:read]
base_url: ${as.resourceUrl}
allow_private: true        # the authorization server and the API are on loopback
test: {url: /me}
`,
        `name: m2m
type: oauth2
grant: client_credentials
issuer: ${as.issuer}       # token endpoint discovered
client_id: ${CLIENT_ID}
client_secret: \${env:CRM_CLIENT_SECRET}
scopes: api:read
base_url: ${as.resourceUrl}
allow_private: true
`,
      ],
    };
    srv = await startServer([CALL('call-crm', 'crm'), CALL('call-m2m', 'm2m')], options);
    callbackUrl = `${srv.url}/oauth/callback`;
    as.configure({ redirectUri: callbackUrl });
  });
  after(async () => {
    await srv.close();
    await as.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('before authorization the connection needs it, and a job using it fails saying so', async () => {
    const c = await json(await fetch(`${srv.url}/api/connections/crm`));
    assert.equal(c.state, 'needs_authorization');
    assert.equal(c.grant, 'authorization_code');
    assert.equal(c.redirect_uri, callbackUrl);
    const job = await fire(srv, 'call-crm');
    assert.equal(job.status, 'failed');
    assert.match(
      job.error ?? '',
      /connection 'crm': needs authorization: not authorized yet \(GET \/api\/connections\/crm\/authorize/,
    );
  });

  test('authorize redirects to the provider with PKCE S256 and a state; JSON clients get {url}', async () => {
    const redirect = await fetch(`${srv.url}/api/connections/crm/authorize`, {
      redirect: 'manual',
    });
    assert.equal(redirect.status, 302);
    const url = new URL(redirect.headers.get('location')!);
    assert.equal(url.origin + url.pathname, `${as.issuer}/auth`);
    assert.equal(url.searchParams.get('client_id'), CLIENT_ID);
    assert.equal(url.searchParams.get('redirect_uri'), callbackUrl);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(url.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{20,}$/);
    assert.equal(url.searchParams.get('scope'), 'api:read');

    const res = await fetch(`${srv.url}/api/connections/crm/authorize`, {
      headers: { accept: 'application/json' },
    });
    assert.equal(res.status, 200);
    assert.match((await json(res)).url, new RegExp(`^${as.issuer}/auth\\?`));
  });

  test('login, consent and callback store the tokens sealed; the connection is ready', async () => {
    // Issued for 60 s, inside the refresh margin: the next test sees it refreshed before use.
    as.setAccessTokenTtl(60);
    const { url } = await json(
      await fetch(`${srv.url}/api/connections/crm/authorize`, {
        headers: { accept: 'application/json' },
      }),
    );
    const callback = await authorizeAs('ada', url, callbackUrl);
    assert.match(callback, /[?&]code=/);
    const page = await fetch(callback);
    as.setAccessTokenTtl(3600);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    assert.match(html, /Connected crm/);
    assert.match(html, /<a href="\/">/);
    assert.equal(as.tokenRequests(), 1);

    const c = await json(await fetch(`${srv.url}/api/connections/crm`));
    assert.equal(c.state, 'ready');
    assert.equal(c.message, null);
    const issued = as.issued();
    assert.equal(issued.length, 2); // an access and a refresh token
    assert.deepEqual(grepDataDir(dataDir, [...issued, CLIENT_SECRET]), []);
  });

  test('a callback is single use: sending it again is refused', async () => {
    const { url } = await json(
      await fetch(`${srv.url}/api/connections/crm/authorize`, {
        headers: { accept: 'application/json' },
      }),
    );
    const state = new URL(url).searchParams.get('state')!;
    const replay = await fetch(
      `${callbackUrl}?code=whatever&state=${state}&iss=${encodeURIComponent(as.issuer)}`,
    );
    // The state was genuine, so it is consumed; the made-up code is then refused by the provider.
    assert.notEqual(replay.status, 200);
    const again = await fetch(`${callbackUrl}?code=whatever&state=${state}`);
    assert.equal(again.status, 400);
    assert.match(await again.text(), /unknown, already used or older than 10 minutes/);
  });

  test('a token about to expire is refreshed before the job uses it', async () => {
    const before = as.tokenRequests();
    const job = await fire(srv, 'call-crm');
    assert.equal(job.status, 'succeeded', job.error ?? '');
    assert.equal(as.tokenRequests(), before + 1);
    assert.deepEqual((job.steps[0]!.output as any).body, {
      sub: 'ada',
      client: CLIENT_ID,
      scope: 'api:read',
    });
    const used = as.resourceRequests.at(-1)!;
    assert.equal(used.status, 200);
    assert.notEqual(used.token, as.issued()[0], 'not the first access token');
  });

  test('a fresh token is used without a token request', async () => {
    const before = as.tokenRequests();
    const job = await fire(srv, 'call-crm');
    assert.equal(job.status, 'succeeded', job.error ?? '');
    assert.equal(as.tokenRequests(), before);
  });

  test('a 401 causes exactly one refresh and one retry', async () => {
    await as.revokeAccessTokens();
    const tokens = as.tokenRequests();
    const calls = as.resourceRequests.length;
    const job = await fire(srv, 'call-crm');
    assert.equal(job.status, 'succeeded', job.error ?? '');
    assert.equal(as.tokenRequests(), tokens + 1);
    assert.deepEqual(
      as.resourceRequests.slice(calls).map((r) => r.status),
      [401, 200],
    );
    assert.equal(job.steps[0]!.attempts, 2);
  });

  test('10 jobs hitting a 401 at once share one refresh', async () => {
    await as.revokeAccessTokens();
    const tokens = as.tokenRequests();
    const jobs = await Promise.all(Array.from({ length: 10 }, () => fire(srv, 'call-crm')));
    for (const job of jobs) assert.equal(job.status, 'succeeded', job.error ?? '');
    assert.equal(as.tokenRequests(), tokens + 1);
  });

  test('no token is written to the job history, the API or the database', async () => {
    const jobs = await srv.jobsOf('call-crm');
    const api = await Promise.all([
      fetch(`${srv.url}/api/connections`).then((r) => r.text()),
      fetch(`${srv.url}/api/connections/crm`).then((r) => r.text()),
      ...jobs.map((j) => fetch(`${srv.url}/api/jobs/${j.id}`).then((r) => r.text())),
    ]);
    const everything = api.join('\n');
    for (const token of [...as.issued(), CLIENT_SECRET])
      assert.ok(!everything.includes(token), token);
    assert.deepEqual(grepDataDir(dataDir, [...as.issued(), CLIENT_SECRET]), []);
  });

  test('POST /api/connections/crm/test calls the test request with the token', async () => {
    const res = await json(await fetch(`${srv.url}/api/connections/crm/test`, { method: 'POST' }));
    assert.deepEqual(res, { ok: true, status: 200, message: 'GET /me answered 200' });
  });

  test('the tokens survive a restart', async () => {
    await srv.close({ keepData: true });
    srv = await startServer([CALL('call-crm', 'crm'), CALL('call-m2m', 'm2m')], options);
    const before = as.tokenRequests();
    const job = await fire(srv, 'call-crm');
    assert.equal(job.status, 'succeeded', job.error ?? '');
    assert.equal(as.tokenRequests(), before);
  });

  test('client_credentials: a token obtained once (through discovery) serves many jobs', async () => {
    const before = as.tokenRequests();
    for (let i = 0; i < 3; i++) {
      const job = await fire(srv, 'call-m2m');
      assert.equal(job.status, 'succeeded', job.error ?? '');
      assert.equal((job.steps[0]!.output as any).body.client, CLIENT_ID);
    }
    assert.equal(as.tokenRequests(), before + 1);
  });

  test('a refused refresh fails the job clearly and marks the connection as needing authorization', async () => {
    await as.revokeAccessTokens();
    await as.revokeRefreshTokens();
    const job = await fire(srv, 'call-crm');
    assert.equal(job.status, 'failed');
    assert.match(
      job.error ?? '',
      /connection 'crm' after the server answered 401: needs authorization: the authorization server refused the refresh \(invalid_grant.*\); authorize it again/,
    );
    const c = await json(await fetch(`${srv.url}/api/connections/crm`));
    assert.equal(c.state, 'needs_authorization');
    assert.match(c.message, /invalid_grant/);
  });

  test('authorizing again makes it ready', async () => {
    const { url } = await json(
      await fetch(`${srv.url}/api/connections/crm/authorize`, {
        headers: { accept: 'application/json' },
      }),
    );
    // The callback URL was registered for the first server; this one listens elsewhere.
    as.configure({ redirectUri: `${srv.url}/oauth/callback` });
    const page = await fetch(await authorizeAs('ada', url, `${srv.url}/oauth/callback`));
    assert.equal(page.status, 200, await page.clone().text());
    assert.equal((await json(await fetch(`${srv.url}/api/connections/crm`))).state, 'ready');
    assert.equal((await fire(srv, 'call-crm')).status, 'succeeded');
  });

  test('a user who denies access gets a page saying so; the connection stays as it was', async () => {
    const { url } = await json(
      await fetch(`${srv.url}/api/connections/crm/authorize`, {
        headers: { accept: 'application/json' },
      }),
    );
    const page = await fetch(
      await authorizeAs('ada', url, `${srv.url}/oauth/callback`, { deny: true }),
    );
    assert.equal(page.status, 409);
    assert.match(await page.text(), /not granted \(access_denied/);
  });
});

void describe('oauth2 without HOOKFLOW_SECRET_KEY', () => {
  test('authorize is refused: the tokens could not be stored sealed', async () => {
    const srv = await startServer([], {
      connections: [
        'name: crm\ntype: oauth2\nauthorization_url: https://as.example/auth\ntoken_url: https://as.example/token\nclient_id: c\nclient_secret: s-123456\n',
      ],
    });
    try {
      const res = await fetch(`${srv.url}/api/connections/crm/authorize`);
      assert.equal(res.status, 409);
      const body = await json(res);
      assert.equal(body.error.code, 'secret_key_missing');
      assert.match(body.error.message, /authorizing 'crm' stores its OAuth2 tokens/);
    } finally {
      await srv.close();
    }
  });

  test('authorize of a connection that is not authorization_code: 400', async () => {
    const srv = await startServer([], { connections: ['name: pub\ntype: none\n'] });
    try {
      const res = await fetch(`${srv.url}/api/connections/pub/authorize`);
      assert.equal(res.status, 400);
      assert.match((await json(res)).error.message, /is a none connection, not oauth2/);
    } finally {
      await srv.close();
    }
  });

  test('a callback without a state is refused with a page', async () => {
    const srv = await startServer([]);
    try {
      const res = await fetch(`${srv.url}/oauth/callback?code=abc`);
      assert.equal(res.status, 400);
      assert.match(await res.text(), /no state parameter/);
    } finally {
      await srv.close();
    }
  });
});
