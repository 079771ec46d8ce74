/**
 * @module roles/embedded/messages
 * What the ingress (main thread) and the worker thread say to each other: one discriminated
 * union per direction. The ingress commits events itself and only tells the worker which jobs
 * became runnable; the worker tells it the replies and finishes someone waits for.
 *
 * Every message is JSON data (see pipe.ts): no Buffers, Dates, Maps or functions.
 */
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Connection, ConnectionStatus } from '../../connections/index.js';
import type { PublishedOutcome } from '../../engine/index.js';
import type { StoreOptions } from '../../store/index.js';
import type { OutboundSettings } from '../outbound.js';
import type { MessagePort } from 'node:worker_threads';

/** What the worker thread is started with. */
export interface WorkerThreadData {
  store: StoreOptions;
  logLevel: string;
  /** Variables visible to expressions as `env`. */
  env: Record<string, string>;
  /** The user's connectors directory (the built-ins are always there). */
  connectorsDir: string | null;
  /** The SSRF guard's settings; the worker opens sealed connections and tokens itself. */
  outbound: OutboundSettings;
  /** The connections read from files (plain data); the stored ones it reads itself. */
  connections: Connection[];
  workflows: WorkflowDoc[];
  /** Jobs run at once. */
  concurrency: number;
  /** HOOKFLOW_ON_FAILURE. */
  defaultOnFailure?: string | null;
  /** On PostgreSQL, how long a stop waits for running jobs before giving them back. */
  shutdownGraceMs?: number;
  /** SQLite: the port to the main thread's store, where the thread's writes go (forwarded-writes.ts). */
  storePort?: MessagePort;
}

/** The worker thread's first message: what it runs. */
export interface ThreadInit {
  type: 'init';
  data: WorkerThreadData;
}

/** A workflow as it crosses threads: its text, compiled again on the other side. */
export interface WorkflowDoc {
  name: string;
  text: string;
  file: string;
  enabled: boolean;
  /** The values of its `${env:NAME}` references. */
  env: Record<string, string>;
}

/** Finished jobs by workflow and status. */
export type JobCounts = Record<string, { succeeded: number; failed: number }>;

/** Metrics as prom-client's `getMetricsAsJSON()` gives them. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

export type ToWorker =
  /** These committed jobs are runnable. */
  | { type: 'jobs'; ids: string[] }
  /** Start claiming jobs: first the unfinished ones a previous run left. */
  | { type: 'start' }
  /** Changed and removed workflows. */
  | { type: 'workflows'; put: WorkflowDoc[]; remove: string[] }
  /** Connections were created, changed or deleted over the API: read the stored ones again. */
  | { type: 'connections-changed' }
  /** Someone waits for this job's reply and finish; `unwatch` when nobody does any more. */
  | { type: 'watch'; jobId: string }
  | { type: 'unwatch'; jobId: string }
  | { type: 'metrics-request'; requestId: number }
  /** Finish the running jobs, close the store, say `stopped`. */
  | { type: 'stop' };

export type ToIngress =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'outcome'; jobId: string; outcome: PublishedOutcome }
  /** Finished jobs since the last report, and the jobs waiting to run. */
  | { type: 'report'; finished: JobCounts; depth: number }
  | { type: 'metrics'; requestId: number; metrics: MetricsJson }
  /** A connection's OAuth2 status changed on the worker (the API shows the ingress's). */
  | { type: 'connection-status'; name: string; status: ConnectionStatus }
  /** A log line of the worker thread (pino JSON), written by the main thread's logger. */
  | { type: 'log'; line: string }
  | { type: 'stopped' };

/** How often the worker thread reports finished jobs and the queue's depth. */
export const REPORT_INTERVAL_MS = 250;
