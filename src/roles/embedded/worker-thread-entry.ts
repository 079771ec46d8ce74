/**
 * @module roles/embedded/worker-thread-entry
 * The worker thread of the embedded arrangement: the worker role (roles/worker) on its own
 * event loop and its own store handle, so that running jobs — steps, expressions over large
 * payloads, connector code — never take a turn from the main thread, which answers requests
 * and commits events itself. On SQLite its store handle reads; its writes go to the main
 * thread's store, the file's one writer (forwarded-writes.ts).
 *
 * Workflows are compiled here a second time from their text: compiled templates are
 * functions, which cannot cross threads.
 */
import { parentPort } from 'node:worker_threads';
import pino from 'pino';
import { loadConnectorsOrThrow } from '../../connectors/index.js';
import { errorMessage } from '../../errors.js';
import { parseWorkflow } from '../../workflow/index.js';
import type { Store } from '../../store/index.js';
import type { Workflow } from '../../workflow/types.js';
import { readTracingSettings, startTracing } from '../../tracing/index.js';
import { openWorker } from '../worker/worker.js';
import type { WorkerRole } from '../worker/worker.js';
import { REPORT_INTERVAL_MS } from './messages.js';
import type {
  JobCounts,
  ThreadInit,
  ToIngress,
  ToWorker,
  WorkerThreadData,
  WorkflowDoc,
} from './messages.js';
import { createWriteClient, forwardWrites } from './forwarded-writes.js';
import type { StoreResultMessage, StoreWriteMessage, WriteClient } from './forwarded-writes.js';
import { Pipe } from './pipe.js';

if (!parentPort) throw new Error('worker-thread-entry runs as a worker thread');
const port = parentPort;
// What to run comes as the first message: the thread may have been started (and loaded its
// modules) before the main thread knew (thread-spawn.ts). Nothing else is sent before `ready`.
const data = await new Promise<WorkerThreadData>((resolve) => {
  port.once('message', (m: ThreadInit) => resolve(m.data));
});

// Jobs whose outcome someone on the main thread waits for (request_response and duplicates
// of it): the others' outcomes need not cross threads.
const watched = new Set<string>();
let worker: WorkerRole | null = null;
// What arrives before the worker is open is handled once it is.
const early: ToWorker[] = [];
const pipe = new Pipe<ToIngress, ToWorker>(port, receive, (m, err) => {
  if (m.type !== 'outcome') return undefined;
  // A reply whose body cannot cross (nested too deep): its caller gets the failure answer.
  log.error({ err, job: m.jobId }, 'the reply could not be handed to the waiting request');
  return { type: 'outcome', jobId: m.jobId, outcome: { kind: 'finished', status: 'failed' } };
});

// Log lines go to the main thread's logger: one stream per process, configured once there.
const log = pino(
  { level: data.logLevel },
  { write: (line: string) => pipe.send({ type: 'log', line }) },
).child({ thread: 'worker' });

// The thread has its own tracer provider: spans of jobs and steps are made here.
const tracing = await startTracing(readTracingSettings(process.env), 'worker').catch(
  (err: unknown) => {
    log.error({ err }, 'tracing could not start in the worker thread; running without it');
    return { shutdown: async () => {} };
  },
);

const workflows = new Map<string, Workflow>();
// Connector code cannot cross threads: the same files are loaded again here.
const connectors = await loadConnectorsOrThrow(data.connectorsDir);

function syncWorkflows(put: WorkflowDoc[], remove: string[]): void {
  for (const name of remove) workflows.delete(name);
  for (const doc of put) {
    const wf = parseWorkflow(doc.text, doc.file, { connectors, env: doc.env });
    workflows.set(wf.name, { ...wf, enabled: doc.enabled });
  }
}

// SQLite: writes go to the store thread, the file's one writer (forwarded-writes.ts).
let writes: WriteClient | null = null;
if (data.storePort) {
  const storePipe: Pipe<StoreWriteMessage, StoreResultMessage> = new Pipe(data.storePort, (r) =>
    writes?.settle(r),
  );
  writes = createWriteClient((m) => storePipe.send(m));
}

function receive(m: ToWorker): void {
  if (!worker) {
    early.push(m);
    return;
  }
  switch (m.type) {
    case 'jobs':
      worker.wake(m.ids);
      return;
    case 'start':
      worker.start().catch((err: unknown) => log.error({ err }, 'the worker could not start'));
      return;
    case 'workflows':
      syncWorkflows(m.put, m.remove);
      return;
    case 'connections-changed':
      worker.connections
        .reloadStored()
        .catch((err: unknown) => log.error({ err }, 'could not read the stored connections'));
      return;
    case 'watch':
      watched.add(m.jobId);
      return;
    case 'unwatch':
      watched.delete(m.jobId);
      return;
    case 'metrics-request':
      void worker.metrics.registry
        .getMetricsAsJSON()
        .then((metrics) => pipe.send({ type: 'metrics', requestId: m.requestId, metrics }));
      return;
    case 'stop':
      void worker
        .stop()
        .catch((err: unknown) => log.error({ err }, 'the worker did not stop cleanly'))
        .then(() => tracing.shutdown())
        .catch((err: unknown) => log.warn({ err }, 'spans of the worker thread not all exported'))
        .then(() => {
          pipe.send({ type: 'stopped' });
          pipe.flush();
        });
      return;
  }
}

// Finished jobs by workflow and status since the last report, sent with the queue's depth.
let finished: JobCounts = {};
let lastDepth = -1;
setInterval(() => {
  const depth = worker?.depth() ?? 0;
  if (depth === lastDepth && Object.keys(finished).length === 0) return;
  pipe.send({ type: 'report', finished, depth });
  finished = {};
  lastDepth = depth;
}, REPORT_INTERVAL_MS).unref();

try {
  syncWorkflows(data.workflows, []);
  worker = await openWorker({
    store: data.store,
    log,
    env: data.env,
    connectors,
    outbound: data.outbound,
    connections: data.connections,
    workflow: (name) => workflows.get(name),
    concurrency: data.concurrency,
    ...(writes
      ? { wrapStore: (own: Store) => forwardWrites(own, (writes as WriteClient).call) }
      : {}),
    defaultOnFailure: data.defaultOnFailure ?? null,
    ...(data.shutdownGraceMs !== undefined ? { shutdownGraceMs: data.shutdownGraceMs } : {}),
    // The main thread counts the process's CPU and memory.
    processMetrics: false,
    replies: {
      publish(jobId, outcome) {
        if (!watched.has(jobId)) return;
        if (outcome.kind === 'finished') watched.delete(jobId);
        pipe.send({ type: 'outcome', jobId, outcome });
      },
    },
    onConnectionStatus: (name, status) => pipe.send({ type: 'connection-status', name, status }),
    onFinished(job) {
      const counts = (finished[job.workflow] ??= { succeeded: 0, failed: 0 });
      counts[job.status]++;
    },
  });
  pipe.send({ type: 'ready' });
  for (const m of early.splice(0)) receive(m);
} catch (err) {
  pipe.send({ type: 'failed', message: errorMessage(err) });
}
