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
import { loadConnectorsOrThrow } from '../connectors/index.js';
import { HookflowError, errorMessage } from '../errors.js';
import { loadWorkflows, WorkflowError } from '../workflow/index.js';
import { out, printJob, waitForJob } from './job-output.js';
import { testTimedWorkflow } from './test-timed.js';
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
        connectors: { type: 'string' },
      },
    });
  } catch (e) {
    throw usageError(e);
  }
  const file = parsed.positionals[0];
  if (!file) throw usageError('test needs a workflow FILE');
  const connectorsFlag = parsed.values.connectors;
  const connectorsDir = loadConfig(
    connectorsFlag ? { connectors: connectorsFlag } : {},
  ).connectorsDir;
  const connectors = await loadConnectorsOrThrow(connectorsDir);
  const { workflows, problems } = loadWorkflows(file, { connectors });
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

  if (workflow.trigger.type !== 'webhook') return testTimedWorkflow(workflow, body);
  const trigger = workflow.trigger;

  const dataDir = mkdtempSync(join(tmpdir(), 'hookflow-test-'));
  const config = loadConfig({ port: '0', host: '127.0.0.1', data: dataDir }, {});
  // No lifecycle: a test run must not subscribe anything at the third party.
  const app = await createApp(config, {
    workflows: [workflow],
    connectors,
    lifecycle: false,
    logger: pino({ level: 'silent' }),
  });
  try {
    const base = await app.listen();
    const routePath = parsed.values.path ?? app.registry.pathOf(workflow.name) ?? '';
    const path = routePath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => name);
    const method = (parsed.values.method ?? trigger.method).toUpperCase();
    const res = await request(`${base}/hooks/${path}`, {
      method: method as 'POST',
      headers,
      ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
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
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
