import { parseArgs } from 'node:util';
import type { App } from '../app.js';
import type { Config } from '../config/index.js';
import { discardPrestarted, prestartWorkerThread } from '../roles/embedded/thread-spawn.js';
import type { WorkerApp } from '../worker-app.js';
import { usageError } from './usage.js';

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseOrUsage(args);
  // The worker thread loads its modules while this thread loads the server's; a role that
  // runs no worker thread, or a start-up that fails, ends it (roles/embedded/thread-spawn.ts).
  prestartWorkerThread();
  let app: App | WorkerApp;
  try {
    const { loadConfig } = await import('../config/index.js');
    const config = loadConfig(values);
    if (config.role !== 'all') await discardPrestarted();
    app = config.role === 'worker' ? await startWorker(config) : await startIngress(config);
  } finally {
    await discardPrestarted();
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      app.log.info({ signal }, 'shutting down');
      app.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

async function startIngress(config: Config): Promise<App> {
  const [{ createApp }, { describeTiming }] = await Promise.all([
    import('../app.js'),
    import('../triggers/index.js'),
  ]);
  const app = await createApp(config);
  const url = await app.listen();
  const { log } = app;
  log.info(
    { url, role: config.role, store: storeName(config), workflows: app.registry.list().length },
    `Hookflow listening on ${url}`,
  );
  log.info(`  web UI: ${url}/   API: ${url}/api/openapi.json   metrics: ${url}/metrics`);
  if (!config.apiToken)
    log.warn(
      'HOOKFLOW_API_TOKEN is not set: the management API has no token, so Hookflow binds to loopback only',
    );
  for (const wf of app.registry.list()) {
    const path = app.registry.pathOf(wf.name);
    if (path !== undefined && wf.enabled && wf.trigger.type === 'webhook')
      log.info(`  ${wf.name}: ${wf.trigger.method} ${url}/hooks/${path}`);
    else if (wf.enabled && (wf.trigger.type === 'poll' || wf.trigger.type === 'schedule'))
      log.info(`  ${wf.name}: ${wf.trigger.type} ${describeTiming(wf.trigger.timing)}`);
  }
  return app;
}

async function startWorker(config: Config): Promise<WorkerApp> {
  const { createWorkerApp } = await import('../worker-app.js');
  const app = await createWorkerApp(config);
  const url = await app.listen();
  app.log.info(
    { url, role: 'worker', store: storeName(config), workflows: app.registry.list().length },
    `Hookflow worker running; health and metrics on ${url}`,
  );
  return app;
}

/** Where the jobs are, for the start-up line (never the URL: it may hold a password). */
function storeName(config: Config): string {
  if (config.databaseUrl === null) return `sqlite ${config.dataDir}`;
  const url = new URL(config.databaseUrl);
  return `postgres ${url.host}${url.pathname} schema ${config.databaseSchema}`;
}

function parseOrUsage(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        workflows: { type: 'string' },
        connections: { type: 'string' },
        connectors: { type: 'string' },
        role: { type: 'string' },
        concurrency: { type: 'string' },
      },
      strict: true,
    });
  } catch (e) {
    throw usageError(e);
  }
}
