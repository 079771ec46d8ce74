/**
 * @module metrics/flow-control
 * What flow control holds back: queued jobs waiting for a slot of their concurrency key, by
 * workflow, read from the store when `/metrics` is read (events refused by `rate_limit` are
 * counted as they happen: `hookflow_rate_limited_total`). The count is the database's, so
 * every process of a cluster reports the same value: aggregate it with max, not sum.
 *
 * @example
 *   registerFlowControlMetrics(metrics.registry, store);
 */
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Store } from '../store/types.js';

export function registerFlowControlMetrics(
  registry: Registry,
  store: Pick<Store, 'jobsWaitingOnConcurrency'>,
): void {
  new Gauge({
    name: 'hookflow_jobs_waiting_concurrency',
    help: 'Queued jobs held back by their concurrency key (its limit of jobs running, or older ones of the key waiting), by workflow',
    labelNames: ['workflow'],
    registers: [registry],
    async collect() {
      // A workflow whose jobs stopped waiting goes back to 0 rather than keeping its last value.
      this.reset();
      for (const { workflow, jobs } of await store.jobsWaitingOnConcurrency()) {
        this.set({ workflow }, jobs);
      }
    },
  });
}
