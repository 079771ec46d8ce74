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
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Logger } from 'pino';
import type { Config } from './config/index.js';
import { ConfigError } from './config/index.js';
import { Engine, createLocalReplyBus } from './engine/index.js';
import type { ReplyBus } from './engine/index.js';
import { registerApi } from './api/index.js';
import {
  ConnectionFileError,
  ConnectionRegistry,
  createOutboundAgent,
  loadConnections,
  openVault,
} from './connections/index.js';
import type { Connection } from './connections/index.js';
import { registerWebhooks } from './ingress/webhooks.js';
import { errorBody, toHttpError } from './ingress/http-errors.js';
import { createLocalQueue } from './queue/index.js';
import type { Queue } from './queue/index.js';
import { WorkflowRegistry } from './registry/index.js';
import { createStore } from './store/index.js';
import type { Store } from './store/index.js';
import { WorkflowError, loadWorkflows } from './workflow/index.js';
import type { Workflow } from './workflow/types.js';

export interface App {
  config: Config;
  server: FastifyInstance;
  store: Store;
  queue: Queue;
  replies: ReplyBus;
  registry: WorkflowRegistry;
  engine: Engine;
  connections: ConnectionRegistry;
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
  /** Connections to use instead of (not in addition to) the connections directory. */
  connections?: Connection[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  if (!config.apiToken && !LOOPBACK.has(config.host) && !config.host.startsWith('127.')) {
    throw new ConfigError(
      'HOOKFLOW_HOST',
      `binding to ${config.host} exposes the management API; set HOOKFLOW_API_TOKEN or bind to 127.0.0.1`,
    );
  }
  const log = opts.logger ?? pino({ level: config.logLevel });

  const connectionFiles = opts.connections ?? loadConnectionsOrThrow(config);

  const store = createStore({ sqliteFile: join(config.dataDir, 'hookflow.db') });
  await store.init();
  // The SSRF guard: every outbound request (steps, OAuth2, connection tests) goes through it.
  const dispatcher = createOutboundAgent({
    allowPrivate: config.allowPrivateNetworks,
    allowNetworks: config.allowedNetworks,
  });
  let connections: ConnectionRegistry;
  let workflows: Workflow[];
  try {
    const vault = await openVault(store, config.secretKey);
    connections = await ConnectionRegistry.open(
      { store, vault, log, dispatcher, allowPrivateNetworks: config.allowPrivateNetworks },
      connectionFiles,
    );
    workflows = opts.workflows ?? loadWorkflowsOrThrow(config, connections.names());
  } catch (e) {
    await store.close();
    await dispatcher.close();
    throw e;
  }

  const registry = new WorkflowRegistry(store);
  await registry.replaceAll(workflows);

  const replies = createLocalReplyBus();
  const queue = createLocalQueue((jobId, err) => log.error({ err, job: jobId }, 'job crashed'));
  const env = Object.fromEntries(
    config.envAllow.flatMap((k) =>
      process.env[k] === undefined ? [] : [[k, process.env[k] as string]],
    ),
  );
  const engine = new Engine({
    store,
    replies,
    log,
    env,
    workflow: (name) => registry.get(name),
    connections,
    dispatcher,
  });

  const server = Fastify({
    logger: false,
    bodyLimit: config.maxBodyBytes,
    return503OnClosing: true,
    forceCloseConnections: true,
  });
  server.setErrorHandler(function sendError(err, _request, reply) {
    const { status, body } = toHttpError(err);
    if (status >= 500) log.error({ err }, 'request failed');
    return reply.code(status).send(body);
  });
  server.setNotFoundHandler(function notFound(request, reply) {
    return reply
      .code(404)
      .send(errorBody('not_found', `no route ${request.method} ${request.url}`));
  });
  registerWebhooks(server, {
    registry,
    store,
    queue,
    replies,
    log,
    maxBodyBytes: config.maxBodyBytes,
  });
  registerApi(server, {
    registry,
    store,
    queue,
    apiToken: config.apiToken,
    connections,
    publicUrl: config.publicUrl,
  });

  let purgeTimer: NodeJS.Timeout | null = null;
  const app: App = {
    config,
    server,
    store,
    queue,
    replies,
    registry,
    engine,
    connections,
    log,
    url: '',
    async listen() {
      await server.listen({ host: config.host, port: config.port });
      const addr = server.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      app.url = `http://${host}:${port}`;
      // Resume what a previous process left queued or running, then take new work.
      const unfinished = await store.unfinishedJobs();
      for (const id of unfinished) await queue.enqueue(id);
      if (unfinished.length > 0) log.info({ jobs: unfinished.length }, 'resuming unfinished jobs');
      queue.start((id) => engine.runJob(id), config.concurrency);
      purgeTimer = setInterval(() => void store.purgeDedupe(Date.now()).catch(() => {}), 3_600_000);
      purgeTimer.unref();
      return app.url;
    },
    async close() {
      if (purgeTimer) clearInterval(purgeTimer);
      await server.close();
      await queue.stop();
      await store.close();
      await connections.close();
      await dispatcher.close();
    },
  };
  return app;
}

function loadWorkflowsOrThrow(config: Config, connections: ReadonlySet<string>): Workflow[] {
  if (!config.workflowsDir) return [];
  const { workflows, problems } = loadWorkflows(config.workflowsDir, { connections });
  if (problems.length > 0) throw new WorkflowError(problems);
  return workflows;
}

function loadConnectionsOrThrow(config: Config): Connection[] {
  if (!config.connectionsDir) return [];
  const { connections, problems } = loadConnections(config.connectionsDir);
  if (problems.length > 0) throw new ConnectionFileError(problems);
  return connections;
}
