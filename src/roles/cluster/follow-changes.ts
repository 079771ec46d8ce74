/**
 * @module roles/cluster/follow-changes
 * Workflows and connections changed over one process's API take effect in all: the process
 * that stored a change sends a notice, the others read the store again. A safety poll (and
 * the listening connection coming back) reads it again too, so a lost notice delays a change
 * by one poll at most; reading finds nothing new most of the time and then changes nothing.
 *
 * @example
 *   const follow = followChanges({ signals, catalog, connections, lifecycle, log });
 *   follow.connectionsChanged(); // after a connection was stored over this process's API
 */
import type { Logger } from 'pino';
import type { ConnectionRegistry } from '../../connections/index.js';
import type { WorkflowCatalog } from '../../registry/index.js';
import { CHANNELS } from './messages.js';
import type { Signals } from './signals.js';

/** How often the stored workflows are read again without a notice. */
export const SAFETY_POLL_MS = 5_000;

export interface FollowOptions {
  signals: Signals;
  catalog: WorkflowCatalog;
  connections: ConnectionRegistry;
  /** Told after the catalog was read again (connector trigger lifecycles re-read theirs). */
  onWorkflowsRead?(): void;
  /** Told after another process changed the stored connections (a worker thread re-reads). */
  onConnectionsChanged?(): void;
  log: Logger;
  safetyPollMs?: number;
}

export interface Following {
  /** Tell the others: connections were stored or deleted here. */
  connectionsChanged(): void;
  stop(): void;
}

export function followChanges(opts: FollowOptions): Following {
  const { signals, catalog, connections, log } = opts;
  const readWorkflows = (): void => {
    catalog
      .reload()
      .then(() => opts.onWorkflowsRead?.())
      .catch((err: unknown) => log.warn({ err }, 'could not read the stored workflows again'));
  };
  const readConnections = (): void => {
    connections
      .reloadStored()
      .then(() => opts.onConnectionsChanged?.())
      .catch((err: unknown) => log.warn({ err }, 'could not read the stored connections again'));
  };

  catalog.onStored(() => void signals.send(CHANNELS.workflows, { from: signals.id }));
  signals.on(CHANNELS.workflows, (notice) => {
    if (notice.from !== signals.id) readWorkflows();
  });
  signals.on(CHANNELS.connections, (notice) => {
    if (notice.from === signals.id) return;
    if (notice.kind === 'changed') readConnections();
    else if (notice.kind === 'status') connections.noteStatus(notice.name, notice.status);
  });
  signals.onReconnect(() => {
    readWorkflows();
    readConnections();
  });
  const poll = setInterval(readWorkflows, opts.safetyPollMs ?? SAFETY_POLL_MS);
  poll.unref();

  return {
    connectionsChanged() {
      void signals.send(CHANNELS.connections, { from: signals.id, kind: 'changed' });
    },
    stop() {
      clearInterval(poll);
    },
  };
}
