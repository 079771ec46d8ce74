/**
 * `hookflow test FILE --payload JSON_FILE`: runs one workflow once, in-process, on a throwaway
 * data directory. The payload goes through the real webhook route over loopback HTTP, so
 * decoding, filter, dedupe and the delivery mode behave as in production; outbound requests
 * are real. Prints the answer and each step's input and output; exit 1 when the job failed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { request } from 'undici';
import { createApp } from '../app.js';
import { loadConfig } from '../config/index.js';
import { HookflowError, errorMessage } from '../errors.js';
import type { JobDetail, Store } from '../store/types.js';
import { ConnectionFileError, loadConnections } from '../connections/index.js';
import { loadWorkflows, WorkflowError } from '../workflow/index.js';
import { usageError } from './usage.js';

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
        connections: { type: 'string' },
      },
    });
  } catch (e) {
    throw usageError(e);
  }
  const file = parsed.positionals[0];
  if (!file) throw usageError('test needs a workflow FILE');
  // Outbound requests are real: the SSRF guard, the connections and their key apply as in `serve`.
  const settings = loadConfig(
    { port: '0', host: '127.0.0.1', connections: parsed.values.connections },
    pickEnv(TEST_ENV),
  );
  const connections = settings.connectionsDir ? loadConnections(settings.connectionsDir) : null;
  if (connections && connections.problems.length > 0) {
    throw new ConnectionFileError(connections.problems);
  }
  const names = new Set(connections?.connections.map((c) => c.name) ?? []);
  const { workflows, problems } = loadWorkflows(file, { connections: names });
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
  const app = await createApp(
    { ...settings, dataDir },
    {
      workflows: [workflow],
      connections: connections?.connections ?? [],
      logger: pino({ level: 'silent' }),
    },
  ).catch((e: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  });
  try {
    const base = await app.listen();
    const routePath = parsed.values.path ?? app.registry.pathOf(workflow.name) ?? '';
    const path = routePath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => name);
    const method = (parsed.values.method ?? workflow.trigger.method).toUpperCase();
    const res = await request(`${base}/hooks/${path}`, {
      method: method as 'POST',
      headers,
      ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
    });
    const answer = await res.body.text();
    out(`→ ${method} /hooks/${path}  (${workflow.trigger.delivery})`);
    out(`← ${res.statusCode} ${answer}`);
    const job = await waitForJob(app.store, workflow.name);
    if (!job) {
      out('no job was started (filtered out, or refused)');
      return res.statusCode < 400 ? 0 : 1;
    }
    out(`job ${job.id} ${job.status} in ${job.durationMs ?? '?'} ms`);
    for (const s of job.steps) {
      out(`\nstep ${s.id} (${s.type}) ${s.status}, ${s.attempts} attempt(s), ${s.durationMs} ms`);
      if (s.input !== null) out(`  input:  ${JSON.stringify(s.input)}`);
      out(`  output: ${JSON.stringify(s.output)}`);
      if (s.error) out(`  error:  ${s.error}`);
    }
    if (job.reply) out(`\nreply: ${JSON.stringify(job.reply)}`);
    if (job.error) out(`\nerror: ${job.error}`);
    return job.status === 'succeeded' ? 0 : 1;
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The settings of the environment `hookflow test` honours (the rest are the test's own). */
const TEST_ENV = [
  'HOOKFLOW_ALLOW_PRIVATE_NETWORKS',
  'HOOKFLOW_CONNECTIONS',
  'HOOKFLOW_SECRET_KEY',
  'HOOKFLOW_ENV_ALLOW',
];

function pickEnv(names: string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((n) => [n, process.env[n]]));
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function waitForJob(store: Store, workflow: string): Promise<JobDetail | null> {
  const deadline = Date.now() + 120_000;
  let id: string | undefined;
  while (Date.now() < deadline) {
    if (!id) {
      const page = await store.listJobs({ workflow, limit: 1 });
      id = page.jobs[0]?.id;
      if (!id) {
        // Give a just-accepted event a moment to show; a filtered request never makes a job.
        await sleep(50);
        if (Date.now() > deadline - 119_000) return null;
        continue;
      }
    }
    const job = await store.getJob(id);
    if (job && (job.status === 'succeeded' || job.status === 'failed')) return job;
    await sleep(20);
  }
  throw new HookflowError('timeout', 'the job did not finish within 120 s');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
