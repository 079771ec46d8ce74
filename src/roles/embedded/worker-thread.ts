/**
 * @module roles/embedded/worker-thread
 * Starts the worker thread (worker-thread-entry.ts) and gives the main thread its handle: tell
 * it which committed jobs are runnable, which jobs' outcomes to send, what changed. Nothing on
 * the main thread waits for the worker thread to answer a request: the main thread commits
 * events on its own store handle, then tells the thread (one-way, batched per turn).
 *
 * If the thread dies (a bug, an out-of-memory, connector code calling process.exit), a new
 * one starts after `restartDelayMs` and resumes the unfinished jobs; webhooks are accepted
 * meanwhile, since accepting never needed the thread.
 *
 * @example
 *   const thread = await startWorkerThread({ data, replies, log });
 *   thread.start();
 *   thread.wake([jobId]);
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ConnectionStatus } from '../../connections/index.js';
import type { ReplySink } from '../../engine/index.js';
import { StoreError } from '../../store/index.js';
import type { Workflow } from '../../workflow/types.js';
import type {
  JobCounts,
  MetricsJson,
  ThreadInit,
  ToIngress,
  ToWorker,
  WorkerThreadData,
  WorkflowDoc,
} from './messages.js';
import { Pipe } from './pipe.js';
import { relayLog } from './thread-entry.js';
import { spawnWorkerThread, takePrestarted } from './thread-spawn.js';

export interface WorkerThreadOptions {
  /** What the thread starts with; `workflows` is kept up to date for a restarted thread. */
  data: WorkerThreadData;
  /** Replies and finishes of watched jobs are published here. */
  replies: ReplySink;
  log: Logger;
  /** A connection's status changed on the thread (a refused refresh, say). */
  onConnectionStatus?(name: string, status: ConnectionStatus): void;
  /** Called every REPORT_INTERVAL_MS with the jobs that finished since, by workflow. */
  onFinished?(counts: JobCounts): void;
  /** How long a new thread waits after one died. Default 1000 ms. */
  restartDelayMs?: number;
  /**
   * SQLite: a port to the store that runs the thread's writes (the main thread's: one writer
   * for the file, forwarded-writes.ts), asked for at each start of the thread.
   */
  storePort?(): MessagePort;
}

export interface WorkerThread {
  /** These committed jobs are runnable. */
  wake(jobIds: readonly string[]): void;
  /** Asks for the reply and finish of this job (someone on this thread waits for them). */
  watch(jobId: string): void;
  unwatch(jobId: string): void;
  /** Sends changed and removed workflows to the thread. */
  syncWorkflows(put: readonly Workflow[], remove: readonly string[]): void;
  /** Connections were stored or deleted: the thread reads them again. */
  connectionsChanged(): void;
  /** Resumes unfinished jobs and starts running jobs. */
  start(): void;
  /** The thread's metrics (jobs, steps, its store), for the main thread's /metrics. */
  metrics(): Promise<MetricsJson>;
  /** Jobs waiting to run, as last reported. */
  depth(): number;
  /** Waits for running jobs, closes the thread's store, ends the thread. */
  close(): Promise<void>;
}

export async function startWorkerThread(opts: WorkerThreadOptions): Promise<WorkerThread> {
  const workflows = new Map<string, WorkflowDoc>(opts.data.workflows.map((d) => [d.name, d]));
  let pipe!: Pipe<ToWorker, ToIngress>;
  let thread!: Worker;
  let depth = 0;
  let started = false;
  let closing = false;
  let nextRequest = 1;
  const metricsWaiting = new Map<number, (m: MetricsJson) => void>();
  let stopped: (() => void) | null = null;

  function spawn(): Promise<void> {
    const storePort = opts.storePort?.();
    // The first start takes the thread `serve` prestarted, if any; a restart makes a new one.
    thread = takePrestarted() ?? spawnWorkerThread();
    // Its data is its first message (a prestarted thread was made before anyone knew it).
    const data: WorkerThreadData = {
      ...opts.data,
      workflows: [...workflows.values()],
      ...(storePort ? { storePort } : {}),
    };
    thread.postMessage({ type: 'init', data } satisfies ThreadInit, storePort ? [storePort] : []);
    return new Promise<void>((resolve, reject) => {
      pipe = new Pipe<ToWorker, ToIngress>(thread, (m) => {
        switch (m.type) {
          case 'ready':
            return resolve();
          case 'failed':
            // A thread that could not open its store or connections is of no use: end it, or
            // it would keep the process alive after the start-up failed.
            void thread.terminate();
            return reject(new StoreError('store_not_ready', m.message));
          case 'outcome':
            return opts.replies.publish(m.jobId, m.outcome);
          case 'report':
            depth = m.depth;
            if (Object.keys(m.finished).length > 0) opts.onFinished?.(m.finished);
            return;
          case 'metrics':
            metricsWaiting.get(m.requestId)?.(m.metrics);
            metricsWaiting.delete(m.requestId);
            return;
          case 'connection-status':
            return opts.onConnectionStatus?.(m.name, m.status);
          case 'log':
            return relayLog(opts.log, m.line);
          case 'stopped':
            return stopped?.();
        }
      });
      const current = pipe;
      thread.once('error', (err) => opts.log.error({ err }, 'worker thread failed'));
      thread.once('exit', (code) => {
        current.close();
        for (const answer of metricsWaiting.values()) answer([]);
        metricsWaiting.clear();
        stopped?.();
        reject(new StoreError('store_not_ready', `the worker thread stopped (exit code ${code})`));
        if (closing || !started) return;
        opts.log.error({ code }, 'worker thread stopped; starting a new one');
        setTimeout(() => void restart(), opts.restartDelayMs ?? 1000).unref();
      });
    });
  }

  async function restart(): Promise<void> {
    try {
      await spawn();
      pipe.send({ type: 'start' });
    } catch (err) {
      opts.log.error({ err }, 'worker thread could not start');
    }
  }

  await spawn();
  return {
    wake(ids) {
      if (ids.length > 0) pipe.send({ type: 'jobs', ids: [...ids] });
    },
    watch(jobId) {
      pipe.send({ type: 'watch', jobId });
    },
    unwatch(jobId) {
      pipe.send({ type: 'unwatch', jobId });
    },
    syncWorkflows(put, remove) {
      const docs = put.map(toDoc);
      for (const n of remove) workflows.delete(n);
      for (const d of docs) workflows.set(d.name, d);
      pipe.send({ type: 'workflows', put: docs, remove: [...remove] });
    },
    connectionsChanged() {
      pipe.send({ type: 'connections-changed' });
    },
    start() {
      started = true;
      pipe.send({ type: 'start' });
    },
    metrics() {
      const requestId = nextRequest++;
      return new Promise((resolve) => {
        metricsWaiting.set(requestId, resolve);
        pipe.send({ type: 'metrics-request', requestId });
      });
    },
    depth: () => depth,
    async close() {
      if (closing) return;
      closing = true;
      await new Promise<void>((resolve) => {
        stopped = resolve;
        pipe.send({ type: 'stop' });
      });
      await thread.terminate();
    },
  };
}

export function toDoc(wf: Workflow): WorkflowDoc {
  return {
    name: wf.name,
    text: wf.text,
    file: wf.file ?? `${wf.name}.yaml`,
    enabled: wf.enabled,
    env: wf.env,
  };
}
