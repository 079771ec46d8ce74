/**
 * @module app
 * Wires the pieces together; the one place that knows them all. `--role` picks what this
 * process runs (docs/jobs.md, "Roles"):
 *
 * - `all` (the default): the embedded arrangement — the ingress role on the main thread,
 *   committing events on its own store handle, and the worker role on a worker thread with
 *   another handle, told of runnable jobs by one-way messages;
 * - `ingress`: the ingress role alone, over PostgreSQL; workers elsewhere claim its jobs
 *   (woken by the store's NOTIFY at commit);
 * - `worker`: the worker role as the whole process, over PostgreSQL (worker-app.ts).
 *
 * @example
 *   const app = await createApp(loadConfig({ port: '0' }));
 *   await app.listen();
 *   console.log(app.url); // http://127.0.0.1:PORT
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Config } from './config/index.js';
import { ConfigError } from './config/index.js';
import { createLogger } from './logger.js';
import { loadConnectorsOrThrow } from './connectors/index.js';
import type { ConnectorCatalog } from './connectors/index.js';
import { createLocalReplyBus } from './engine/index.js';
import type { ReplyBus } from './engine/index.js';
import { ConnectionFileError, loadConnections } from './connections/index.js';
import type { Connection, ConnectionRegistry } from './connections/index.js';
import { createMetrics, instrumentStore } from './metrics/index.js';
import type { Metrics } from './metrics/index.js';
import { createIntake } from './queue/index.js';
import type { Intake } from './queue/index.js';
import type { WorkflowCatalog, WorkflowRegistry } from './registry/index.js';
import { followChanges, openSignals, relayReplies } from './roles/cluster/index.js';
import type { Following, Signals } from './roles/cluster/index.js';
import { openIngress, serveWrites, startWorkerThread } from './roles/index.js';
import type { WorkerThread } from './roles/index.js';
import { createStore } from './store/index.js';
import type { Store, StoreOptions } from './store/index.js';
import type { TriggerLifecycle } from './triggers/lifecycle/index.js';
import type { TriggerRuntime } from './triggers/index.js';
import { WorkflowError, loadWorkflows } from './workflow/index.js';
import type { Workflow } from './workflow/types.js';
import { readTracingSettings, startTracing, traceIntake } from './tracing/index.js';

export interface App {
  config: Config;
  server: FastifyInstance;
  /** The ingress's own store handle (the worker has another). */
  store: Store;
  /** Where events, reruns, polls and schedule ticks commit their jobs. */
  intake: Intake;
  replies: ReplyBus;
  registry: WorkflowRegistry;
  /** The thread that runs jobs; null for `--role ingress` (workers run elsewhere). */
  worker: WorkerThread | null;
  /** The connectors workflows may use: built-ins and the connectors directory's. */
  connectors: ConnectorCatalog;
  /** The connections: files, the API's, their OAuth2 sessions. */
  connections: ConnectionRegistry;
  /** What outbound requests of the main thread go through: connections and the SSRF guard. */
  outbound: { connections: ConnectionRegistry; dispatcher: Dispatcher };
  /** init/destroy of connector triggers. */
  lifecycle: TriggerLifecycle;
  /** Poll and schedule triggers. */
  triggers: TriggerRuntime;
  /** Pruning of finished jobs past their retention; `runOnce()` runs a pass now. */
  retention: { runOnce(): Promise<number> };
  /** Where workflows come from (files, the API); changes over the API go through it. */
  catalog: WorkflowCatalog;
  metrics: Metrics;
  log: Logger;
  /** Set once listening: `http://host:port`. */
  url: string;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  /** Workflows to run instead of (not in addition to) the workflows directory. */
  workflows?: Workflow[];
  /** Connectors to use instead of the built-ins plus the connectors directory. */
  connectors?: ConnectorCatalog;
  /** Connections to use instead of (not in addition to) the connections directory. */
  connections?: Connection[];
  /** false: never call connector triggers' init/destroy (`hookflow test`). Default true. */
  lifecycle?: boolean;
  /** false: poll and schedule triggers do not fire (`hookflow test` starts the job itself). */
  timers?: boolean;
  /** The built web UI served at `/`; `dist/ui` of this package when left out. */
  uiDir?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  if (!config.apiToken && !LOOPBACK.has(config.host) && !config.host.startsWith('127.')) {
    throw new ConfigError(
      'HOOKFLOW_HOST',
      `binding to ${config.host} exposes the management API; set HOOKFLOW_API_TOKEN or bind to 127.0.0.1`,
    );
  }
  const log = opts.logger ?? createLogger(config);
  // The connectors directory is bundled by esbuild (a process of its own) while the store opens.
  const loadingConnectors = opts.connectors
    ? Promise.resolve(opts.connectors)
    : loadConnectorsOrThrow(config.connectorsDir);
  // Awaited below; a failure before then must not count as unhandled.
  loadingConnectors.catch(() => {});
  const connectionFiles = opts.connections ?? loadConnectionsOrThrow(config);
  const env = allowedEnv(config);
  if (config.role === 'worker') {
    throw new ConfigError('--role', "'worker' has no ingress: start it with createWorkerApp");
  }
  const storeOptions = storeOptionsOf(config);
  const withWorker = config.role === 'all';
  // Before anything makes spans; the worker thread sets up its own (same environment).
  const tracing = await startTracing(readTracingSettings(process.env), 'ingress');

  // Set once the thread started: the metrics, the bus and the Intake are made before it.
  let worker: WorkerThread | undefined;
  const metrics = createMetrics({
    queueDepth: () => worker?.depth() ?? 0,
    workflows: () => ingress?.registry.list() ?? [],
    // Jobs, steps and the worker's store are counted on the worker thread.
    more: () => worker?.metrics() ?? Promise.resolve([]),
  });
  // The ingress's store handle: it commits events itself, never behind a running job. On
  // SQLite it is the file's one writer: the worker thread's writes come here too, committed
  // with the events of the same turn, and claims take the jobs committed here from memory
  // (roles/embedded/forwarded-writes.ts).
  const own = createStore(storeOptions);
  const store = instrumentStore(own, metrics);
  const sqlite = 'sqliteFile' in storeOptions;
  try {
    await store.init();
  } catch (e) {
    await tracing.shutdown();
    throw e;
  }
  let connectors: ConnectorCatalog;
  try {
    connectors = await loadingConnectors;
  } catch (e) {
    await store.close();
    await tracing.shutdown();
    throw e;
  }
  const replies = createLocalReplyBus({
    onWait: (jobId) => worker?.watch(jobId),
    onDone: (jobId) => worker?.unwatch(jobId),
  });
  const intake = traceIntake(
    createIntake(
      store,
      (ids) => worker?.wake(ids),
      (name) => ingress?.registry.get(name),
    ),
    store,
  );

  let ingress: Awaited<ReturnType<typeof openIngress>> | undefined;
  // Over PostgreSQL, other processes run beside this one (roles/cluster).
  let signals: Signals | null = null;
  let following: Following | null = null;
  // The worker thread opens its store and loads its connectors while this thread opens the
  // ingress; it gets the workflows once the ingress has read them (it runs nothing before
  // `listen`).
  const starting = withWorker
    ? startWorkerThread({
        data: {
          store: storeOptions,
          logLevel: log.level,
          env,
          connectorsDir: connectors.dir,
          outbound: {
            allowPrivateNetworks: config.allowPrivateNetworks,
            allowedNetworks: config.allowedNetworks,
            secretKey: config.secretKey,
          },
          connections: connectionFiles,
          workflows: [],
          concurrency: config.concurrency,
          shutdownGraceMs: config.http.shutdownGraceMs,
          defaultOnFailure: config.onFailure,
        },
        // Not the instrumented handle: the thread counts its own store operations.
        ...(sqlite ? { storePort: () => serveWrites(own) } : {}),
        replies,
        log,
        onConnectionStatus: (name, status) => ingress?.connections.noteStatus(name, status),
      })
    : null;
  // Awaited below; a failure meanwhile must not count as unhandled.
  starting?.catch(() => {});
  try {
    ingress = await openIngress({
      config,
      log,
      store,
      intake,
      replies,
      metrics,
      connectors,
      connections: connectionFiles,
      workflows: (names) => opts.workflows ?? loadWorkflowsOrThrow(config, connectors, names),
      env,
      onWorkflowsChange(changes) {
        worker?.syncWorkflows(
          changes.flatMap((c) => (c.after ? [c.after] : [])),
          changes.flatMap((c) => (c.after ? [] : [c.name])),
        );
      },
      onConnectionsChange() {
        worker?.connectionsChanged();
        following?.connectionsChanged();
      },
      ...(opts.lifecycle !== undefined ? { lifecycle: opts.lifecycle } : {}),
      ...(opts.timers !== undefined ? { timers: opts.timers } : {}),
      ...(opts.uiDir !== undefined ? { uiDir: opts.uiDir } : {}),
    });
    if (starting) {
      worker = await starting;
      worker.syncWorkflows(ingress.registry.list(), []);
    }
    if ('databaseUrl' in storeOptions) {
      const running = ingress;
      signals = await openSignals({ databaseUrl: storeOptions.databaseUrl, log });
      relayReplies(signals, replies, store, log);
      following = followChanges({
        signals,
        catalog: running.catalog,
        connections: running.connections,
        onWorkflowsRead: () => running.lifecycle.wake(),
        onConnectionsChanged: () => worker?.connectionsChanged(),
        log,
      });
    }
  } catch (e) {
    await signals?.close();
    await (worker ?? (await starting?.catch(() => null)))?.close();
    await ingress?.close();
    await store.close();
    await tracing.shutdown();
    throw e;
  }
  const running = ingress;
  const thread = worker ?? null;

  const app: App = {
    config,
    server: running.server,
    store,
    intake,
    replies,
    registry: running.registry,
    catalog: running.catalog,
    worker: thread,
    connectors,
    connections: running.connections,
    outbound: running.outbound,
    lifecycle: running.lifecycle,
    triggers: running.triggers,
    retention: { runOnce: async () => (await running.retention?.runOnce()) ?? 0 },
    metrics,
    log,
    url: '',
    async listen() {
      thread?.start();
      app.url = await running.listen();
      return app.url;
    },
    async close() {
      following?.stop();
      await running.close();
      await thread?.close();
      await signals?.close();
      await store.close();
      await tracing.shutdown();
    },
  };
  return app;
}

