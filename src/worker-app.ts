/**
 * @module worker-app
 * `hookflow serve --role worker`: the worker role as the whole process, over PostgreSQL. It
 * claims and runs jobs that any ingress committed, with its own workflow catalog (the
 * workflows directory and the workflows stored over the API), its own connections and
 * outbound dispatcher; its HTTP server answers only `/healthz` and `/metrics` (SPEC §1).
 *
 * @example
 *   const worker = await createWorkerApp(loadConfig({ role: 'worker' }));
 *   await worker.listen(); // starts claiming
 *   await worker.close(); // running jobs finish within the shutdown grace, else are given back
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerHealthRoutes } from './api/index.js';
import { allowedEnv, loadConnectionsOrThrow, loadWorkflowsOrThrow, storeOptionsOf } from './app.js';
import type { AppOptions } from './app.js';
import type { Config } from './config/index.js';
import { ConfigError } from './config/index.js';
import { loadConnectorsOrThrow } from './connectors/index.js';
import type { ConnectionRegistry } from './connections/index.js';
import { createLocalReplyBus } from './engine/index.js';
import { createLogger } from './logger.js';
import type { Metrics } from './metrics/index.js';
import { WorkflowCatalog, WorkflowRegistry } from './registry/index.js';
import { followChanges, openSignals } from './roles/cluster/index.js';
import { createHttpServer, listenOn, openWorker } from './roles/index.js';
import type { WorkerRole } from './roles/index.js';
import type { Store } from './store/index.js';
import { readTracingSettings, startTracing } from './tracing/index.js';

export interface WorkerApp {
  config: Config;
  /** Serves `/healthz` and `/metrics` only. */
  server: FastifyInstance;
  /** The worker's store handle. */
  store: Store;
  registry: WorkflowRegistry;
  catalog: WorkflowCatalog;
  connections: ConnectionRegistry;
  worker: WorkerRole;
  metrics: Metrics;
  log: Logger;
  url: string;
  /** Listens, then starts claiming jobs; returns the URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export type WorkerAppOptions = Pick<
  AppOptions,
  'logger' | 'workflows' | 'connectors' | 'connections'
>;

export async function createWorkerApp(
  config: Config,
  opts: WorkerAppOptions = {},
): Promise<WorkerApp> {
  if (config.role !== 'worker' || config.databaseUrl === null) {
    throw new ConfigError('--role', 'createWorkerApp runs --role worker over PostgreSQL only');
  }
  const log = opts.logger ?? createLogger(config);
  const connectors = opts.connectors ?? (await loadConnectorsOrThrow(config.connectorsDir));
  const env = allowedEnv(config);
  // Set once the catalog loaded; no job runs before `listen`.
  let registry: WorkflowRegistry | undefined;
  // This process makes the spans of the jobs it runs: its own tracer provider.
  const tracing = await startTracing(readTracingSettings(process.env), 'worker');
  const worker = await openWorker({
    store: storeOptionsOf(config),
    log,
    env,
    connectors,
    outbound: config,
    connections: opts.connections ?? loadConnectionsOrThrow(config),
    workflow: (name) => registry?.get(name),
    // Replies of request_response jobs reach a waiting ingress across processes, not here.
    replies: createLocalReplyBus(),
    concurrency: config.concurrency,
    shutdownGraceMs: config.http.shutdownGraceMs,
    defaultOnFailure: config.onFailure,
  }).catch(async (e: unknown) => {
    await tracing.shutdown();
    throw e;
  });
  const { store, connections, metrics } = worker;
  try {
    registry = new WorkflowRegistry(store);
    const catalog = new WorkflowCatalog(registry, store, log, {
      connectors,
      connections: () => connections.names(),
    });
    await catalog.load(
      opts.workflows ?? loadWorkflowsOrThrow(config, connectors, connections.names()),
    );
    // Workflows and connections changed over an ingress's API apply here too (roles/cluster).
    const signals = await openSignals({ databaseUrl: config.databaseUrl, log });
    const following = followChanges({ signals, catalog, connections, log });
    let url = '';
    const { server, drain } = await createHttpServer(config, metrics, log, () => url);
    registerHealthRoutes(server, { metrics, apiToken: config.apiToken, store });
    const app: WorkerApp = {
      config,
      server,
      store,
      registry,
      catalog,
      connections,
      worker,
      metrics,
      log,
      url: '',
      async listen() {
        url = app.url = await listenOn(server, config);
        await worker.start();
        return url;
      },
      async close() {
        await drain.close({ graceMs: config.http.shutdownGraceMs, onGraceExpired: () => {} });
        await worker.stop();
        following.stop();
        await signals.close();
        await tracing.shutdown();
      },
    };
    return app;
  } catch (e) {
    await worker.stop();
    await tracing.shutdown();
    throw e;
  }
}
