import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { clientFingerprint, OAuthFailure } from './oauth2-client.js';
import type { OAuth2Client, OAuthTokens } from './oauth2-client.js';
import { OAuth2Session } from './oauth2-session.js';
import type { OAuth2Settings } from './types.js';

const settings = (grant: OAuth2Settings['grant']): OAuth2Settings => ({
  grant,
  issuer: null,
  authorizationUrl: 'https://as.test/authorize',
  tokenUrl: 'https://as.test/token',
  clientId: 'hf',
  clientSecret: 'secret',
  clientAuth: 'basic',
  scopes: [],
  authorizeParams: {},
  tokenParams: {},
});

function tokens(n: number, s: OAuth2Settings, expiresInMs: number | null = 3_600_000): OAuthTokens {
  return {
    accessToken: `at-${n}`,
    refreshToken: `rt-${n}`,
    expiresAt: expiresInMs === null ? null : Date.now() + expiresInMs,
    scope: null,
    client: clientFingerprint(s),
  };
}

/** A fake authorization server: counts token requests, answers after a tick. */
function fakeClient(
  s: OAuth2Settings,
  opts: { refuse?: boolean; fail?: boolean; expiresInMs?: number } = {},
) {
  let issued = 1;
  const calls: string[] = [];
  const answer = (kind: string) => {
    calls.push(kind);
    return new Promise<OAuthTokens>((resolve, reject) =>
      setTimeout(() => {
        if (opts.refuse)
          reject(
            new OAuthFailure(
              'refused',
              'the authorization server refused the refresh (invalid_grant)',
            ),
          );
        else if (opts.fail)
          reject(new OAuthFailure('failed', 'the refresh failed: connect ECONNREFUSED'));
        else resolve(tokens(++issued, s, opts.expiresInMs));
      }, 5),
    );
  };
  const client = {
    refresh: (rt: string) => answer(`refresh ${rt}`),
    clientCredentials: () => answer('client_credentials'),
  } as unknown as OAuth2Client;
  return { client, calls };
}

function memoryStorage(initial: OAuthTokens | null) {
  let stored = initial;
  return {
    load: () => Promise.resolve(stored),
    save: (t: OAuthTokens | null) => {
      stored = t;
      return Promise.resolve();
    },
    get: () => stored,
  };
}

const log = pino({ level: 'silent' });

