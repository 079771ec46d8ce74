/**
 * @module engine/thread/remote-connections
 * Connections as the engine thread sees them: it asks the main thread, which holds the one
 * ConnectionResolver of the process, to apply a connection to each outbound request. So a
 * connection's state (an OAuth2 token, a refresh in progress) lives in one place, shared by
 * jobs, the API's Test button and trigger lifecycles: a refresh is never done twice at once.
 * A call costs one hop between threads, next to a network round trip.
 */
import type { Dispatcher } from 'undici';
import type { ConnectionResolver, OutboundRequest, SecretFields } from '../../steps/types.js';
import type { Channel } from './channel.js';

/** What the main thread answers to `connections.apply`. */
export interface AppliedConnection {
  request: OutboundRequest;
  /** The connection's secret values, for redaction. */
  secrets: string[];
  /** The headers and query parameters it sets secretly, redacted where they are put. */
  secretFields: SecretFields;
  /** The connection may reach private networks (`allow_private`): it has its own dispatcher. */
  ownDispatcher: boolean;
}

export class RemoteConnections implements ConnectionResolver {
  // `secrets` and `dispatcher` are synchronous, and asked after `apply` for the same name.
  private readonly known = new Map<string, Omit<AppliedConnection, 'request'>>();

  /**
   * @param privateDispatcher the thread's dispatcher without the SSRF guard, for connections
   *   with `allow_private` (undefined when every request may reach private networks anyway)
   */
  constructor(
    private readonly channel: () => Channel,
    private readonly privateDispatcher: () => Dispatcher | undefined,
  ) {}

  async apply(name: string, req: OutboundRequest): Promise<OutboundRequest> {
    const applied = await this.channel().call<AppliedConnection>('connections.apply', [
      name,
      toJson(req),
    ]);
    const { request, ...known } = applied;
    this.known.set(name, known);
    return fromJson(request);
  }

  secrets(name: string): string[] {
    return this.known.get(name)?.secrets ?? [];
  }

  secretFields(name: string): SecretFields {
    return this.known.get(name)?.secretFields ?? { headers: [], query: [] };
  }

  onUnauthorized(name: string, sent: OutboundRequest): Promise<boolean> {
    return this.channel().call<boolean>('connections.unauthorized', [name, toJson(sent)]);
  }

  dispatcher(name: string): Dispatcher | undefined {
    return this.known.get(name)?.ownDispatcher ? this.privateDispatcher() : undefined;
  }
}

/** The main thread's side of the calls above. */
export function connectionHandlers(
  resolver: () => ConnectionResolver | undefined,
): Record<string, (...args: never[]) => unknown> {
  const connections = (name: string): ConnectionResolver => {
    const found = resolver();
    if (!found) {
      throw new Error(`connection '${name}' is not defined (no connections are configured)`);
    }
    return found;
  };
  return {
    'connections.apply': async (name: string, req: OutboundRequest): Promise<AppliedConnection> => {
      const c = connections(name);
      const request = await c.apply(name, fromJson(req));
      return {
        request: toJson(request),
        secrets: c.secrets(name),
        secretFields: c.secretFields?.(name) ?? { headers: [], query: [] },
        ownDispatcher: c.dispatcher?.(name) !== undefined,
      };
    },
    'connections.unauthorized': async (name: string, sent: OutboundRequest): Promise<boolean> => {
      const c = connections(name);
      return c.onUnauthorized ? c.onUnauthorized(name, fromJson(sent)) : false;
    },
  };
}

// The channel carries JSON: a Buffer body crosses as base64.
function toJson(req: OutboundRequest): OutboundRequest {
  if (!Buffer.isBuffer(req.body)) return req;
  return { ...req, body: { base64: req.body.toString('base64') } as unknown as string };
}

function fromJson(req: OutboundRequest): OutboundRequest {
  const body = req.body as unknown;
  if (typeof body === 'object' && body !== null && 'base64' in body) {
    return { ...req, body: Buffer.from((body as { base64: string }).base64, 'base64') };
  }
  return req;
}
