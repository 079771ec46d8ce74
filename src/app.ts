/**
 * @module app
 * Wires the pieces together; the one place that knows them all.
 *
 * @example
 *   const app = await createApp(loadConfig({ port: '0' }));
 *   await app.listen();
 *   console.log(app.url); // http://127.0.0.1:PORT
 */
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Config } from './config/index.js';
import { ConfigError } from './config/index.js';
import { createLogger } from './logger.js';
import { loadConnectorsOrThrow } from './connectors/index.js';
import type { ConnectorCatalog } from './connectors/index.js';
import { createLocalReplyBus, startEngineThread } from './engine/index.js';
import type { EngineThread, ReplyBus } from './engine/index.js';
import {
  defaultUiDir,
  guardBrowserRequests,
  registerApi,
  registerOpenApi,
  registerUiFiles,
} from './api/index.js';
import {
  ConnectionFileError,
  ConnectionRegistry,
  createOutboundAgent,
  loadConnections,
  openVault,
} from './connections/index.js';
import type { Connection } from './connections/index.js';
import { registerDrain } from './ingress/drain.js';
import { registerWebhooks } from './ingress/webhooks.js';
import { CaptureHub } from './ingress/capture.js';
import { errorBody, toHttpError } from './ingress/http-errors.js';
import { answerClientError, answerUnmetExpectation } from './ingress/client-errors.js';
import type { Queue } from './queue/index.js';
import { createMetrics } from './metrics/index.js';
import type { Metrics } from './metrics/index.js';
import { WorkflowCatalog, WorkflowRegistry } from './registry/index.js';
import type { Store } from './store/index.js';
import { TriggerLifecycle } from './triggers/lifecycle/index.js';
import { createTriggerRuntime } from './triggers/index.js';
import type { TriggerRuntime } from './triggers/index.js';
import { WorkflowError, loadWorkflows } from './workflow/index.js';
import type { Workflow } from './workflow/types.js';

export interface App {
  config: Config;
  server: FastifyInstance;
  store: Store;
  queue: Queue;
  replies: ReplyBus;
  registry: WorkflowRegistry;
  engine: EngineThread;
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

  const connectors = opts.connectors ?? (await loadConnectorsOrThrow(config.connectorsDir));
  const connectionFiles = opts.connections ?? loadConnectionsOrThrow(config);

  const env = Object.fromEntries(
    config.envAllow.flatMap((k) =>
      process.env[k] === undefined ? [] : [[k, process.env[k] as string]],
    ),
  );
  // The store, the queue and the jobs live on the engine thread; see engine/thread.
  // eslint-disable-next-line prefer-const -- the bus needs the thread, the thread the bus
  let engine: EngineThread;
  const replies = createLocalReplyBus({ onWait: (jobId) => engine.watch(jobId) });
  let connections: ConnectionRegistry | undefined;
  engine = await startEngineThread({
    sqliteFile: join(config.dataDir, 'hookflow.db'),
    logLevel: log.level,
    env,
    connectorsDir: connectors.dir,
    outbound: {
      allowPrivateNetworks: config.allowPrivateNetworks,
      allowedNetworks: config.allowedNetworks,
    },
    connections: () => connections,
    replies,
    log,
  });
  const metrics = createMetrics({
    queueDepth: () => engine.queue.depth(),
    workflows: () => registry.list(),
    // Jobs, steps and the store's own latency are counted where they happen.
    more: () => engine.metrics(),
  });
  const { store, queue } = engine;

  // The SSRF guard: every outbound request (steps, OAuth2, connection tests) goes through it.
  const dispatcher = createOutboundAgent({
    allowPrivate: config.allowPrivateNetworks,
    allowNetworks: config.allowedNetworks,
  });
  let workflows: Workflow[];
  try {
    const vault = await openVault(store, config.secretKey);
    connections = await ConnectionRegistry.open(
      { store, vault, log, dispatcher, allowPrivateNetworks: config.allowPrivateNetworks },
      connectionFiles,
    );
    workflows = opts.workflows ?? loadWorkflowsOrThrow(config, connectors, connections.names());
  } catch (e) {
    await engine.close();
    await dispatcher.close();
    throw e;
  }
  const registry = new WorkflowRegistry(store);
  // The workflows directory, plus the workflows pushed over the API and the toggles made there.
  const catalog = new WorkflowCatalog(registry, store, log, {
    connectors,
    connections: () => connections?.names() ?? new Set(),
  });
  // One outbound path for http steps, connector actions, lifecycle calls and polls.
  const outbound = { connections, dispatcher };
  const lifecycle = new TriggerLifecycle({
    store,
    registry,
    catalog: connectors,
    http: outbound,
    log,
    attempts: config.lifecycleAttempts,
    backoffMs: config.lifecycleBackoffMs,
  });
  registry.onChange(async (changes) => {
    engine.syncWorkflows(
      changes.flatMap((c) => (c.after ? [c.after] : [])),
      changes.flatMap((c) => (c.after ? [] : [c.name])),
    );
    lifecycle.wake();
  });
  await catalog.load(workflows);
  const triggers = createTriggerRuntime({ store, queue, registry, log, env, ...outbound });

