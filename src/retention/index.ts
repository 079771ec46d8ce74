/**
 * @module retention
 * Prunes finished jobs (with their steps) past their workflow's retention — `retention:` in
 * the file, else HOOKFLOW_RETENTION — in the background: small batches, each its own short
 * transaction, with a pause between them so that ingest never waits long for the write lock.
 * One process of a cluster prunes at a time (the store's `withLock`). After each batch the
 * SQLite file gives its free pages back (incremental vacuum). Dedupe keys and poll memory are
 * not touched: they keep their own windows.
 *
 * @example
 *   const retention = startRetention({ store, defaults: config.retention, retentionOf, log });
 *   await retention.runOnce(); // tests
 *   retention.stop();
 */
import type { Logger } from 'pino';
import type { Store } from '../store/types.js';
import type { Retention } from '../workflow/read-retention.js';

export interface RetentionOptions {
  store: Store;
  /** HOOKFLOW_RETENTION. */
  defaults: Retention;
  /** A loaded workflow's own `retention:`, if it has one. */
  retentionOf(workflow: string): Retention | undefined;
  log: Logger;
  /** Told how many jobs each batch deleted. */
  onPruned?(count: number): void;
  /** Between passes. Default 60 s. */
  intervalMs?: number;
  /** Jobs deleted per transaction. Default 500. */
  batchSize?: number;
  /** Pause between batches, so ingest takes the write lock in between. Default 20 ms. */
  pauseMs?: number;
}

export interface RetentionRunner {
  /** One pass over every workflow; resolves with how many jobs it pruned (0 if another process holds the lock). */
  runOnce(): Promise<number>;
  stop(): void;
}

const LOCK_KEY = 'retention:prune';

export function startRetention(opts: RetentionOptions): RetentionRunner {
  const { store, log } = opts;
  const batchSize = opts.batchSize ?? 500;
  const pauseMs = opts.pauseMs ?? 20;
  let stopped = false;
  let running: Promise<number> | null = null;

  async function pruneWorkflow(workflow: string, rule: Retention): Promise<number> {
    let total = 0;
    for (;;) {
      if (stopped) return total;
      const olderThan = rule.maxAgeMs === undefined ? undefined : Date.now() - rule.maxAgeMs;
      const n = await store.pruneJobs(
        {
          workflow,
          ...(olderThan !== undefined ? { olderThan } : {}),
          ...(rule.maxJobs !== undefined ? { keep: rule.maxJobs } : {}),
        },
        batchSize,
      );
      total += n;
      if (n > 0) {
        opts.onPruned?.(n);
        await store.reclaimSpace();
      }
      if (n < batchSize) return total;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }

  async function pass(): Promise<number> {
    const result = await store.withLock(LOCK_KEY, { wait: false }, async () => {
      let total = 0;
      for (const workflow of await store.jobWorkflows()) {
        const rule = opts.retentionOf(workflow) ?? opts.defaults;
        if (rule.maxAgeMs === undefined && rule.maxJobs === undefined) continue;
        total += await pruneWorkflow(workflow, rule);
      }
      return total;
    });
    return result.held ? result.value : 0;
  }

  function runOnce(): Promise<number> {
    running ??= pass().finally(() => (running = null));
    return running;
  }

  const timer = setInterval(() => {
    runOnce().then(
      (n) => n > 0 && log.info({ pruned: n }, 'retention: finished jobs pruned'),
      (err: unknown) => log.warn({ err }, 'retention: pruning failed; retrying at the next pass'),
    );
  }, opts.intervalMs ?? 60_000);
  timer.unref();

  return {
    runOnce,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
