import { parseArgs } from 'node:util';
import { createApp } from '../app.js';
import type { App } from '../app.js';
import { loadConfig } from '../config/index.js';
import type { Config } from '../config/index.js';
import { createWorkerApp } from '../worker-app.js';
import type { WorkerApp } from '../worker-app.js';
import { describeTiming } from '../triggers/index.js';
import { usageError } from './usage.js';

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseOrUsage(args);
  const config = loadConfig(values);
  const app = config.role === 'worker' ? await startWorker(config) : await startIngress(config);
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
