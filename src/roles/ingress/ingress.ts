/**
 * @module roles/ingress
 * The ingress role: the HTTP face (webhooks, the management API, the web UI), the workflow
 * catalog, the connections the API manages, connector trigger lifecycles and the poll and
 * schedule triggers. It commits what comes in through the Intake on its own store handle and
 * answers; running the jobs is a worker's (roles/worker).
 *
 * @example
 *   const ingress = await openIngress({ config, store, intake, replies, metrics, ... });
 *   const url = await ingress.listen();
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { defaultUiDir, registerApi, registerUiFiles } from '../../api/index.js';
import type { Config } from '../../config/index.js';
import type { Connection, ConnectionRegistry } from '../../connections/index.js';
import type { ConnectorCatalog } from '../../connectors/index.js';
import type { ReplyBus } from '../../engine/index.js';
import { registerWebhooks } from '../../ingress/webhooks.js';
import { CaptureHub } from '../../ingress/capture.js';
import type { Metrics } from '../../metrics/index.js';
import type { Intake } from '../../queue/index.js';
import { WorkflowCatalog, WorkflowRegistry } from '../../registry/index.js';
import type { WorkflowChange } from '../../registry/index.js';
import type { Store } from '../../store/index.js';
import { createTriggerRuntime } from '../../triggers/index.js';
import type { TriggerRuntime } from '../../triggers/index.js';
import { TriggerLifecycle } from '../../triggers/lifecycle/index.js';
import type { Workflow } from '../../workflow/types.js';
import { openOutbound } from '../outbound.js';
import { withVersions } from '../../queue/index.js';
import { UI_URL_META_KEY } from '../../engine/index.js';
import { workflowVersion } from '../../workflow/index.js';
import { recordVersions } from './record-versions.js';
import { registerFlowControlMetrics, registerStorageMetrics } from '../../metrics/index.js';
import { declareSearch } from './declare-search.js';
import { startRetention } from '../../retention/index.js';
import type { RetentionRunner } from '../../retention/index.js';
import { startReplays } from '../../replay/index.js';
import type { ReplayRunner } from '../../replay/index.js';
import { createHttpServer, listenOn } from './http-server.js';

export interface IngressOptions {
  config: Config;
  log: Logger;
  /** Opened by the caller; closed by the caller after `close()`. */
  store: Store;
  intake: Intake;
  replies: ReplyBus;
  metrics: Metrics;
  connectors: ConnectorCatalog;
  /** Connections read from files. */
  connections: Connection[];
  /** The workflows of files (or given instead of them). */
  workflows(connections: ReadonlySet<string>): Workflow[];
  /** Variables visible to expressions as `env` (polls' requests). */
  env: Record<string, string>;
  /** Told of every workflow change, after the registry applied it. */
  onWorkflowsChange?(changes: WorkflowChange[]): void;
  /** Told after a connection was stored or deleted over the API. */
  onConnectionsChange?(): void;
  /** false: never call connector triggers' init/destroy (`hookflow test`). Default true. */
  lifecycle?: boolean;
  /** false: poll and schedule triggers do not fire. Default true. */
  timers?: boolean;
  /** Between retention passes (tests). Default 60 s. */
  retentionIntervalMs?: number;
  uiDir?: string;
}

export interface Ingress {
  server: FastifyInstance;
  registry: WorkflowRegistry;
  catalog: WorkflowCatalog;
  connections: ConnectionRegistry;
  /** What outbound requests of the ingress (polls, lifecycles, tests) go through. */
  outbound: { connections: ConnectionRegistry; dispatcher: Dispatcher };
  lifecycle: TriggerLifecycle;
  triggers: TriggerRuntime;
  /** Prunes finished jobs past their retention; null until `listen`. */
  readonly retention: RetentionRunner | null;
  /** Listens, then starts trigger lifecycles and timers; returns the URL. */
  listen(): Promise<string>;
  /** Drains HTTP (SPEC §9), stops the triggers, closes its connections and dispatcher. */
  close(): Promise<void>;
}

