/**
 * @module metrics/storage
 * What the database holds: jobs stored, jobs pruned by retention, and the database's size on
 * disk. Stored jobs and size are read from the store when `/metrics` is read.
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

export function registerStorageMetrics(
  registry: Registry,
  store: Pick<Store, 'countJobs' | 'databaseBytes'>,
): StorageMetrics {
  new Gauge({
    name: 'hookflow_jobs_stored',
    help: 'Jobs in the database (every status)',
    registers: [registry],
    async collect() {
      this.set(await store.countJobs());
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
