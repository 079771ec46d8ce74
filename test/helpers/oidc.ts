/**
 * A real OAuth 2.0 authorization server on loopback: `oidc-provider` (certified), with its
 * development login and consent pages, which `authorizeAs` drives over plain HTTP (manual
 * redirects and cookies, no browser). Beside it, a protected resource that accepts only the
 * access tokens the server issued and has not revoked.
 *
 * @example
 *   const as = await startAuthServer();
 *   // … start Hookflow with a connection using as.issuer …
 *   as.configure({ redirectUri: `${hookflowUrl}/oauth/callback` });
 *   const callback = await authorizeAs('ada', authorizeUrl, `${hookflowUrl}/oauth/callback`);
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'hookflow';
export const CLIENT_SECRET = 'client-secret-4f3e2d1c0b';

export interface AuthServer {
  issuer: string;
  /** The protected API: `GET /me` answers who the token belongs to. */
  resourceUrl: string;
  provider(): Provider;
  /** Creates the provider once Hookflow's callback URL is known. */
  configure(opts: { redirectUri: string }): void;
  /** Requests to the token endpoint so far. */
  tokenRequests(): number;
  /** What the resource received: the token and the status it answered. */
  resourceRequests: Array<{ token: string | null; status: number }>;
  /** Lifetime in seconds of access tokens issued from now on. */
  setAccessTokenTtl(seconds: number): void;
  /** Every access and refresh token value issued so far. */
  issued(): string[];
  /** Revokes every access token issued so far (the resource answers 401 to them). */
  revokeAccessTokens(): Promise<void>;
  /** Revokes every refresh token issued so far (a refresh is then refused: invalid_grant). */
  revokeRefreshTokens(): Promise<void>;
  close(): Promise<void>;
}

interface Revocable {
  jti: string;
  destroy(): Promise<void>;
}

export async function startAuthServer(): Promise<AuthServer> {
  let provider: Provider | null = null;
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  let tokenRequests = 0;
  let ttl = 3600;
  const accessTokens: Revocable[] = [];
  const refreshTokens: Revocable[] = [];
  const values: string[] = [];

  const as = createServer((req, res) => {
    if (req.url?.startsWith('/token')) tokenRequests++;
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await listen(as);
  const issuer = `http://127.0.0.1:${(as.address() as AddressInfo).port}`;

  const resourceRequests: AuthServer['resourceRequests'] = [];
  const resource = createServer((req, res) => {
    void (async () => {
      const header = req.headers.authorization ?? '';
      const token = header.startsWith('Bearer ') ? header.slice(7) : null;
      const p = provider;
      const found =
        token && p
          ? ((await p.AccessToken.find(token)) ?? (await p.ClientCredentials.find(token)))
          : undefined;
      const status = found ? 200 : 401;
      resourceRequests.push({ token, status });
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(found ? {} : { 'www-authenticate': 'Bearer error="invalid_token"' }),
      });
      const who = found as { accountId?: string; clientId?: string; scope?: string } | undefined;
      res.end(
        JSON.stringify(
          found
            ? { sub: who?.accountId ?? null, client: who?.clientId, scope: who?.scope }
            : { error: 'invalid_token' },
        ),
      );
    })();
  });
  await listen(resource);

  return {
    issuer,
    resourceUrl: `http://127.0.0.1:${(resource.address() as AddressInfo).port}`,
    provider: () => {
      if (!provider) throw new Error('configure() first');
      return provider;
    },
    configure({ redirectUri }) {
      provider = quietly(
        () =>
          new Provider(issuer, {
            clients: [
              {
                client_id: CLIENT_ID,
                client_secret: CLIENT_SECRET,
                redirect_uris: [redirectUri],
                grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
                response_types: ['code'],
                token_endpoint_auth_method: 'client_secret_basic',
              },
            ],
            features: { devInteractions: { enabled: true }, clientCredentials: { enabled: true } },
            scopes: ['api:read'],
            cookies: { keys: ['test-cookie-key-0123456789'] },
            findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
            issueRefreshToken: () => true,
            rotateRefreshToken: true, // as many providers do: a refresh token works once
            ttl: {
              AccessToken: () => ttl,
              ClientCredentials: () => ttl,
              AuthorizationCode: 60,
              RefreshToken: 86_400,
              Interaction: 600,
              Session: 600,
              Grant: 86_400,
            },
          }),
      );
      const p = provider;
      p.on('access_token.saved', (t: Revocable & { jti: string }) => accessTokens.push(t));
      p.on('client_credentials.saved', (t: Revocable) => accessTokens.push(t));
      p.on('refresh_token.saved', (t: Revocable) => refreshTokens.push(t));
      p.on('grant.success', (ctx: { body?: { access_token?: string; refresh_token?: string } }) => {
        for (const v of [ctx.body?.access_token, ctx.body?.refresh_token]) if (v) values.push(v);
      });
      const callback = p.callback();
      handler = (req, res) => quietly(() => callback(req, res));
    },
    tokenRequests: () => tokenRequests,
    resourceRequests,
    setAccessTokenTtl(seconds) {
      ttl = seconds;
    },
    issued: () => [...values],
    async revokeAccessTokens() {
      for (const t of accessTokens.splice(0)) await t.destroy();
    },
    async revokeRefreshTokens() {
      for (const t of refreshTokens.splice(0)) await t.destroy();
    },
    async close() {
      for (const s of [as, resource]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
    },
  };
}

/**
 * Follows an authorization URL as a browser would: signs in as `account` and consents on the
 * development pages, until the provider redirects to `callbackPrefix`. Returns that URL (not
 * followed: the caller sends it to Hookflow). With `deny`, aborts at the login page instead.
 */
export async function authorizeAs(
  account: string,
  authorizeUrl: string,
  callbackPrefix: string,
  opts: { deny?: boolean } = {},
): Promise<string> {
  const cookies = new Map<string, string>();
  const go = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string> | undefined),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  };
  let url = authorizeUrl;
  for (let hop = 0; hop < 12; hop++) {
    if (url.startsWith(callbackPrefix)) return url;
    let res = await go(url);
    if (res.status === 200) {
      const html = await res.text();
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      if (!prompt) throw new Error(`no login or consent form at ${url}:\n${html.slice(0, 500)}`);
      if (opts.deny) {
        res = await go(`${url}/abort`);
      } else {
        const body = new URLSearchParams({ prompt, login: account, password: 'any' });
        res = await go(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: body.toString(),
        });
      }
    }
    const location = res.headers.get('location');
    if (!location)
      throw new Error(`${url} answered ${res.status} without a redirect: ${await res.text()}`);
    url = new URL(location, url).toString();
  }
  throw new Error('the authorization did not come back to the callback');
}

function listen(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((r) => server.listen(0, '127.0.0.1', r));
}

/** oidc-provider warns on the console about its development defaults: not useful in tests. */
function quietly<T>(run: () => T): T {
  const { warn, info } = console;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('oidc-provider')) warn(...args);
  };
  console.info = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('oidc-provider')) info(...args);
  };
  try {
    return run();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}