export async function openIngress(opts: IngressOptions): Promise<Ingress> {
  const { config, log, store, metrics } = opts;
  // Polls, OAuth2, connection tests and lifecycles go through the SSRF guard.
  const outbound = await openOutbound({
    store,
    log,
    settings: config,
    files: opts.connections,
    ...(opts.onConnectionsChange ? { hooks: { onChange: opts.onConnectionsChange } } : {}),
  });
  const { connections, dispatcher } = outbound;
  let workflows: Workflow[];
  try {
    workflows = opts.workflows(connections.names());
  } catch (e) {
    await outbound.close();
    throw e;
  }
  const registry = new WorkflowRegistry(store);
  // The workflows directory, plus the workflows pushed over the API and the toggles made there.
  const catalog = new WorkflowCatalog(registry, store, log, {
    connectors: opts.connectors,
    connections: () => connections.names(),
  });
  const lifecycle = new TriggerLifecycle({
    store,
    registry,
    catalog: opts.connectors,
    http: { connections, dispatcher },
    log,
    attempts: config.lifecycleAttempts,
    backoffMs: config.lifecycleBackoffMs,
    // Another process may have changed the workflows this pass is about (roles/cluster).
    refresh: () => catalog.reload(),
  });
  registry.onChange(async (changes) => {
    await recordVersions(store, changes, log);
    await declareSearch(store, changes, log);
    opts.onWorkflowsChange?.(changes);
    lifecycle.wake();
  });
  // Every job records the version of its workflow loaded here when it was created.
  const intake = withVersions(opts.intake, (name) => {
    const wf = registry.get(name);
    return wf && workflowVersion(wf);
  });
  await catalog.load(workflows);
  const triggers = createTriggerRuntime({
    store,
    intake,
    registry,
    log,
    env: opts.env,
    connections,
    dispatcher,
    failureAlerts: { after: config.triggerFailures, defaultOnFailure: config.onFailure },
  });

  let url = '';
  const { server, drain } = await createHttpServer(config, metrics, log, () => url);
  const captures = new CaptureHub();
  registerWebhooks(server, {
    captures,
    registry,
    store,
    accept: (event) => intake.acceptEvent(event),
    onRateLimited: (workflow) => metrics.rateLimited(workflow),
    replies: opts.replies,
    log,
    maxBodyBytes: config.maxBodyBytes,
    maxDepth: config.maxDepth,
    connectors: {
      definition(trigger) {
        const found = opts.connectors.resolveTrigger(trigger.key);
        return 'problem' in found ? undefined : found.definition;
      },
      stateOf: (workflow) => lifecycle.stateOf(workflow),
      outbound: { connections, dispatcher },
    },
  });
  registerApi(server, {
    captures,
    registry,
    store,
    intake,
    apiToken: config.apiToken,
    traceUrl: config.traceUrl,
    lifecycle,
    triggers,
    connections,
    // Never the request's Host: a rebinding page would put its own name in stored URLs.
    baseUrl: () => config.publicUrl ?? url,
    catalog,
    metrics,
    replays: { defaultRate: config.replayRate, created: () => replays?.kick() },
  });
  registerUiFiles(server, opts.uiDir ?? defaultUiDir());

  let purgeTimer: NodeJS.Timeout | null = null;
  const storage = registerStorageMetrics(metrics.registry, store);
  registerFlowControlMetrics(metrics.registry, store);
  let retention: RetentionRunner | null = null;
  let replays: ReplayRunner | null = null;
  return {
    server,
    registry,
    catalog,
    connections,
    outbound: { connections, dispatcher },
    lifecycle,
    triggers,
    get retention() {
      return retention;
    },
    async listen() {
      url = await listenOn(server, config);
      // Where the links of error workflows' summaries point (workers may be other processes).
      await store.setMeta(UI_URL_META_KEY, config.publicUrl ?? url);
      if (opts.lifecycle !== false) await lifecycle.start(config.publicUrl ?? url);
      if (opts.timers !== false) await triggers.start();
      purgeTimer = setInterval(() => void store.purgeDedupe(Date.now()).catch(() => {}), 3_600_000);
      purgeTimer.unref();
      retention = startRetention({
        store,
        defaults: config.retention,
        retentionOf: (name) => registry.get(name)?.retention,
        log,
        onPruned: (n) => storage.jobsPruned(n),
        ...(opts.retentionIntervalMs !== undefined ? { intervalMs: opts.retentionIntervalMs } : {}),
      });
      // Replays left running by a process that stopped or died resume here (once per cluster).
      replays = startReplays({
        store,
        intake,
        loaded: (name) => registry.get(name) !== undefined,
        log,
      });
      return url;
    },
    async close() {
      if (purgeTimer) clearInterval(purgeTimer);
      retention?.stop();
      await replays?.stop();
      // In-flight requests get their answer; request_response callers still waiting when the
      // grace period ends get 504 (their job is stored and goes on after the restart).
      await drain.close({
        graceMs: config.http.shutdownGraceMs,
        onGraceExpired: () => opts.replies.interruptAll(),
      });
      // Every connection is closed now: a request still waiting for its reply lost its caller
      // (who hung up); its job is stored and goes on, nobody is left to answer.
      opts.replies.interruptAll();
      await lifecycle.stop();
      await triggers.stop();
      await outbound.close();
    },
  };
}