/**
 * HOOKFLOW_DATABASE_URL selects PostgreSQL (tables in HOOKFLOW_DATABASE_SCHEMA); else the
 * SQLite file in the data directory.
 */
export function storeOptionsOf(config: Config): StoreOptions {
  if (config.databaseUrl !== null) {
    return { databaseUrl: config.databaseUrl, schema: config.databaseSchema };
  }
  return { sqliteFile: join(config.dataDir, 'hookflow.db') };
}

/** The variables of HOOKFLOW_ENV_ALLOW that are set: what expressions see as `env`. */
export function allowedEnv(config: Config): Record<string, string> {
  return Object.fromEntries(
    config.envAllow.flatMap((k) =>
      process.env[k] === undefined ? [] : [[k, process.env[k] as string]],
    ),
  );
}

export function loadWorkflowsOrThrow(
  config: Config,
  connectors: ConnectorCatalog,
  connections: ReadonlySet<string>,
): Workflow[] {
  if (!config.workflowsDir) return [];
  const { workflows, problems } = loadWorkflows(config.workflowsDir, { connectors, connections });
  if (problems.length > 0) throw new WorkflowError(problems);
  return workflows;
}

export function loadConnectionsOrThrow(config: Config): Connection[] {
  if (!config.connectionsDir) return [];
  const { connections, problems } = loadConnections(config.connectionsDir);
  if (problems.length > 0) throw new ConnectionFileError(problems);
  return connections;
}
