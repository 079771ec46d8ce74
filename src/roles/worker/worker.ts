/**
 * @module roles/worker
 * The worker role: takes runnable jobs and runs them with `Engine.runJob`. It owns what running
 * needs — its own store handle (claims, steps, replies, finishes), its own connections registry
 * and outbound dispatcher (the SSRF guard), the connector actions — so nothing it does waits
 * for, or delays, the side that answers requests.
 *
 * How jobs reach it depends on the store (job-feeds.ts): on SQLite the embedded arrangement's
 * worker thread hears the ids from the ingress (`wake`), and `start` resumes every unfinished
 * job; on PostgreSQL it claims runnable jobs itself, woken by NOTIFY, `wake` and a poll.
 *
 * @example
 *   const worker = await openWorker({ store: { sqliteFile }, ..., replies, log });
 *   await worker.start();
 *   worker.wake([jobId]);
 *   await worker.stop();
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { ConnectionThrottle } from '../../connections/index.js';
import type { Connection, ConnectionRegistry, ConnectionStatus } from '../../connections/index.js';
import { createActionRunner } from '../../connectors/index.js';
import type { ConnectorCatalog } from '../../connectors/index.js';
import { Engine } from '../../engine/index.js';
import type { ReplySink } from '../../engine/index.js';
import { createMetrics, instrumentStore, registerThrottleMetrics } from '../../metrics/index.js';
import type { Metrics } from '../../metrics/index.js';
import { createStore } from '../../store/index.js';
import { DEFAULT_LEASE_MS } from '../../store/types.js';
import type { Store, StoreOptions } from '../../store/index.js';
import type { Workflow } from '../../workflow/types.js';
import { CHANNELS, openSignals, replyNotifier } from '../cluster/index.js';
import type { Signals } from '../cluster/index.js';
import { openOutbound } from '../outbound.js';
import { localFeed, postgresFeed } from './job-feeds.js';
import { createVersionResolver } from './workflow-versions.js';
import { parseWorkflow } from '../../workflow/index.js';
import type { Outbound, OutboundSettings } from '../outbound.js';

export interface WorkerOptions {
  store: StoreOptions;
  log: Logger;
  /** Variables visible to expressions as `env`. */
  env: Record<string, string>;
  connectors: ConnectorCatalog;
  /** The SSRF guard's settings and the key of sealed secrets. */
  outbound: OutboundSettings;
  /** Connections read from files; the stored ones are read from the store. */
  connections: Connection[];
  /** The workflow a job names, as this worker knows it now. */
  workflow(name: string): Workflow | undefined;
  /** Where replies and finishes go (only jobs someone waits for need them). */
  replies: ReplySink;
  /** Jobs run at once. */
  concurrency: number;
  /** HOOKFLOW_ON_FAILURE: the error workflow of workflows without `on_failure:`. */
  defaultOnFailure?: string | null;
  /** How long a claim holds without renewal. Default DEFAULT_LEASE_MS (30 s). */
  leaseMs?: number;
  /**
   * On PostgreSQL, how long a stop waits for running jobs before it gives them back to other
   * workers. Default 10 s.
   */
  shutdownGraceMs?: number;
  /**
   * Wraps the worker's store handle before use: the embedded arrangement hands its writes to
   * the main thread's store (roles/embedded/forwarded-writes.ts).
   */
  wrapStore?(store: Store): Store;
  /** Process metrics (CPU, memory) are counted by whoever owns the process. Default true. */
  processMetrics?: boolean;
  onFinished?(job: { id: string; workflow: string; status: 'succeeded' | 'failed' }): void;
  /** A connection's OAuth2 status changed while running a job. */
  onConnectionStatus?(name: string, status: ConnectionStatus): void;
}

export interface WorkerRole {
  store: Store;
  metrics: Metrics;
  connections: ConnectionRegistry;
  /** These committed jobs are runnable. */
  wake(jobIds: readonly string[]): void;
  /** Starts taking jobs (on SQLite, first resuming what a previous run left unfinished). */
  start(): Promise<void>;
  /** Takes no more jobs, lets running ones finish (PostgreSQL: within `shutdownGraceMs`, then
   * gives them back), then closes the store and the dispatchers. */
  stop(): Promise<void>;
  /** Jobs waiting to run. */
  depth(): number;
}

