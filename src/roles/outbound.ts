/**
 * @module roles/outbound
 * What a role's outbound requests go through: the SSRF guard (a dispatcher refusing private
 * addresses unless allowed) and the connections registry — each role opens its own, on its
 * own store handle, so that no request waits for another thread or process.
 *
 * @example
 *   const outbound = await openOutbound({ store, log, settings, files });
 *   await outbound.close();
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { ConnectionRegistry, createOutboundAgent, openVault } from '../connections/index.js';
import type { Connection, ConnectionRegistryDeps } from '../connections/index.js';
import type { Store } from '../store/index.js';

export interface OutboundSettings {
  /** HOOKFLOW_ALLOW_PRIVATE_NETWORKS=1. */
  allowPrivateNetworks: boolean;
  /** HOOKFLOW_ALLOW_PRIVATE_NETWORKS as a list of addresses and ranges. */
  allowedNetworks: string[];
  /** HOOKFLOW_SECRET_KEY: opens sealed connections and tokens. */
  secretKey: string | null;
}

export interface Outbound {
  connections: ConnectionRegistry;
  dispatcher: Dispatcher;
  close(): Promise<void>;
}

export async function openOutbound(opts: {
  store: Store;
  log: Logger;
  settings: OutboundSettings;
  /** Connections read from files; the stored ones are read from the store. */
  files: Connection[];
  hooks?: Pick<ConnectionRegistryDeps, 'onChange' | 'onStatus' | 'throttle'>;
}): Promise<Outbound> {
  const { settings } = opts;
  const dispatcher = createOutboundAgent({
    allowPrivate: settings.allowPrivateNetworks,
    allowNetworks: settings.allowedNetworks,
  });
  try {
    const vault = await openVault(opts.store, settings.secretKey);
    const connections = await ConnectionRegistry.open(
      {
        store: opts.store,
        vault,
        log: opts.log,
        dispatcher,
        allowPrivateNetworks: settings.allowPrivateNetworks,
        ...opts.hooks,
      },
      opts.files,
    );
    return {
      connections,
      dispatcher,
      async close() {
        await connections.close();
        await dispatcher.close();
      },
    };
  } catch (e) {
    await dispatcher.close();
    throw e;
  }
}
