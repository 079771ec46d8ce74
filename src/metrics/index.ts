/**
 * @module metrics
 * Prometheus metrics (prom-client), one registry per app: requests by route and status, jobs by
 * workflow and status, step durations, queue depth, store latency, and the process defaults.
 *
 * Cost on the webhook path: one typed-array increment per request (`countRequests`), turned
 * into counter values only when `/metrics` is read; store latency samples `acceptEvent` 1 in 16.
 *
 * @example
 *   const metrics = createMetrics({ queueDepth: () => queue.depth(), workflows: () => registry.list() });
 *   const store = instrumentStore(createStore(opts), metrics);
 *   server.addHook('onRoute', metrics.onRoute);
 *   await metrics.render(); // Prometheus text format
 */
import { performance } from 'node:perf_hooks';
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { RouteOptions } from 'fastify';
import type { Store } from '../store/types.js';

/**
 * Where gauges read their values. Each thread counts what happens on it: the main thread its
 * requests and workflows, the engine thread its queue, jobs, steps and store operations; the
 * main thread's `/metrics` adds the engine thread's registry (`more`) to its own.
 */
export interface MetricSources {
  queueDepth?(): number;
  workflows?(): ReadonlyArray<{ enabled: boolean }>;
  /** Other registries' metrics (as `getMetricsAsJSON()`), summed into this one's at render. */
  more?(): Promise<MetricObjectWithValues<MetricValue<string>>[]>;
  /** The process defaults (CPU, memory, event loop lag); once per process. Default true. */
  processDefaults?: boolean;
}

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  /** Fastify `onRoute` hook: gives each route a counter of its answers by status. */
  onRoute(route: RouteOptions): void;
  /** Counts an answer that matched no route (the not-found handler). */
  countUnmatched(status: number): void;
  jobFinished(job: { workflow: string; status: 'succeeded' | 'failed' }): void;
  /** An event answered 429 by its workflow's `rate_limit`. */
  rateLimited(workflow: string): void;
  stepFinished(step: { type: string; status: string; durationMs: number }): void;
  storeOperation(operation: string, seconds: number): void;
  render(): Promise<string>;
}

