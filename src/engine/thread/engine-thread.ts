/**
 * @module engine/thread/engine-thread
 * Starts the engine thread (engine-worker.ts) and gives the main thread what it needs of it: a
 * Store and a Queue that forward to it, replies delivered to the main thread's reply bus, and
 * the jobs it finished.
 *
 * Why a thread: Node runs JavaScript on one thread, and a machine has more cores. With jobs,
 * SQL and fsyncs here, the main thread only decodes requests, makes calls and answers: in
 * `npm run bench` it is what bounds ingest, and jobs no longer take turns from it.
 *
 * If the thread dies (a bug, an out-of-memory), calls in flight fail with `store_write_failed`
 * (callers answer 503, never 2xx), a new thread starts and resumes the unfinished jobs.
 *
 * @example
 *   const thread = await startEngineThread({ sqliteFile, logLevel: 'info', env: {}, replies, log });
 *   thread.syncWorkflows(workflows, []);
 *   await thread.store.acceptEvent(event);
 *   thread.start(32);
 */
import { Worker, SHARE_ENV } from 'node:worker_threads';
import pino from 'pino';
import type { Logger } from 'pino';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Queue } from '../../queue/types.js';
import type { ConnectionResolver } from '../../steps/types.js';
import { StoreError } from '../../store/errors.js';
import type { AcceptResult, NewEvent, Store } from '../../store/types.js';
import type { Workflow } from '../../workflow/types.js';
import type { PublishedOutcome, ReplyBus } from '../reply-bus.js';
import { Channel } from './channel.js';
import { connectionHandlers } from './remote-connections.js';
import type { EngineThreadData, JobCounts, OutboundSettings, WorkflowDoc } from './protocol.js';
import { RemoteStore } from './remote-store.js';

export interface EngineThreadOptions {
  sqliteFile: string;
  logLevel: string;
  env: Record<string, string>;
  /** The user's connectors directory: the thread loads it too. */
  connectorsDir: string | null;
  /** The SSRF guard's settings: the thread builds its own dispatcher from them. */
  outbound: OutboundSettings;
  /** Applies named connections to the thread's outbound requests (opened after the thread). */
  connections: () => ConnectionResolver | undefined;
  /** Replies and finishes of jobs are published here. */
  replies: Pick<ReplyBus, 'publish'>;
  log: Logger;
  /** Called every REPORT_INTERVAL_MS with the jobs that finished since, by workflow. */
  onFinished?(counts: JobCounts): void;
  /** How long a new thread waits after one died. Default 1000 ms. */
  restartDelayMs?: number;
}

export interface EngineThread {
  store: Store;
  queue: Queue;
  /** Sends changed and removed workflows to the thread. */
  syncWorkflows(put: readonly Workflow[], remove: readonly string[]): void;
  /** The engine thread's metrics (jobs, steps, store, queue), for the main thread's /metrics. */
  metrics(): Promise<MetricObjectWithValues<MetricValue<string>>[]>;
  /** Commits the event and its job, then queues the job: one call to the engine thread. */
  accept(event: NewEvent): Promise<AcceptResult>;
  /** Asks for the reply and finish of this job (the main thread waits for them). */
  watch(jobId: string): void;
  /** Resumes unfinished jobs and starts running jobs, `concurrency` at once. */
  start(concurrency: number): void;
  /** Waits for running jobs, closes the store, ends the thread. */
  close(): Promise<void>;
}

