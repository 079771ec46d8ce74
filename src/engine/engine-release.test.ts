/**
 * A job given back while a step waits (for its connection's throttle) stops waiting: the
 * request is not sent by a run that no longer holds the job, and the job is queued again for
 * the worker that resumes it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import pino from 'pino';
import { newEvent } from '../store/contract/fixtures.js';
import { createSqliteStore } from '../store/sqlite/index.js';
import type { ConnectionResolver } from '../steps/types.js';
import { parseWorkflow } from '../workflow/index.js';
import { Engine } from './engine.js';

const WORKFLOW = parseWorkflow(
  `name: orders
trigger:
  webhook: {}
steps:
  - id: call
    http: {connection: crm, url: /orders}
`,
  'orders.yaml',
  { env: {}, connections: new Set(['crm']) },
);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookflow-engine-release-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

it('releaseAll stops a step waiting for its connection; nothing is sent and the job is queued again', async () => {
  const store = createSqliteStore({ file: path.join(dir, 'hookflow.db') });
  await store.init();
  const event = newEvent('orders');
  await store.acceptEvent(event);
  let waiting!: () => void;
  const waitingStarted = new Promise<void>((r) => (waiting = r));
  let applied = 0;
  const connections: ConnectionResolver = {
    apply: async (_name, req) => {
      applied++;
      return { ...req, url: `http://127.0.0.1:9${req.url}` };
    },
    secrets: () => [],
    // A slot that never frees: only the job's signal ends the wait.
    awaitTurn: (_name, signal) =>
      new Promise((_resolve, reject) => {
        waiting();
        signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      }),
  };
  const finished: string[] = [];
  const engine = new Engine({
    store,
    owner: 'worker-a',
    log: pino({ level: 'silent' }),
    workflow: () => WORKFLOW,
    replies: { publish: () => {} },
    connections,
    onFinished: (job) => finished.push(job.id),
  });
  const run = engine.runJob(event.id);
  await waitingStarted;
  await engine.releaseAll();
  await run;
  assert.equal(applied, 1, 'the request was built once, and never sent');
  assert.deepEqual(finished, []);
  const job = await store.getJob(event.id);
  assert.equal(job?.status, 'queued');
  assert.deepEqual(job?.steps, []);
  await store.close();
});
