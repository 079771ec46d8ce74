/**
 * @module connections/oauth2-session
 * The tokens of one OAuth2 connection over time: handed out while fresh, refreshed shortly
 * before they expire, renewed once when a server answers 401 to the current token, and
 * shared: however many jobs ask at once, one token request is made (the others wait for it).
 * A refresh the server refuses marks the connection as needing a new authorization.
 *
 * Tokens of `authorization_code` connections are kept sealed in the store (they survive a
 * restart); `client_credentials` tokens live in memory only (a new one is one request away).
 * Across processes a refresh happens once: it holds the store's lock of the connection, reads
 * the stored tokens again first (another process may have refreshed already — with rotating
 * refresh tokens a second refresh would be refused) and stores the new ones by compare-and-set
 * on what it read; a process whose compare-and-set fails uses the tokens stored instead.
 *
 * @example
 *   const token = await session.accessToken();       // refreshes first when about to expire
 *   await session.renew(token);                      // after a 401; no-op if already renewed
 */
import type { Logger } from 'pino';
import { ConnectionError } from './errors.js';
import { clientFingerprint, OAuthFailure } from './oauth2-client.js';
import type { OAuth2Client, OAuthTokens } from './oauth2-client.js';
import type { ConnectionStatus, OAuth2Settings } from './types.js';

/** A token this close to its expiry is refreshed before use. */
export const DEFAULT_REFRESH_MARGIN_MS = 60_000;

/** Where an authorization_code connection's tokens are kept. */
export interface TokenStorage {
  load(): Promise<OAuthTokens | null>;
  save(t: OAuthTokens | null): Promise<void>;
  /** Stores `t` only if the stored tokens are still those last loaded or saved here. */
  replace?(t: OAuthTokens): Promise<boolean>;
  /** Runs `fn` while no other process refreshes this connection's tokens. */
  exclusive?<T>(fn: () => Promise<T>): Promise<T>;
}

export interface OAuth2SessionDeps {
  client: OAuth2Client;
  /** Stored tokens (authorization_code); null for in-memory sessions. */
  storage: TokenStorage | null;
  log: Logger;
  refreshMarginMs?: number;
  /** Told when the status changes (the worker thread relays it to the API's side). */
  onStatus?(status: ConnectionStatus): void;
}

export class OAuth2Session {
  private tokens: OAuthTokens | null = null;
  private loaded = false;
  private inflight: Promise<OAuthTokens> | null = null;
  private readonly seen: string[] = [];
  private current: ConnectionStatus;

  constructor(
    private readonly name: string,
    private readonly settings: OAuth2Settings,
    private readonly deps: OAuth2SessionDeps,
  ) {
    this.current =
      settings.grant === 'authorization_code'
        ? { state: 'needs_authorization', message: this.authorizeHint('not authorized yet') }
        : { state: 'ready', message: null };
  }

  status(): ConnectionStatus {
    return this.current;
  }

  /** The status as another thread's session of this connection found it. */
  noteStatus(status: ConnectionStatus): void {
    this.current = status;
  }

