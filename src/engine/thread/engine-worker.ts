/**
 * @module engine/thread/engine-worker
 * The engine thread: owns the SQLite store, the job queue and the engine, so that running
 * jobs and writing the database never take time from the main thread, which serves HTTP.
 * The main thread reaches the store through `RemoteStore`, hands job ids to the queue, and
 * hears of replies and finished jobs by notifications.
 *
 * Workflows are compiled here a second time from their text: compiled templates are
 * functions, which cannot cross threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import type { Dispatcher } from 'undici';
import { createOutboundAgent } from '../../connections/index.js';
import { createActionRunner, loadConnectorsOrThrow } from '../../connectors/index.js';
import { createLocalQueue } from '../../queue/index.js';
import { createMetrics, instrumentStore } from '../../metrics/index.js';
import { createStore } from '../../store/index.js';
import type { NewEvent } from '../../store/types.js';
import { parseWorkflow } from '../../workflow/index.js';
import type { Workflow } from '../../workflow/types.js';
import { Engine } from '../engine.js';
import type { PublishedOutcome } from '../reply-bus.js';
import { Channel } from './channel.js';
import { REPORT_INTERVAL_MS } from './protocol.js';
import type { EngineThreadData, JobCounts, WorkflowDoc } from './protocol.js';
import { RemoteConnections } from './remote-connections.js';
import { storeHandlers } from './remote-store.js';

const data = workerData as EngineThreadData;
const port = parentPort;
if (!port) throw new Error('engine-worker runs as a worker thread');

// Log lines go to the main thread's logger: one stream per process, configured once there.
// Lines written before the channel exists wait for it.
const early: string[] = [];
const logTo: { channel?: Channel } = {};
const log = pino(
  { level: data.logLevel },
  {
    write(line: string) {
      if (logTo.channel) logTo.channel.notify('log', [line]);
      else early.push(line);
    },
  },
).child({ thread: 'engine' });
// Connector code cannot cross threads: the same files are loaded again here.
const connectors = await loadConnectorsOrThrow(data.connectorsDir);
// Jobs, steps and store operations are counted here; the main thread's /metrics adds them.
const metrics = createMetrics({ queueDepth: () => queue.depth(), processDefaults: false });
const store = instrumentStore(createStore({ sqliteFile: data.sqliteFile }), metrics);
const workflows = new Map<string, Workflow>();
// The SSRF guard of this thread's outbound requests, and the unguarded dispatcher of
// connections with `allow_private`.
const dispatcher = createOutboundAgent({
  allowPrivate: data.outbound.allowPrivateNetworks,
  allowNetworks: data.outbound.allowedNetworks,
});
let privateAgent: Dispatcher | undefined;
const connections = new RemoteConnections(
  () => channel,
  () =>
    data.outbound.allowPrivateNetworks
      ? undefined
      : (privateAgent ??= createOutboundAgent({ allowPrivate: true })),
);

// Jobs whose reply or finish someone on the main thread waits for (request_response and
// duplicates of it): the others' outcomes need not cross threads.
const watched = new Set<string>();
// Finished jobs by workflow and status since the last report, sent with the queue's depth.
let finished: JobCounts = {};
let lastDepth = -1;

const queue = createLocalQueue((jobId, err) => log.error({ err, job: jobId }, 'job crashed'));
const engine = new Engine({
  store,
  log,
  env: data.env,
  workflow: (name) => workflows.get(name),
  connections,
  dispatcher,
  actions: createActionRunner({ catalog: connectors, http: { connections, dispatcher }, log }),
  replies: {
    publish(jobId: string, outcome: PublishedOutcome) {
      if (!watched.has(jobId)) return;
      if (outcome.kind === 'finished') watched.delete(jobId);
      channel.notify('replies.publish', [jobId, outcome]);
    },
  },
  onFinished(job) {
    metrics.jobFinished(job);
    const counts = (finished[job.workflow] ??= { succeeded: 0, failed: 0 });
    counts[job.status]++;
  },
});

setInterval(() => {
  const depth = queue.depth();
  if (depth === lastDepth && Object.keys(finished).length === 0) return;
  channel.notify('jobs.report', [finished, depth]);
  finished = {};
  lastDepth = depth;
}, REPORT_INTERVAL_MS).unref();

function syncWorkflows(put: WorkflowDoc[], remove: string[]): void {
  for (const name of remove) workflows.delete(name);
  for (const doc of put) {
    const wf = parseWorkflow(doc.text, doc.file, { connectors, env: doc.env });
    workflows.set(wf.name, { ...wf, enabled: doc.enabled });
  }
}

const channel = new Channel(
  port,
  {
    ...storeHandlers(store),
    'workflows.sync': (put: WorkflowDoc[], remove: string[]) => syncWorkflows(put, remove),
    'events.accept': async (event: NewEvent) => {
      const result = await store.acceptEvent(event);
      if (result.kind === 'accepted') await queue.enqueue(result.jobId);
      // A duplicate's own id never runs: nobody will wait for it.
      else watched.delete(event.id);
      return result;
    },
    'queue.enqueue': (id: string) => queue.enqueue(id),
    'replies.watch': (id: string) => void watched.add(id),
    'metrics.json': () => metrics.registry.getMetricsAsJSON(),
    'engine.start': async (concurrency: number) => {
      // Resume what a previous process left queued or running, then take new work.
      const unfinished = await store.unfinishedJobs();
      for (const id of unfinished) await queue.enqueue(id);
      if (unfinished.length > 0) log.info({ jobs: unfinished.length }, 'resuming unfinished jobs');
      queue.start((id) => engine.runJob(id), concurrency);
    },
    'engine.stop': async () => {
      await queue.stop();
      await store.close();
      await Promise.all([dispatcher.close(), privateAgent?.close()]);
    },
  },
  (method, err) => log.error({ err, method }, 'engine thread call failed'),
);
logTo.channel = channel;
for (const line of early.splice(0)) channel.notify('log', [line]);

try {
  await store.init();
  syncWorkflows(data.workflows, []);
  channel.notify('ready', []);
} catch (err) {
  channel.notify('failed', [{ message: err instanceof Error ? err.message : String(err) }]);
}
