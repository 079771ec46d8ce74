/**
 * @module connections/registry
 * The connections this server knows: from the connections directory (read-only here) and
 * pushed through the API (kept in the store, sealed when they hold literal secrets). It is the
 * engine's {@link ConnectionResolver}: it applies a connection's base URL and credentials to a
 * request, reports its secrets for redaction, renews OAuth2 tokens on a 401, and gives
 * `allow_private` connections a dispatcher without the SSRF guard.
 *
 * @example
 *   const connections = await ConnectionRegistry.open(deps, loadedFromFiles);
 *   const engine = new Engine({ ..., connections });
 *   connections.status('crm'); // → { state: 'needs_authorization', message: '…' }
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { ConnectionResolver, OutboundRequest, SecretFields } from '../steps/index.js';
import type { Store, StoredConnection } from '../store/types.js';
import type { Env } from '../workflow/index.js';
import { applyAuth } from './apply-auth.js';
import { ConnectionError } from './errors.js';
import { parseConnection } from './load-connections.js';
import { OAuth2Client } from './oauth2-client.js';
import type { OAuthTokens } from './oauth2-client.js';
import { OAuth2Session } from './oauth2-session.js';
import { createOutboundAgent } from './outbound-agent.js';
import type { Vault } from './secret-box.js';
import type { Connection, ConnectionStatus } from './types.js';
import type { TokenStorage } from './oauth2-session.js';
import type { ConnectionThrottle } from './throttle.js';

export interface ConnectionRegistryDeps {
  store: Store;
  vault: Vault;
  log: Logger;
  /** The server's outbound dispatcher (guarded unless private networks are allowed). */
  dispatcher: Dispatcher;
  /** HOOKFLOW_ALLOW_PRIVATE_NETWORKS: the guard is off for every connection. */
  allowPrivateNetworks: boolean;
  /** Values for `${env:}` in documents pushed through the API. */
  env?: Env;
  /** How long before expiry an OAuth2 token is refreshed; default 60 s. */
  refreshMarginMs?: number;
  /** Told after a connection was stored or deleted here, for the workers to read it again. */
  onChange?(): void;
  /** Told when a connection's OAuth2 status changes here (a refresh refused, say). */
  onStatus?(name: string, status: ConnectionStatus): void;
  /**
   * The throttle jobs' requests wait for (rates and pauses). Left out (the ingress role's
   * connection tests, polls and lifecycles): requests are sent at once and pause nothing.
   */
  throttle?: ConnectionThrottle;
}

export interface Entry {
  connection: Connection;
  client: OAuth2Client | null;
  session: OAuth2Session | null;
}

/** How an API-created connection is named in problems (it has no file). */
export function apiLabel(name: string): string {
  return `api:connections/${name}`;
}

export class ConnectionRegistry implements ConnectionResolver {
  private readonly entries = new Map<string, Entry>();
  private privateAgent: Dispatcher | null = null;

  private constructor(readonly deps: ConnectionRegistryDeps) {}

  /**
   * Files first, then the connections stored by the API (a stored one named like a file is
   * ignored, with a warning). A stored connection that no longer loads (an environment
   * variable it names is gone) stops start-up with its problems.
   */
  static async open(
    deps: ConnectionRegistryDeps,
    files: Connection[],
  ): Promise<ConnectionRegistry> {
    const registry = new ConnectionRegistry(deps);
    for (const c of files) registry.entries.set(c.name, registry.entry(c));
    for (const stored of await deps.store.listConnections()) {
      if (registry.entries.has(stored.name)) {
        deps.log.warn(
          { connection: stored.name },
          'a connection file and a connection stored through the API have the same name; the file is used',
        );
        continue;
      }
      const c = registry.readStored(stored);
      registry.entries.set(c.name, registry.entry(c));
    }
    await Promise.all([...registry.entries.values()].map((e) => e.session?.load()));
    return registry;
  }

