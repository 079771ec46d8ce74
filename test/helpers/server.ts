/**
 * Starts a real Hookflow server on 127.0.0.1 with a port of 0 and a fresh SQLite data dir —
 * or, with `backend: 'postgres'`, a fresh PostgreSQL schema (backends.ts) — from workflow YAML
 * given inline. Tests talk to it over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createApp } from '../../src/app.js';
import { dropSchema, postgresEnv, randomSchema } from './backends.js';
import type { BackendName } from './backends.js';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { parseConnection } from '../../src/connections/index.js';
import { loadConnectorsOrThrow } from '../../src/connectors/index.js';
import type { JobDetail as StoredJob, TriggerData } from '../../src/store/types.js';

/** A job as tests read it: most are webhook jobs, whose trigger fields they check. */
export type JobDetail = Omit<StoredJob, 'trigger'> & {
  trigger: TriggerData & Record<string, unknown>;
};
import { parseWorkflow } from '../../src/workflow/index.js';

export interface TestServer {
  url: string;
  app: App;
  dataDir: string;
  /** The PostgreSQL schema of a `backend: 'postgres'` server; null on SQLite. */
  schema: string | null;
  /** Stops the server; keeps the data dir when `keepData` (for restart tests). */
  close(opts?: { keepData?: boolean }): Promise<void>;
  /** Waits until the job reaches a final status. */
  finishedJob(id: string, timeoutMs?: number): Promise<JobDetail>;
  /** All jobs of a workflow (newest first). */
  jobsOf(workflow: string): Promise<JobDetail[]>;
}

export interface StartOptions {
  dataDir?: string;
  /** Where jobs are stored. Default sqlite. */
  backend?: BackendName;
  /**
   * postgres: join this schema (another server's) instead of a new one. Dropped at close only
   * when `dataDir` is given too — a restart, taking the earlier server's data over (it removes
   * that data dir as well); a server that only shares a schema another runs on leaves it.
   */
  schema?: string;
  /** Settings (HOOKFLOW_*) and the values of `${env:}` in connection documents. */
  env?: Record<string, string>;
  /** Connection documents, as if read from the connections directory. */
  connections?: string[];
  /** Values for `${env:NAME}` in the workflows (default: process.env). */
  workflowEnv?: Record<string, string>;
  /** A directory of user connectors (the built-ins are always there). */
  connectorsDir?: string;
  /** The built web UI to serve (default: the package's dist/ui). */
  uiDir?: string;
  /** Called before listening: e.g. to add routes standing in for another part of the API. */
  beforeListen?(app: App): void;
}

export async function startServer(
  workflowYaml: string[],
  opts: StartOptions = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'hookflow-it-'));
  const env = opts.env ?? {};
  const connections = opts.connections?.map((text, i) =>
    parseConnection(text, `inline-connection-${i}.yaml`, { env }),
  );
  const names = connections && new Set(connections.map((c) => c.name));
  const connectors = await loadConnectorsOrThrow(opts.connectorsDir ?? null);
  const load = {
    connectors,
    ...(names ? { connections: names } : {}),
    ...(opts.workflowEnv ? { env: opts.workflowEnv } : {}),
  };
  const workflows = workflowYaml.map((text, i) => parseWorkflow(text, `inline-${i}.yaml`, load));
  const schema = opts.backend === 'postgres' ? (opts.schema ?? randomSchema()) : null;
  const ownsSchema = opts.schema === undefined || opts.dataDir !== undefined;
  const config = loadConfig(
    { port: '0', host: '127.0.0.1', data: dataDir },
    schema === null ? env : { ...postgresEnv(schema), ...env },
  );
  const app = await createApp(config, {
    workflows,
    connectors,
    logger: pino({ level: 'silent' }),
    ...(connections && { connections }),
    ...(opts.uiDir ? { uiDir: opts.uiDir } : {}),
  });
  opts.beforeListen?.(app);
  const url = await app.listen();
  return {
    url,
    app,
    dataDir,
    schema,
    async close(closeOpts = {}) {
      await app.close();
      if (closeOpts.keepData) return;
      rmSync(dataDir, { recursive: true, force: true });
      if (schema !== null && ownsSchema) await dropSchema(schema);
    },
    async finishedJob(id, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = (await app.store.getJob(id)) as JobDetail | null;
        if (job && (job.status === 'succeeded' || job.status === 'failed')) return job;
        if (Date.now() > deadline)
          throw new Error(`job ${id} not finished after ${timeoutMs} ms: ${job?.status}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async jobsOf(workflow) {
      const page = await app.store.listJobs({ workflow, limit: 500 });
      const out: JobDetail[] = [];
      for (const j of page.jobs) out.push((await app.store.getJob(j.id)) as JobDetail);
      return out;
    },
  };
}

/** A loopback HTTP server standing in for a third party. */
export async function startUpstream(
  handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves once `check` holds, polling every 20 ms; throws after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