void describe('oauth2 session', () => {
  test('authorization_code without tokens needs authorization', async () => {
    const s = settings('authorization_code');
    const { client, calls } = fakeClient(s);
    const session = new OAuth2Session('crm', s, { client, storage: memoryStorage(null), log });
    await session.load();
    assert.equal(session.status().state, 'needs_authorization');
    await assert.rejects(
      session.accessToken(),
      /needs authorization: not authorized yet \(GET \/api\/connections\/crm\/authorize/,
    );
    assert.deepEqual(calls, []);
  });

  test('a fresh stored token is used as it is', async () => {
    const s = settings('authorization_code');
    const { client, calls } = fakeClient(s);
    const session = new OAuth2Session('crm', s, {
      client,
      storage: memoryStorage(tokens(1, s)),
      log,
    });
    assert.equal(await session.accessToken(), 'at-1');
    assert.equal(session.status().state, 'ready');
    assert.deepEqual(calls, []);
  });

  test('a token about to expire is refreshed first, and the new tokens stored', async () => {
    const s = settings('authorization_code');
    const { client, calls } = fakeClient(s);
    const storage = memoryStorage(tokens(1, s, 30_000)); // inside the 60 s margin
    const session = new OAuth2Session('crm', s, { client, storage, log });
    assert.equal(await session.accessToken(), 'at-2');
    assert.deepEqual(calls, ['refresh rt-1']);
    assert.equal(storage.get()?.accessToken, 'at-2');
  });

  test('10 concurrent requests for an expired token make one refresh', async () => {
    const s = settings('authorization_code');
    const { client, calls } = fakeClient(s);
    const session = new OAuth2Session('crm', s, {
      client,
      storage: memoryStorage(tokens(1, s, -1000)),
      log,
    });
    const got = await Promise.all(Array.from({ length: 10 }, () => session.accessToken()));
    assert.deepEqual(new Set(got), new Set(['at-2']));
    assert.deepEqual(calls, ['refresh rt-1']);
  });

  test('10 concurrent renewals after a 401 to the same token make one refresh', async () => {
    const s = settings('authorization_code');
    const { client, calls } = fakeClient(s);
    const session = new OAuth2Session('crm', s, {
      client,
      storage: memoryStorage(tokens(1, s)),
      log,
    });
    await Promise.all(Array.from({ length: 10 }, () => session.renew('at-1')));
    assert.deepEqual(calls, ['refresh rt-1']);
    // A 401 that arrives later, for the token renewed already, renews nothing.
    await session.renew('at-1');
    assert.deepEqual(calls, ['refresh rt-1']);
    assert.equal(await session.accessToken(), 'at-2');
  });

  test('a refused refresh deletes the tokens and marks the connection as needing authorization', async () => {
    const s = settings('authorization_code');
    const { client } = fakeClient(s, { refuse: true });
    const storage = memoryStorage(tokens(1, s, -1));
    const session = new OAuth2Session('crm', s, { client, storage, log });
    await assert.rejects(session.accessToken(), (e: unknown) => {
      assert.equal((e as { code?: string }).code, 'needs_authorization');
      assert.match(
        (e as Error).message,
        /refused the refresh \(invalid_grant\); authorize it again/,
      );
      return true;
    });
    assert.equal(session.status().state, 'needs_authorization');
    assert.equal(storage.get(), null);
  });

  test('a refresh that fails for another reason keeps the tokens and reports an error', async () => {
    const s = settings('authorization_code');
    const { client } = fakeClient(s, { fail: true });
    const storage = memoryStorage(tokens(1, s, -1));
    const session = new OAuth2Session('crm', s, { client, storage, log });
    await assert.rejects(session.accessToken(), /ECONNREFUSED/);
    assert.equal(session.status().state, 'error');
    assert.equal(storage.get()?.refreshToken, 'rt-1');
  });

  test('tokens refreshed by another process are taken from the store, not refreshed again', async () => {
    const s = settings('authorization_code');
    const { client, calls } = fakeClient(s);
    const storage = memoryStorage(tokens(1, s, -1));
    const session = new OAuth2Session('crm', s, { client, storage, log });
    await session.load();
    await storage.save(tokens(7, s)); // the other process
    assert.equal(await session.accessToken(), 'at-7');
    assert.deepEqual(calls, []);
  });

  test('stored tokens of another client (changed settings) are not used', async () => {
    const s = settings('authorization_code');
    const { client } = fakeClient(s);
    const other = { ...s, clientId: 'another' };
    const session = new OAuth2Session('crm', s, {
      client,
      storage: memoryStorage(tokens(1, other)),
      log,
    });
    await session.load();
    assert.equal(session.status().state, 'needs_authorization');
    assert.match(session.status().message ?? '', /client_id or server URLs changed/);
  });

  test('client_credentials gets a token on first use and caches it', async () => {
    const s = settings('client_credentials');
    const { client, calls } = fakeClient(s);
    const session = new OAuth2Session('m2m', s, { client, storage: null, log });
    const got = await Promise.all(Array.from({ length: 5 }, () => session.accessToken()));
    assert.deepEqual(new Set(got), new Set(['at-2']));
    assert.equal(await session.accessToken(), 'at-2');
    assert.deepEqual(calls, ['client_credentials']);
  });

  test('every token handed out is reported as a secret', async () => {
    const s = settings('authorization_code');
    const { client } = fakeClient(s);
    const session = new OAuth2Session('crm', s, {
      client,
      storage: memoryStorage(tokens(1, s)),
      log,
    });
    await session.accessToken();
    await session.renew('at-1');
    assert.deepEqual(session.secrets(), ['at-1', 'rt-1', 'at-2', 'rt-2']);
  });
});