  /**
   * Reads the connections stored through the API again: another thread or process created,
   * changed or deleted some. Unchanged ones keep their OAuth2 session; one that no longer
   * loads is left out, with an error in the log.
   */
  async reloadStored(): Promise<void> {
    const stored = await this.deps.store.listConnections();
    const names = new Set(stored.map((s) => s.name));
    for (const [name, e] of this.entries) {
      if (!e.connection.file && !names.has(name)) this.entries.delete(name);
    }
    for (const s of stored) {
      const existing = this.entries.get(s.name);
      if (existing?.connection.file) continue;
      let c: Connection;
      try {
        c = this.readStored(s);
      } catch (err) {
        this.deps.log.error({ err, connection: s.name }, 'a stored connection no longer loads');
        this.entries.delete(s.name);
        continue;
      }
      if (existing?.connection.hash === c.hash) continue;
      const entry = this.entry(c);
      await entry.session?.load();
      this.entries.set(c.name, entry);
    }
  }

  names(): Set<string> {
    return new Set(this.entries.keys());
  }

  list(): Connection[] {
    return [...this.entries.values()]
      .map((e) => e.connection)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): Connection | undefined {
    return this.entries.get(name)?.connection;
  }

  status(name: string): ConnectionStatus {
    return this.lookup(name).session?.status() ?? { state: 'ready', message: null };
  }

  /** A status change another thread saw of this connection: the API shows it from now on. */
  noteStatus(name: string, status: ConnectionStatus): void {
    this.entries.get(name)?.session?.noteStatus(status);
  }

  /** The entry of a connection; throws `connection_not_found`. */
  lookup(name: string): Entry {
    const entry = this.entries.get(name);
    if (!entry) {
      const known = [...this.entries.keys()].sort().join(', ') || 'none';
      throw new ConnectionError(
        'connection_not_found',
        `no connection named '${name}' (known: ${known})`,
      );
    }
    return entry;
  }

  /**
   * Creates or replaces an API connection from its document text. Literal secrets are stored
   * sealed (and need HOOKFLOW_SECRET_KEY); with a key, the whole document is sealed.
   */
  async put(name: string, text: string): Promise<{ connection: Connection; created: boolean }> {
    const existing = this.entries.get(name)?.connection;
    if (existing?.file) {
      throw new ConnectionError(
        'connection_defined_by_file',
        `connection '${name}' is defined by ${existing.file}; change that file instead`,
      );
    }
    const c = parseConnection(text, apiLabel(name), {
      name,
      fromFile: false,
      env: this.deps.env ?? process.env,
    });
    const { vault, store } = this.deps;
    let document = text;
    if (vault.available || c.literalSecrets.length > 0) {
      const why = `connection '${name}' holds secret values written as they are (${c.literalSecrets.join(', ')}); write them as \${env:NAME}, or`;
      document = await vault.seal(text, `connection:${name}`, why);
    }
    await store.putConnection({
      name,
      document,
      sealed: document !== text,
      updatedAt: new Date().toISOString(),
    });
    const entry = this.entry(c);
    await entry.session?.load();
    this.entries.set(name, entry);
    this.deps.onChange?.();
    return { connection: c, created: existing === undefined };
  }

  /** Deletes an API connection; refused while `usedBy` (workflow names) is not empty. */
  async remove(name: string, usedBy: string[]): Promise<void> {
    const c = this.lookup(name).connection;
    if (c.file) {
      throw new ConnectionError(
        'connection_defined_by_file',
        `connection '${name}' is defined by ${c.file}; delete that file instead`,
      );
    }
    if (usedBy.length > 0) {
      throw new ConnectionError(
        'connection_in_use',
        `connection '${name}' is used by workflow${usedBy.length === 1 ? '' : 's'} ${usedBy.join(', ')}; change or delete them first`,
      );
    }
    await this.deps.store.deleteConnection(name);
    this.entries.delete(name);
    this.deps.onChange?.();
  }

  // ConnectionResolver: what the http step calls.

  async apply(name: string, req: OutboundRequest): Promise<OutboundRequest> {
    const entry = this.lookup(name);
    const token = entry.session ? await entry.session.accessToken() : null;
    return applyAuth(entry.connection, req, token);
  }

  secrets(name: string): string[] {
    const entry = this.entries.get(name);
    if (!entry) return [];
    const tokens = entry.session?.secrets() ?? [];
    return tokens.length === 0
      ? entry.connection.secrets
      : [...entry.connection.secrets, ...tokens];
  }

