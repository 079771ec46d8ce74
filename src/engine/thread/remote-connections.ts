/**
 * @module engine/thread/remote-connections
 * Connections as the engine thread sees them: it asks the main thread, which holds the one
 * ConnectionResolver of the process, to apply a connection to each outbound request. So a
 * connection's state (an OAuth2 token, a refresh in progress) lives in one place, shared by
 * jobs, the API's Test button and trigger lifecycles: a refresh is never done twice at once.
 * A call costs one hop between threads, next to a network round trip.
 */
import type { ConnectionResolver, OutboundRequest } from '../../steps/types.js';
import type { Channel } from './channel.js';

/** What the main thread answers to `connections.apply`. */
export interface AppliedConnection {
  request: OutboundRequest;
  /** The connection's secret values, for redaction. */
  secrets: string[];
}

export class RemoteConnections implements ConnectionResolver {
  // `secrets` is synchronous and always asked after `apply` for the same name.
  private readonly known = new Map<string, string[]>();

  constructor(private readonly channel: () => Channel) {}

  async apply(name: string, req: OutboundRequest): Promise<OutboundRequest> {
    const applied = await this.channel().call<AppliedConnection>('connections.apply', [
      name,
      toJson(req),
    ]);
    this.known.set(name, applied.secrets);
    return fromJson(applied.request);
  }

  secrets(name: string): string[] {
    return this.known.get(name) ?? [];
  }
}

/** The main thread's side of `connections.apply`. */
export function connectionHandlers(
  resolver: () => ConnectionResolver | undefined,
): Record<string, (...args: never[]) => unknown> {
  return {
    'connections.apply': async (name: string, req: OutboundRequest): Promise<AppliedConnection> => {
      const connections = resolver();
      if (!connections) {
        throw new Error(`connection '${name}' is not defined (no connections are configured)`);
      }
      const request = await connections.apply(name, fromJson(req));
      return { request: toJson(request), secrets: connections.secrets(name) };
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