const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export async function openWorker(opts: WorkerOptions): Promise<WorkerRole> {
  const { log } = opts;
  const metrics = createMetrics({
    queueDepth: () => feed.depth(),
    processDefaults: opts.processMetrics ?? true,
  });
  const own = createStore(opts.store);
  const store = instrumentStore(opts.wrapStore ? opts.wrapStore(own) : own, metrics);
  await store.init();
  // Over PostgreSQL the ingress waiting for a reply, and the API showing a connection's
  // status, may be in other processes: they hear of them by notices (roles/cluster).
  const signals: Signals | null =
    'databaseUrl' in opts.store
      ? await openSignals({ databaseUrl: opts.store.databaseUrl, log, listen: false })
      : null;
  const onStatus = (name: string, status: ConnectionStatus): void => {
    opts.onConnectionStatus?.(name, status);
    void signals?.send(CHANNELS.connections, { from: signals.id, kind: 'status', name, status });
  };
  let outbound: Outbound;
  try {
    outbound = await openOutbound({
      store,
      log,
      settings: opts.outbound,
      files: opts.connections,
      // Jobs' requests wait for their connection's rate and pauses; the store shares them
      // with every worker (PostgreSQL) or keeps them on this thread (SQLite).
      hooks: {
        onStatus,
        throttle: new ConnectionThrottle(store, registerThrottleMetrics(metrics.registry)),
      },
    });
  } catch (e) {
    await signals?.close();
    await store.close();
    throw e;
  }
  const notifier = signals ? replyNotifier(signals, opts.workflow, log) : null;
  const { connections, dispatcher } = outbound;

  const engine = new Engine({
    store,
    log,
    // Unique across processes and threads: a claim is compare-and-set on it.
    owner: `${hostname()}:${process.pid}:worker-${randomUUID().slice(0, 8)}`,
    leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS,
    env: opts.env,
    workflow: opts.workflow,
    // An older version's text is compiled with the values the loaded one's `${env:}` got.
    workflowAt: createVersionResolver(store, (text, file, current) =>
      parseWorkflow(text, file, { connectors: opts.connectors, env: current.env }),
    ),
    defaultOnFailure: opts.defaultOnFailure ?? null,
    onJobsCreated: (ids) => feed.wake(ids),
    connections,
    dispatcher,
    actions: createActionRunner({
      catalog: opts.connectors,
      http: { connections, dispatcher },
      log,
    }),
    replies: notifier
      ? {
          publish(jobId, outcome, job) {
            opts.replies.publish(jobId, outcome, job);
            notifier.publish(jobId, outcome, job);
          },
        }
      : opts.replies,
    onFinished(job) {
      metrics.jobFinished(job);
      opts.onFinished?.(job);
    },
  });

  const feed =
    'databaseUrl' in opts.store
      ? postgresFeed({
          databaseUrl: opts.store.databaseUrl,
          store,
          engine,
          concurrency: opts.concurrency,
          log,
        })
      : localFeed({ store, engine, concurrency: opts.concurrency, log });

  // A claim holds for leaseMs; renewing at a third of it survives two missed renewals.
  // Said once per outage, not every renewal.
  let renewing = true;
  const renewal = setInterval(() => {
    engine.renewLeases().then(
      () => (renewing = true),
      (err: unknown) => {
        if (renewing) log.warn({ err }, 'job leases not renewed; retrying');
        renewing = false;
      },
    );
  }, engine.leaseMs / 3);
  renewal.unref();

  return {
    store,
    metrics,
    connections,
    wake: (ids) => feed.wake(ids),
    start: () => feed.start(),
    async stop() {
      await feed.stop(opts.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
      clearInterval(renewal);
      await store.close();
      await outbound.close();
      await signals?.close();
    },
    depth: () => feed.depth(),
  };
}