  /** Reads stored tokens (once); the status then says whether the connection is authorized. */
  async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    const stored = await this.readStored();
    if (stored) this.use(stored);
  }

  /** A fresh access token: the current one, or a new one obtained first. */
  async accessToken(): Promise<string> {
    await this.load();
    if (this.tokens && !this.expiring(this.tokens)) return this.tokens.accessToken;
    return (await this.obtain()).accessToken;
  }

  /**
   * A server refused `used` (401). Unless the token was renewed meanwhile (another job saw the
   * 401 first), obtains a new one. Throws when that fails.
   */
  async renew(used: string | null): Promise<void> {
    await this.load();
    if (this.tokens && used !== null && this.tokens.accessToken !== used) return;
    await this.obtain(true);
  }

  /** Tokens from a completed authorization (the code exchange). */
  async authorized(tokens: OAuthTokens): Promise<void> {
    this.loaded = true;
    await this.deps.storage?.save(tokens);
    this.use(tokens);
  }

  /** Tokens handed out by this process (current and earlier): redacted from job history. */
  secrets(): string[] {
    return this.seen;
  }

  private expiring(t: OAuthTokens): boolean {
    const margin = this.deps.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    return t.expiresAt !== null && t.expiresAt - Date.now() <= margin;
  }

  /** One token request at a time; every caller meanwhile gets its result. */
  private obtain(force = false): Promise<OAuthTokens> {
    this.inflight ??= this.request(force).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async request(force: boolean): Promise<OAuthTokens> {
    const { client, storage } = this.deps;
    if (this.settings.grant === 'client_credentials') {
      return this.settle(() => client.clientCredentials());
    }
    return storage?.exclusive ? storage.exclusive(() => this.refresh(force)) : this.refresh(force);
  }

  private async refresh(force: boolean): Promise<OAuthTokens> {
    const { client, storage } = this.deps;
    const stored = await this.readStored();
    if (stored && stored.accessToken !== this.tokens?.accessToken && !this.expiring(stored)) {
      this.use(stored); // refreshed by another process
      return stored;
    }
    const refreshToken = (stored ?? this.tokens)?.refreshToken ?? null;
    if (!stored && !this.tokens) throw this.needsAuthorization('not authorized yet');
    if (refreshToken === null) {
      const why = force
        ? 'the server refused the access token and gave no refresh token to get another'
        : 'the access token expired and the server gave no refresh token to get another';
      throw this.needsAuthorization(`${why}; authorize it again`);
    }
    return this.settle(async () => {
      const tokens = await client.refresh(refreshToken);
      if (!storage?.replace) {
        await storage?.save(tokens);
        return tokens;
      }
      if (await storage.replace(tokens)) return tokens;
      // Another process stored tokens since they were read here: those are the ones kept.
      return (await this.readStored()) ?? tokens;
    });
  }

  private async settle(get: () => Promise<OAuthTokens>): Promise<OAuthTokens> {
    try {
      const tokens = await get();
      this.use(tokens);
      this.deps.log.info({ connection: this.name }, 'oauth2 token obtained');
      return tokens;
    } catch (e) {
      if (e instanceof OAuthFailure && e.kind === 'refused' && this.deps.storage) {
        this.tokens = null;
        await this.deps.storage.save(null);
        throw this.needsAuthorization(`${e.message}; authorize it again`);
      }
      const message = e instanceof Error ? e.message : String(e);
      this.setStatus({ state: 'error', message });
      this.deps.log.warn({ connection: this.name, error: message }, 'oauth2 token request failed');
      throw e instanceof ConnectionError ? e : new ConnectionError('oauth_failed', message);
    }
  }

  private use(tokens: OAuthTokens): void {
    this.tokens = tokens;
    for (const t of [tokens.accessToken, tokens.refreshToken]) {
      if (t && !this.seen.includes(t)) this.seen.push(t);
    }
    if (this.seen.length > 8) this.seen.splice(0, this.seen.length - 8);
    this.setStatus({ state: 'ready', message: null });
  }

  private async readStored(): Promise<OAuthTokens | null> {
    const stored = (await this.deps.storage?.load()) ?? null;
    if (stored && stored.client !== clientFingerprint(this.settings)) {
      this.setStatus({
        state: 'needs_authorization',
        message: this.authorizeHint(
          'its client_id or server URLs changed since it was authorized; authorize it again',
        ),
      });
      return null;
    }
    return stored;
  }

  private needsAuthorization(why: string): ConnectionError {
    const message = this.authorizeHint(why);
    this.setStatus({ state: 'needs_authorization', message });
    return new ConnectionError('needs_authorization', message);
  }

  private setStatus(status: ConnectionStatus): void {
    const changed = status.state !== this.current.state || status.message !== this.current.message;
    this.current = status;
    if (changed) this.deps.onStatus?.(status);
  }

  private authorizeHint(why: string): string {
    return `needs authorization: ${why} (GET /api/connections/${this.name}/authorize, or Connect in the UI)`;
  }
}