  secretFields(name: string): SecretFields {
    return this.entries.get(name)?.connection.secretFields ?? { headers: [], query: [] };
  }

  async onUnauthorized(name: string, sent: OutboundRequest): Promise<boolean> {
    const session = this.lookup(name).session;
    if (!session) return false;
    await session.renew(bearerToken(sent.headers));
    return true;
  }

  async awaitTurn(name: string, signal?: AbortSignal): Promise<number> {
    const { throttle } = this.deps;
    if (!throttle) return 0;
    return throttle.awaitTurn(name, this.lookup(name).connection.rate, signal);
  }

  async pause(name: string, ms: number, status: number): Promise<boolean> {
    const { throttle } = this.deps;
    if (!throttle) return false;
    await throttle.pause(name, ms, status);
    return true;
  }

  dispatcher(name: string): Dispatcher | undefined {
    const entry = this.entries.get(name);
    return entry ? this.dispatcherOf(entry.connection) : undefined;
  }

  async close(): Promise<void> {
    await this.privateAgent?.close();
    this.privateAgent = null;
  }

  private readStored(stored: StoredConnection): Connection {
    const text = stored.sealed
      ? this.deps.vault.open(stored.document, `connection:${stored.name}`)
      : stored.document;
    return parseConnection(text, apiLabel(stored.name), {
      name: stored.name,
      fromFile: false,
      env: this.deps.env ?? process.env,
    });
  }

  /** The dispatcher requests with `c` use: its own when it may reach private networks. */
  private dispatcherOf(c: Connection): Dispatcher | undefined {
    if (!c.allowPrivate || this.deps.allowPrivateNetworks) return undefined;
    this.privateAgent ??= createOutboundAgent({ allowPrivate: true });
    return this.privateAgent;
  }

  private entry(c: Connection): Entry {
    if (!c.oauth2) return { connection: c, client: null, session: null };
    const client = new OAuth2Client(c.name, c.oauth2, {
      dispatcher: this.dispatcherOf(c) ?? this.deps.dispatcher,
      allowHttp: this.deps.allowPrivateNetworks || c.allowPrivate,
    });
    const storage = c.oauth2.grant === 'authorization_code' ? this.tokenStorage(c.name) : null;
    const session = new OAuth2Session(c.name, c.oauth2, {
      client,
      storage,
      log: this.deps.log,
      ...(this.deps.onStatus && {
        onStatus: (status: ConnectionStatus) => this.deps.onStatus?.(c.name, status),
      }),
      ...(this.deps.refreshMarginMs !== undefined && {
        refreshMarginMs: this.deps.refreshMarginMs,
      }),
    });
    return { connection: c, client, session };
  }

  private tokenStorage(name: string): TokenStorage {
    const { store, vault } = this.deps;
    const context = `tokens:${name}`;
    // The sealed value last read or written here: what a compare-and-set expects to find.
    let last: string | null = null;
    const seal = (tokens: OAuthTokens): Promise<string> =>
      vault.seal(JSON.stringify(tokens), context, `storing the OAuth2 tokens of '${name}'`);
    return {
      async load(): Promise<OAuthTokens | null> {
        const sealed = await store.getConnectionTokens(name);
        last = sealed;
        return sealed === null ? null : (JSON.parse(vault.open(sealed, context)) as OAuthTokens);
      },
      async save(tokens: OAuthTokens | null): Promise<void> {
        const sealed = tokens === null ? null : await seal(tokens);
        await store.setConnectionTokens(name, sealed);
        last = sealed;
      },
      async replace(tokens: OAuthTokens): Promise<boolean> {
        const sealed = await seal(tokens);
        const written = await store.setConnectionTokens(name, sealed, last);
        if (written) last = sealed;
        return written;
      },
      async exclusive<T>(fn: () => Promise<T>): Promise<T> {
        // One process refreshes at a time; the others then find the new tokens stored.
        const result = await store.withLock(`oauth2:${name}`, { wait: true }, fn);
        if (!result.held) throw new Error('unreachable: a waiting lock is always held');
        return result.value;
      },
    };
  }
}

function bearerToken(headers: Record<string, string>): string | null {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === 'authorization' && /^bearer /i.test(value))
      return value.slice(7).trim();
  }
  return null;
}
