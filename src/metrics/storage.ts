/**
 * @module metrics/storage
 * What the database holds: jobs stored, jobs pruned by retention, and the database's size on
 * disk. The size is read from the store when `/metrics` is read; the count of stored jobs at
 * most every {@link JOBS_STORED_MAX_AGE_MS}, in the background (a scrape answers the last one):
 * counting a million rows takes 30 ms on SQLite, on the thread that answers webhooks.
 *
 * @example
 *   const storage = registerStorageMetrics(metrics.registry, store);
 *   storage.jobsPruned(500);
 */
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Store } from '../store/types.js';

export interface StorageMetrics {
  jobsPruned(count: number): void;
}

/** How old the count of stored jobs may be before a scrape starts another. */
export const JOBS_STORED_MAX_AGE_MS = 30_000;

export function registerStorageMetrics(
  registry: Registry,
  store: Pick<Store, 'countJobs' | 'databaseBytes'>,
  maxAgeMs = JOBS_STORED_MAX_AGE_MS,
): StorageMetrics {
  const jobsStored = cachedRead(() => store.countJobs(), maxAgeMs);
  new Gauge({
    name: 'hookflow_jobs_stored',
    help: `Jobs in the database (every status); counted at most every ${maxAgeMs / 1000} s, an estimate past 100,000 jobs on PostgreSQL`,
    registers: [registry],
    async collect() {
      this.set(await jobsStored());
    },
  });
  new Gauge({
    name: 'hookflow_database_bytes',
    help: 'Size of the database on disk (SQLite: the file and its WAL; PostgreSQL: the tables of its schema)',
    registers: [registry],
    async collect() {
      this.set(await store.databaseBytes());
    },
  });
  const pruned = new Counter({
    name: 'hookflow_jobs_pruned_total',
    help: 'Finished jobs deleted by retention',
    registers: [registry],
  });
  return { jobsPruned: (count) => pruned.inc(count) };
}

/**
 * `read` at most every `maxAgeMs`: the first call waits for it; later ones answer the last
 * value at once and, when it is older, start one read in the background.
 */
export function cachedRead(read: () => Promise<number>, maxAgeMs: number): () => Promise<number> {
  let last: { value: number; at: number } | null = null;
  let reading: Promise<number> | null = null;
  const refresh = (): Promise<number> =>
    (reading ??= read()
      .then((value) => {
        last = { value, at: Date.now() };
        return value;
      })
      .finally(() => (reading = null)));
  return async () => {
    if (last === null) return refresh();
    if (Date.now() - last.at >= maxAgeMs) refresh().catch(() => {});
    return last.value;
  };
}
