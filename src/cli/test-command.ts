/**
 * `hookflow test FILE --payload JSON_FILE`: runs one workflow once, in-process, on a throwaway
 * data directory. The payload goes through the real webhook route over loopback HTTP, so
 * decoding, filter, dedupe and the delivery mode behave as in production; outbound requests
 * are real (the SSRF guard, the connections and their key apply as in `serve`). Prints the
 * answer and each step's input and output; exit 1 when the job failed. A poll or schedule
 * workflow runs once with the trigger data one run would give (test-timed.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { request } from 'undici';
import { createApp } from '../app.js';
import type { App } from '../app.js';
import { loadConfig } from '../config/index.js';
import { ConnectionFileError, loadConnections } from '../connections/index.js';
import { loadConnectorsOrThrow } from '../connectors/index.js';
import { HookflowError, errorMessage } from '../errors.js';
import { loadWorkflows, WorkflowError } from '../workflow/index.js';
import type { ConnectorTrigger, WebhookTrigger } from '../workflow/index.js';
import { out, printJob, waitForJob } from './job-output.js';
import { testTimedWorkflow } from './test-timed.js';
import { usageError } from './usage.js';

/** The settings of the environment `hookflow test` honours (the rest are the test's own). */
const TEST_ENV = [
  'HOOKFLOW_ALLOW_PRIVATE_NETWORKS',
  'HOOKFLOW_CONNECTIONS',
  'HOOKFLOW_CONNECTORS',
  'HOOKFLOW_SECRET_KEY',
  'HOOKFLOW_ENV_ALLOW',
];

export async function testCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        payload: { type: 'string' },
        header: { type: 'string', multiple: true },
        method: { type: 'string' },
        path: { type: 'string' },
        connectors: { type: 'string' },
        connections: { type: 'string' },
      },
    });
  } catch (e) {
    throw usageError(e);
  }
  const file = parsed.positionals[0];
  if (!file) throw usageError('test needs a workflow FILE');
  const settings = loadConfig(
    {
      port: '0',
      host: '127.0.0.1',
      ...(parsed.values.connectors ? { connectors: parsed.values.connectors } : {}),
      ...(parsed.values.connections ? { connections: parsed.values.connections } : {}),
    },
    pickEnv(TEST_ENV),
  );
  const connectors = await loadConnectorsOrThrow(settings.connectorsDir);
  const connections = settings.connectionsDir ? loadConnections(settings.connectionsDir) : null;
  if (connections && connections.problems.length > 0) {
    throw new ConnectionFileError(connections.problems);
  }
  const names = new Set(connections?.connections.map((c) => c.name) ?? []);
  const { workflows, problems } = loadWorkflows(file, { connectors, connections: names });
  if (problems.length > 0) throw new WorkflowError(problems);
  const workflow = workflows[0];
  if (!workflow) throw new HookflowError('invalid_workflow', `${file}: no workflow found`);

  const headers: Record<string, string> = {};
  for (const h of parsed.values.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw usageError(`--header '${h}' is not 'Name: value'`);
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  let body: string | undefined;
  if (parsed.values.payload) {
    try {
      body = readFileSync(parsed.values.payload, 'utf8');
    } catch (e) {
      throw new HookflowError('usage', `hookflow: cannot read --payload: ${errorMessage(e)}`);
    }
    if (!headers['content-type']) headers['content-type'] = 'application/json';
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'hookflow-test-'));
  let app: App;
  try {
    // No lifecycle: a test run must not subscribe anything at the third party. No timers:
    // a poll or schedule runs once, started here.
    app = await createApp(
      { ...settings, dataDir },
      {
        workflows: [workflow],
        connectors,
        connections: connections?.connections ?? [],
        lifecycle: false,
        timers: false,
        logger: pino({ level: 'silent' }),
      },
    );
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  try {
    const base = await app.listen();
    const trigger = workflow.trigger;
    if (trigger.type === 'poll' || trigger.type === 'schedule') {
      return await testTimedWorkflow(app, workflow, body);
    }
    return await sendOnce(app, base, trigger, {
      method: parsed.values.method,
      path: parsed.values.path,
      headers,
      body,
    });
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function sendOnce(
  app: App,
  base: string,
  trigger: WebhookTrigger | ConnectorTrigger,
  given: { method?: string; path?: string; headers: Record<string, string>; body?: string },
): Promise<number> {
  const workflow = [...app.registry.list()][0]!;
  const routePath = given.path ?? app.registry.pathOf(workflow.name) ?? '';
  const path = routePath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => name);
  const method = (given.method ?? trigger.method).toUpperCase();
  const res = await request(`${base}/hooks/${path}`, {
    method: method as 'POST',
    headers: given.headers,
    ...(given.body !== undefined && method !== 'GET' && method !== 'HEAD'
      ? { body: given.body }
      : {}),
  });
  const answer = await res.body.text();
  out(`→ ${method} /hooks/${path}  (${trigger.delivery})`);
  out(`← ${res.statusCode} ${answer}`);
  const job = await waitForJob(app.store, workflow.name);
  if (!job) {
    out('no job was started (filtered out, or refused)');
    return res.statusCode < 400 ? 0 : 1;
  }
  return printJob(job);
}

function pickEnv(names: string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((n) => [n, process.env[n]]));
}
