/**
 * @module connections/outbound-agent
 * The SSRF guard as an undici Dispatcher. It checks at connect time, on the address the socket
 * is about to connect to: an IP-literal host is classified before anything else (node's
 * `lookup` hook never sees those), a name is resolved by our own lookup, which refuses the
 * connection when any resolved address is blocked and otherwise hands node exactly the
 * addresses it checked. So there is no DNS-rebinding gap (no second resolution) and every
 * redirect is checked too: each hop opens its connection through the same connector.
 *
 * @example
 *   const dispatcher = createOutboundAgent({ allowPrivate: config.allowPrivateNetworks });
 *   await request('http://169.254.169.254/latest/meta-data', { dispatcher }); // rejects: AddressBlockedError
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { Agent, buildConnector } from 'undici';
import { AddressBlockedError } from '../steps/index.js';
import { classifyAddress, classifyHost, parseNetworks } from './address-guard.js';
import type { AllowedNetworks } from './address-guard.js';

export interface OutboundAgentOptions {
  /** true: no guard (HOOKFLOW_ALLOW_PRIVATE_NETWORKS=1, or a connection's allow_private). */
  allowPrivate: boolean;
  /** Networks reachable despite the guard (HOOKFLOW_ALLOW_PRIVATE_NETWORKS=10.0.0.0/8,…). */
  allowNetworks?: readonly string[];
  /** For tests: resolves names instead of the system resolver. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

export function createOutboundAgent(opts: OutboundAgentOptions): Agent {
  if (opts.allowPrivate) return new Agent();
  const resolve = opts.resolve ?? systemResolve;
  const allowed = parseNetworks(opts.allowNetworks ?? []);
  const connector = buildConnector({ lookup: guardedLookup(resolve, allowed) });
  return new Agent({
    connect: function guardedConnect(options, callback) {
      const host = classifyHost(options.hostname, allowed);
      if (host.kind === 'ip' && !host.verdict.allowed) {
        callback(
          new AddressBlockedError(options.hostname, host.address, host.verdict.reason),
          null,
        );
        return;
      }
      if (host.kind === 'blocked-name') {
        callback(new AddressBlockedError(options.hostname, host.name, host.reason), null);
        return;
      }
      connector(options, callback);
    },
  });
}

/** A `net.connect` lookup that refuses names resolving to a blocked address. */
function guardedLookup(
  resolve: (hostname: string) => Promise<LookupAddress[]>,
  allowed: AllowedNetworks,
) {
  return function lookup(
    hostname: string,
    options: LookupOneOptions | LookupAllOptions,
    callback: LookupCallback,
  ): void {
    resolve(hostname).then(
      (addresses) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = family === 0 ? addresses : addresses.filter((a) => a.family === family);
        for (const a of usable) {
          const verdict = classifyAddress(a.address, allowed);
          if (!verdict.allowed) {
            callback(new AddressBlockedError(hostname, a.address, verdict.reason), '');
            return;
          }
        }
        if (usable.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          callback(err, '');
          return;
        }
        if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

function systemResolve(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) reject(err);
      else resolve(addresses);
    });
  });
}