export async function startEngineThread(opts: EngineThreadOptions): Promise<EngineThread> {
  // What the thread runs, to give a restarted one; `syncWorkflows` keeps it up to date.
  const workflows = new Map<string, WorkflowDoc>();
  let channel!: Channel;
  let worker!: Worker;
  let depth = 0;
  let concurrency: number | null = null;
  let closing = false;
  let started = false;

  function spawn(): Promise<void> {
    const data: EngineThreadData = {
      sqliteFile: opts.sqliteFile,
      logLevel: opts.logLevel,
      env: opts.env,
      connectorsDir: opts.connectorsDir,
      outbound: opts.outbound,
      workflows: [...workflows.values()],
    };
    worker = newWorker(data);
    return new Promise<void>((resolve, reject) => {
      channel = new Channel(worker, {
        ...connectionHandlers(opts.connections),
        ready: () => resolve(),
        failed: (e: { message: string }) => reject(new StoreError('store_not_ready', e.message)),
        'replies.publish': (jobId: string, outcome: PublishedOutcome) =>
          opts.replies.publish(jobId, outcome),
        log: (line: string) => relayLog(opts.log, line),
        'jobs.report': (counts: JobCounts, queueDepth: number) => {
          depth = queueDepth;
          if (Object.keys(counts).length > 0) opts.onFinished?.(counts);
        },
      });
      const current = channel;
      worker.once('error', (err) => {
        opts.log.error({ err }, 'engine thread failed');
      });
      worker.once('exit', (code) => {
        const error = new StoreError(
          'store_write_failed',
          `the engine thread stopped (exit code ${code}); nothing was stored`,
        );
        current.close(error);
        reject(error);
        if (closing || !started) return;
        opts.log.error({ code }, 'engine thread stopped; starting a new one');
        setTimeout(() => void restart(), opts.restartDelayMs ?? 1000).unref();
      });
    });
  }

  async function restart(): Promise<void> {
    try {
      await spawn();
      if (concurrency !== null) channel.notify('engine.start', [concurrency]);
    } catch (err) {
      opts.log.error({ err }, 'engine thread could not start');
    }
  }

  await spawn();
  started = true;
  const store = new RemoteStore(() => channel);
  const queue: Queue = {
    enqueue(jobId) {
      channel.notify('queue.enqueue', [jobId]);
      return Promise.resolve();
    },
    start() {
      throw new Error('the engine thread runs the queue: call EngineThread.start');
    },
    async stop() {},
    depth: () => depth,
  };

  return {
    store,
    queue,
    syncWorkflows(put, remove) {
      for (const name of remove) workflows.delete(name);
      for (const wf of put) workflows.set(wf.name, toDoc(wf));
      channel.notify('workflows.sync', [put.map(toDoc), remove]);
    },
    metrics() {
      return channel.call('metrics.json', []);
    },
    accept(event) {
      return channel.call<AcceptResult>('events.accept', [event]);
    },
    watch(jobId) {
      channel.notify('replies.watch', [jobId]);
    },
    start(n) {
      concurrency = n;
      channel.notify('engine.start', [n]);
    },
    async close() {
      if (closing) return;
      closing = true;
      try {
        await channel.call('engine.stop', []);
      } finally {
        await worker.terminate();
      }
    },
  };
}

function toDoc(wf: Workflow): WorkflowDoc {
  return { text: wf.text, file: wf.file ?? `${wf.name}.yaml`, enabled: wf.enabled, env: wf.env };
}

const YOUNG_GENERATION_MB = 24;

/** Under tsx (tests, `src/`), the thread must load tsx before the TypeScript entry. */
function newWorker(data: EngineThreadData): Worker {
  // A smaller young generation than V8's default (3 × 16 MB semi-spaces): jobs are short-lived
  // garbage either way, and this saved about 40 MB of peak RSS at no measurable cost in
  // throughput (docs/benchmarks.md).
  const opts = {
    workerData: data,
    env: SHARE_ENV,
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  } as const;
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./engine-worker.js', here), opts);
  const entry = new URL('./engine-worker.ts', here).href;
  return new Worker(
    `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`,
    { ...opts, eval: true },
  );
}

/** Writes a log line of the engine thread through the main thread's logger. */
function relayLog(log: Logger, line: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  const { level, msg, ...fields } = record;
  // The main thread's logger stamps its own time, pid and hostname.
  delete fields.time;
  delete fields.pid;
  delete fields.hostname;
  const label = pino.levels.labels[level as number] ?? 'info';
  log[label as pino.Level](fields, typeof msg === 'string' ? msg : '');
}
