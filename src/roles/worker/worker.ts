/**
 * @module roles/worker
 * The worker role: takes runnable jobs and runs them with `Engine.runJob`. It owns what running
 * needs — its own store handle (claims, steps, replies, finishes), its own connections registry
 * and outbound dispatcher (the SSRF guard), the connector actions — so nothing it does waits
 * for, or delays, the side that answers requests.
 *
 * How job ids reach it is the caller's: the embedded arrangement's worker thread hears them
 * from the ingress (`wake`); a lost wake-up costs nothing, since `start` resumes every
 * unfinished job from the store.
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
import type { Connection, ConnectionRegistry, ConnectionStatus } from '../../connections/index.js';
import { createActionRunner } from '../../connectors/index.js';
import type { ConnectorCatalog } from '../../connectors/index.js';
import { Engine } from '../../engine/index.js';
import type { ReplySink } from '../../engine/index.js';
import { createMetrics, instrumentStore } from '../../metrics/index.js';
import type { Metrics } from '../../metrics/index.js';
import { createLocalQueue } from '../../queue/index.js';
import { createStore } from '../../store/index.js';
import { DEFAULT_LEASE_MS } from '../../store/types.js';
import type { Store, StoreOptions } from '../../store/index.js';
import type { Workflow } from '../../workflow/types.js';
import { CHANNELS, openSignals, replyNotifier } from '../cluster/index.js';
import type { Signals } from '../cluster/index.js';
import { openOutbound } from '../outbound.js';
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
  /** How long a claim holds without renewal. Default DEFAULT_LEASE_MS (30 s). */
  leaseMs?: number;
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
  /** Resumes what a previous run left unfinished, then runs jobs as they are woken. */
  start(): Promise<void>;
  /** Waits for the running jobs, then closes the store and the dispatchers. */
  stop(): Promise<void>;
  /** Jobs waiting to run. */
  depth(): number;
}

export async function openWorker(opts: WorkerOptions): Promise<WorkerRole> {
  const { log } = opts;
  const metrics = createMetrics({
    queueDepth: () => queue.depth(),
    processDefaults: opts.processMetrics ?? true,
  });
  const store = instrumentStore(createStore(opts.store), metrics);
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
      hooks: { onStatus },
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

  // A job is in the queue once: a wake-up and the resume at start may name the same job.
  const held = new Set<string>();
  const queue = createLocalQueue((jobId, err) => log.error({ err, job: jobId }, 'job crashed'));
  const enqueue = (id: string): void => {
    if (held.has(id)) return;
    held.add(id);
    void queue.enqueue(id);
  };

  // A claim holds for leaseMs; renewing at a third of it survives two missed renewals.
  const renewal = setInterval(() => {
    engine.renewLeases().catch((err: unknown) => log.warn({ err }, 'job leases not renewed'));
  }, engine.leaseMs / 3);
  renewal.unref();

  return {
    store,
    metrics,
    connections,
    wake(ids) {
      for (const id of ids) enqueue(id);
    },
    async start() {
      const unfinished = await store.unfinishedJobs();
      for (const id of unfinished) enqueue(id);
      if (unfinished.length > 0) log.info({ jobs: unfinished.length }, 'resuming unfinished jobs');
      queue.start(async (id) => {
        try {
          await engine.runJob(id);
        } finally {
          held.delete(id);
        }
      }, opts.concurrency);
    },
    async stop() {
      await queue.stop();
      clearInterval(renewal);
      await store.close();
      await outbound.close();
      await signals?.close();
    },
    depth: () => queue.depth(),
  };
}