  function sendError(err: unknown, _request: FastifyRequest, reply: FastifyReply) {
    const { status, body } = toHttpError(err);
    if (status >= 500) log.error({ err }, 'request failed');
    return reply.code(status).send(body);
  }
  const limits = config.http;
  const server = Fastify({
    logger: false,
    bodyLimit: config.maxBodyBytes,
    // Socket limits (SPEC §9). requestTimeout covers receiving the request only, never the
    // wait for a request_response reply; no inactivity timeout, which would cut that wait.
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // How often Node checks the two timeouts above (its default, 30 s, would add up to 30 s).
      connectionsCheckingInterval: Math.min(1000, Math.ceil(limits.headersTimeoutMs / 4)),
    },
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Shutdown is the drain's (ingress/drain): its 503 has the error shape and a Retry-After.
    return503OnClosing: false,
    forceCloseConnections: false,
    // Refusals made before a route runs, in the one error shape.
    clientErrorHandler: answerClientError,
    frameworkErrors: sendError,
  });
  server.server.maxConnections = limits.maxConnections;
  const drain = registerDrain(server);
  await registerOpenApi(server);
  server.addHook('onRoute', metrics.onRoute);
  server.addHook(
    'onRequest',
    guardBrowserRequests({
      boundUrl: () => app.url,
      publicUrl: config.publicUrl,
      apiToken: config.apiToken,
    }),
  );
  server.setErrorHandler(sendError);
  server.server.on('checkExpectation', answerUnmetExpectation);
  server.setNotFoundHandler(function notFound(request, reply) {
    metrics.countUnmatched(404);
    return reply
      .code(404)
      .send(errorBody('not_found', `no route ${request.method} ${request.url}`));
  });
  const captures = new CaptureHub();
  registerWebhooks(server, {
    captures,
    registry,
    store,
    accept: (event) => engine.accept(event),
    replies,
    log,
    maxBodyBytes: config.maxBodyBytes,
    maxDepth: config.maxDepth,
    connectors: {
      definition(trigger) {
        const found = connectors.resolveTrigger(trigger.key);
        return 'problem' in found ? undefined : found.definition;
      },
      stateOf: (workflow) => lifecycle.stateOf(workflow),
      outbound,
    },
  });
  registerApi(server, {
    captures,
    registry,
    store,
    queue,
    apiToken: config.apiToken,
    lifecycle,
    triggers,
    connections,
    // Never the request's Host: a rebinding page would put its own name in stored URLs.
    baseUrl: () => config.publicUrl ?? app.url,
    catalog,
    metrics,
  });
  registerUiFiles(server, opts.uiDir ?? defaultUiDir());

  let purgeTimer: NodeJS.Timeout | null = null;
  const app: App = {
    config,
    server,
    store,
    queue,
    replies,
    registry,
    catalog,
    engine,
    connectors,
    connections,
    outbound,
    lifecycle,
    triggers,
    metrics,
    log,
    url: '',
    async listen() {
      await server.listen({ host: config.host, port: config.port });
      const addr = server.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      app.url = `http://${host}:${port}`;
      engine.start(config.concurrency);
      if (opts.lifecycle !== false) await lifecycle.start(config.publicUrl ?? app.url);
      if (opts.timers !== false) await triggers.start();
      purgeTimer = setInterval(() => void store.purgeDedupe(Date.now()).catch(() => {}), 3_600_000);
      purgeTimer.unref();
      return app.url;
    },
    async close() {
      if (purgeTimer) clearInterval(purgeTimer);
      // In-flight requests get their answer; request_response callers still waiting when the
      // grace period ends get 504 (their job is stored and goes on after the restart).
      await drain.close({
        graceMs: limits.shutdownGraceMs,
        onGraceExpired: () => replies.interruptAll(),
      });
      await lifecycle.stop();
      await triggers.stop();
      await engine.close();
      await connections.close();
      await dispatcher.close();
    },
  };
  return app;
}

function loadWorkflowsOrThrow(
  config: Config,
  connectors: ConnectorCatalog,
  connections: ReadonlySet<string>,
): Workflow[] {
  if (!config.workflowsDir) return [];
  const { workflows, problems } = loadWorkflows(config.workflowsDir, { connectors, connections });
  if (problems.length > 0) throw new WorkflowError(problems);
  return workflows;
}

function loadConnectionsOrThrow(config: Config): Connection[] {
  if (!config.connectionsDir) return [];
  const { connections, problems } = loadConnections(config.connectionsDir);
  if (problems.length > 0) throw new ConnectionFileError(problems);
  return connections;
}
