/**
 * @module connections/oauth2-client
 * The OAuth 2.0 protocol for one connection, on oauth4webapi: the authorization URL (PKCE
 * S256 and state), the code exchange, the refresh grant and the client credentials grant.
 * Its HTTP goes through undici with the connection's dispatcher, so the SSRF guard applies to
 * the authorization server too. Failures become a {@link OAuthFailure} saying whether the
 * server refused the grant (re-authorization needed) or could not be used (try again later).
 *
 * @example
 *   const client = new OAuth2Client('crm', settings, { dispatcher, allowHttp: false });
 *   const url = await client.authorizationUrl({ redirectUri, state, codeVerifier });
 *   const tokens = await client.exchangeCode(new URL(callbackUrl), { state, codeVerifier, redirectUri });
 */
import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { fetch as undiciFetch } from 'undici';
import type { Dispatcher } from 'undici';
import { errorMessage } from '../errors.js';
import { ConnectionError } from './errors.js';
import type { OAuth2Settings } from './types.js';

/** Tokens as Hookflow keeps them (sealed in the store for authorization_code). */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms; null when the server gave no `expires_in` (the token does not expire). */
  expiresAt: number | null;
  scope: string | null;
  /** Which client and server they were issued for (see {@link clientFingerprint}). */
  client: string;
}

/**
 * Why a token request failed. `kind: 'refused'`: the server refused the grant
 * (`invalid_grant`: the refresh token is revoked or expired) — only a new authorization helps.
 * `kind: 'failed'`: a client error (bad client_secret), a server error or no answer.
 */
export class OAuthFailure extends ConnectionError {
  constructor(
    readonly kind: 'refused' | 'failed',
    message: string,
  ) {
    super(kind === 'refused' ? 'needs_authorization' : 'oauth_failed', message);
    this.name = 'OAuthFailure';
  }
}

export interface OAuth2ClientOptions {
  dispatcher: Dispatcher | undefined;
  /** Allows an http:// authorization server (local development, with private networks allowed). */
  allowHttp: boolean;
  /** Limit of each request to the authorization server. Default 10 s. */
  timeoutMs?: number;
}

/** Identifies the server and client tokens belong to: changed settings mean new tokens. */
export function clientFingerprint(s: OAuth2Settings): string {
  return createHash('sha256')
    .update([s.issuer, s.authorizationUrl, s.tokenUrl, s.clientId].join('\n'))
    .digest('base64url')
    .slice(0, 16);
}

export class OAuth2Client {
  private serverPromise: Promise<oauth.AuthorizationServer> | null = null;
  private readonly client: oauth.Client;
  private readonly clientAuth: oauth.ClientAuth;

  constructor(
    private readonly name: string,
    private readonly settings: OAuth2Settings,
    private readonly opts: OAuth2ClientOptions,
  ) {
    this.client = { client_id: settings.clientId };
    const secret = settings.clientSecret ?? '';
    this.clientAuth =
      settings.clientAuth === 'basic'
        ? oauth.ClientSecretBasic(secret)
        : settings.clientAuth === 'post'
          ? oauth.ClientSecretPost(secret)
          : oauth.None();
  }

  async authorizationUrl(p: {
    redirectUri: string;
    state: string;
    codeVerifier: string;
  }): Promise<string> {
    const as = await this.server();
    if (!as.authorization_endpoint) {
      throw new OAuthFailure(
        'failed',
        `the authorization server of '${this.name}' has no authorization endpoint; set authorization_url`,
      );
    }
    const url = new URL(as.authorization_endpoint);
    const params: Record<string, string> = {
      ...this.settings.authorizeParams,
      response_type: 'code',
      client_id: this.settings.clientId,
      redirect_uri: p.redirectUri,
      state: p.state,
      code_challenge: await oauth.calculatePKCECodeChallenge(p.codeVerifier),
      code_challenge_method: 'S256',
    };
    if (this.settings.scopes.length > 0) params.scope = this.settings.scopes.join(' ');
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  }