const STATUS_SLOTS = 600;

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  if (sources.processDefaults !== false) {
    collectDefaultMetrics({ register: registry, prefix: 'hookflow_' });
  }

  // Plain per-route tallies, moved into the counter at scrape time: the request path does no
  // label hashing and allocates nothing.
  const tallies: Array<{ route: string; counts: Float64Array; reported: Float64Array }> = [];
  function tally(route: string) {
    const t = {
      route,
      counts: new Float64Array(STATUS_SLOTS),
      reported: new Float64Array(STATUS_SLOTS),
    };
    tallies.push(t);
    return t;
  }
  const unmatched = tally('(unmatched)');

  new Counter({
    name: 'hookflow_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status',
    labelNames: ['route', 'status'],
    registers: [registry],
    collect() {
      for (const t of tallies) {
        for (let s = 0; s < STATUS_SLOTS; s++) {
          const delta = t.counts[s]! - t.reported[s]!;
          if (delta > 0) {
            this.inc({ route: t.route, status: String(s) }, delta);
            t.reported[s] = t.counts[s]!;
          }
        }
      }
    },
  });

  const jobs = new Counter({
    name: 'hookflow_jobs_finished_total',
    help: 'Jobs finished, by workflow and status',
    labelNames: ['workflow', 'status'],
    registers: [registry],
  });

  const rateLimited = new Counter({
    name: 'hookflow_rate_limited_total',
    help: "Webhook events refused (429) by their workflow's rate_limit, by workflow",
    labelNames: ['workflow'],
    registers: [registry],
  });

  const steps = new Histogram({
    name: 'hookflow_step_duration_seconds',
    help: 'Duration of each step that ran, by step type and status',
    labelNames: ['type', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  const store = new Histogram({
    name: 'hookflow_store_operation_duration_seconds',
    help: 'Latency of store operations (acceptEvent sampled 1 in 16)',
    labelNames: ['operation'],
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [registry],
  });

  const { queueDepth, workflows } = sources;
  if (queueDepth) {
    new Gauge({
      name: 'hookflow_queue_depth',
      help: 'Jobs waiting for a worker',
      registers: [registry],
      collect() {
        this.set(queueDepth());
      },
    });
  }

  if (workflows) {
    new Gauge({
      name: 'hookflow_workflows',
      help: 'Workflows loaded, by enabled',
      labelNames: ['enabled'],
      registers: [registry],
      collect() {
        const all = workflows();
        const on = all.filter((w) => w.enabled).length;
        this.set({ enabled: 'true' }, on);
        this.set({ enabled: 'false' }, all.length - on);
      },
    });
  }

  return {
    registry,
    contentType: registry.contentType,
    onRoute(route) {
      const { counts } = tally(route.url);
      const count = function countResponse(
        _request: unknown,
        reply: { statusCode: number },
        done: () => void,
      ) {
        const s = reply.statusCode;
        if (s < STATUS_SLOTS) counts[s]!++;
        done();
      };
      const existing = route.onResponse;
      route.onResponse = (
        existing === undefined ? [count] : [existing].flat().concat(count)
      ) as RouteOptions['onResponse'];
    },
    countUnmatched(status) {
      if (status < STATUS_SLOTS) unmatched.counts[status]!++;
    },
    jobFinished(job) {
      jobs.inc({ workflow: job.workflow, status: job.status });
    },
    rateLimited(workflow) {
      rateLimited.inc({ workflow });
    },
    stepFinished(step) {
      steps.observe({ type: step.type, status: step.status }, step.durationMs / 1000);
    },
    storeOperation(operation, seconds) {
      store.observe({ operation }, seconds);
    },
    async render() {
      if (!sources.more) return registry.metrics();
      const [own, more] = await Promise.all([registry.getMetricsAsJSON(), sources.more()]);
      return AggregatorRegistry.aggregate([own, more]).metrics();
    },
  };
}

/** Operations timed on a sample only: they run once per webhook request. */
const SAMPLED = new Set(['acceptEvent']);
const SAMPLE_EVERY = 16;

/**
 * The same store, each method timed into `hookflow_store_operation_duration_seconds`. The
 * caller gets the original promise (no extra await on its path). `saveStep` also feeds the
 * step-duration histogram: it is where every finished step passes, whatever ran it.
 */
export function instrumentStore(store: Store, metrics: Metrics): Store {
  const out: Record<string, unknown> = {};
  for (const name of methodNames(store)) {
    const fn = (store as unknown as Record<string, unknown>)[name];
    if (typeof fn !== 'function') continue;
    const method = fn as (...args: unknown[]) => unknown;
    let calls = 0;
    const sampled = SAMPLED.has(name);
    const savesStep = name === 'saveStep';
    out[name] = function timed(...args: unknown[]): unknown {
      if (sampled && calls++ % SAMPLE_EVERY !== 0) return method.apply(store, args);
      const started = performance.now();
      const result = method.apply(store, args);
      if (savesStep) {
        const step = args[1] as { type: string; status: string; durationMs: number };
        metrics.stepFinished(step);
      }
      if (result instanceof Promise) {
        const observe = () => metrics.storeOperation(name, (performance.now() - started) / 1000);
        result.then(observe, observe);
      }
      return result;
    };
  }
  return out as unknown as Store;
}

function methodNames(obj: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = obj; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const n of Object.getOwnPropertyNames(o)) if (n !== 'constructor') names.add(n);
  }
  return [...names];
}

export { registerStorageMetrics } from './storage.js';
export { registerFlowControlMetrics } from './flow-control.js';
export { registerThrottleMetrics } from './throttle.js';
export type { ThrottleMetrics } from './throttle.js';
export type { StorageMetrics } from './storage.js';