  /** The callback's parameters → tokens. Checks state (and `iss` when the server sends it). */
  async exchangeCode(
    callback: URLSearchParams,
    p: { state: string; codeVerifier: string; redirectUri: string },
  ): Promise<OAuthTokens> {
    const as = await this.server();
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(as, this.client, callback, p.state);
    } catch (e) {
      if (e instanceof oauth.AuthorizationResponseError) {
        const why = e.error_description ? `${e.error}: ${e.error_description}` : e.error;
        throw new OAuthFailure('refused', `the authorization was not granted (${why})`);
      }
      throw new OAuthFailure(
        'failed',
        `the authorization response is not valid: ${errorMessage(e)}`,
      );
    }
    return this.tokenRequest('the code exchange', async (options) => {
      const res = await oauth.authorizationCodeGrantRequest(
        as,
        this.client,
        this.clientAuth,
        params,
        p.redirectUri,
        p.codeVerifier,
        { ...options, additionalParameters: this.settings.tokenParams },
      );
      return oauth.processAuthorizationCodeResponse(as, this.client, res);
    });
  }

  async refresh(refreshToken: string): Promise<OAuthTokens> {
    const as = await this.server();
    const tokens = await this.tokenRequest('the refresh', async (options) => {
      const res = await oauth.refreshTokenGrantRequest(
        as,
        this.client,
        this.clientAuth,
        refreshToken,
        { ...options, additionalParameters: this.settings.tokenParams },
      );
      return oauth.processRefreshTokenResponse(as, this.client, res);
    });
    // A server that does not rotate refresh tokens leaves the old one valid.
    return { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken };
  }

  async clientCredentials(): Promise<OAuthTokens> {
    const as = await this.server();
    const params: Record<string, string> = { ...this.settings.tokenParams };
    if (this.settings.scopes.length > 0) params.scope = this.settings.scopes.join(' ');
    return this.tokenRequest('the client credentials grant', async (options) => {
      const res = await oauth.clientCredentialsGrantRequest(
        as,
        this.client,
        this.clientAuth,
        params,
        options,
      );
      return oauth.processClientCredentialsResponse(as, this.client, res);
    });
  }

  private async tokenRequest(
    what: string,
    run: (options: oauth.TokenEndpointRequestOptions) => Promise<oauth.TokenEndpointResponse>,
  ): Promise<OAuthTokens> {
    let res: oauth.TokenEndpointResponse;
    try {
      res = await run(this.httpOptions());
    } catch (e) {
      throw this.failure(what, e);
    }
    return {
      accessToken: res.access_token,
      refreshToken: res.refresh_token ?? null,
      expiresAt: typeof res.expires_in === 'number' ? Date.now() + res.expires_in * 1000 : null,
      scope: res.scope ?? null,
      client: clientFingerprint(this.settings),
    };
  }

  private failure(what: string, e: unknown): OAuthFailure {
    if (e instanceof OAuthFailure) return e;
    if (e instanceof oauth.ResponseBodyError) {
      const why = e.error_description ? `${e.error}: ${e.error_description}` : e.error;
      if (e.error === 'invalid_grant') {
        return new OAuthFailure('refused', `the authorization server refused ${what} (${why})`);
      }
      return new OAuthFailure(
        'failed',
        `the authorization server refused ${what} (${why}, HTTP ${e.status}); check client_id, client_secret and client_auth`,
      );
    }
    if (e instanceof oauth.WWWAuthenticateChallengeError) {
      return new OAuthFailure(
        'failed',
        `the authorization server did not accept the client's credentials for ${what} (HTTP ${e.status}); check client_id, client_secret and client_auth`,
      );
    }
    return new OAuthFailure('failed', `${what} failed: ${describeFailure(e, this.opts.allowHttp)}`);
  }

  /** Metadata from the settings, or discovered from the issuer once. */
  private server(): Promise<oauth.AuthorizationServer> {
    this.serverPromise ??= this.loadServer().catch((e: unknown) => {
      this.serverPromise = null; // try again next time
      throw this.failure('the metadata discovery', e);
    });
    return this.serverPromise;
  }

  private async loadServer(): Promise<oauth.AuthorizationServer> {
    const s = this.settings;
    let discovered: oauth.AuthorizationServer | null = null;
    if (s.issuer && (!s.tokenUrl || (s.grant === 'authorization_code' && !s.authorizationUrl))) {
      const issuer = new URL(s.issuer);
      const res = await oauth.discoveryRequest(issuer, {
        ...this.httpOptions(),
        algorithm: 'oidc',
      });
      discovered = await oauth.processDiscoveryResponse(issuer, res);
    }
    // RFC 9207: when the server sends `iss` in the authorization response it must be this.
    // Without an issuer setting, the origin of the authorization URL is taken as the issuer.
    const issuer =
      s.issuer ?? discovered?.issuer ?? new URL(s.authorizationUrl ?? s.tokenUrl ?? '').origin;
    return {
      ...discovered,
      issuer,
      authorization_endpoint: s.authorizationUrl ?? discovered?.authorization_endpoint,
      token_endpoint: s.tokenUrl ?? discovered?.token_endpoint,
    };
  }

  private httpOptions(): oauth.HttpRequestOptions<'POST', URLSearchParams> &
    oauth.HttpRequestOptions<'GET'> {
    const dispatcher = this.opts.dispatcher;
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    return {
      signal: () => AbortSignal.timeout(timeoutMs),
      [oauth.allowInsecureRequests]: this.opts.allowHttp,
      [oauth.customFetch]: (url, init) =>
        undiciFetch(url, {
          method: init.method,
          headers: init.headers,
          body: init.body as string | URLSearchParams | undefined,
          redirect: 'manual',
          signal: init.signal ?? null,
          ...(dispatcher ? { dispatcher } : {}),
        }) as unknown as Promise<Response>,
    };
  }
}

function describeFailure(e: unknown, allowHttp: boolean): string {
  const err = e as { code?: string; cause?: unknown; name?: string };
  if (err.code === oauth.HTTP_REQUEST_FORBIDDEN && !allowHttp) {
    return 'the authorization server must use https (http is accepted only with allow_private: true or HOOKFLOW_ALLOW_PRIVATE_NETWORKS=1, for local development)';
  }
  if (err.name === 'TimeoutError') return 'the authorization server did not answer in time';
  // undici's fetch reports "fetch failed" with the reason (refused, blocked address…) as cause.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${errorMessage(e)}${cause}`;
}
