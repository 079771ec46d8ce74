/**
 * @module store/sqlite/write-batcher
 * Group commit. Every write of the store goes through `write()`: writes queued in the same
 * event-loop turn run in ONE transaction, flushed by `setImmediate`, and each caller's promise
 * settles only after that transaction has committed.
 *
 * Durability argument: a promise resolves after COMMIT returned, and the database runs in WAL
 * mode with `synchronous = FULL`, so COMMIT returns only after the WAL was fsynced. Ingress
 * answers 2xx only after `acceptEvent` resolved, hence an answered event survives a crash of
 * the process or of the machine. Grouping keeps that guarantee while paying one fsync per
 * turn instead of one per event (NOTES.md: ~20k req/s end to end on 2 cores).
 *
 * One failing write (say a duplicate id) rejects only its caller; the rest of the batch
 * commits. Savepoints give that isolation but copy every page a write touches (about a fifth
 * of ingest CPU), so a batch first runs without them; only when a write threw is it rolled
 * back and run again with one SAVEPOINT per write. Hence a write `op` must be synchronous and
 * depend on nothing but the database and the values it captured: it may run twice.
 *
 * @example
 *   const batcher = createWriteBatcher(db);
 *   const changed = await batcher.write('finishJob', () => finish.run(id).changes > 0);
 */
import type BetterSqlite3 from 'better-sqlite3';
import { errorMessage } from '../../errors.js';
import { StoreError } from '../errors.js';

export interface WriteBatcher {
  /** Queues `op` (synchronous SQL) for the next group commit; resolves with its result. */
  write<T>(name: string, op: () => T): Promise<T>;
  /** Commits every queued write now (used by `close()`). */
  flushNow(): void;
  /** Commits every queued write, then rejects every later `write()` with `store_closed`. */
  close(): void;
  /** How many transactions have committed, for tests and metrics. */
  readonly commits: number;
  /** Writes waiting for the next flush. */
  readonly pending: number;
}

interface PendingWrite {
  name: string;
  op: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export function createWriteBatcher(db: BetterSqlite3.Database): WriteBatcher {
  let queue: PendingWrite[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  let closed = false;
  let commits = 0;

  // The fast path: one transaction, no savepoints. `opFailed` tells a write's own error
  // (worth a retry with isolation) from BEGIN or COMMIT failing (fatal to the whole batch).
  let opFailed = false;
  const runTogether = db.transaction((writes: PendingWrite[]): Outcome[] =>
    writes.map((w) => {
      try {
        return { ok: true, value: w.op() };
      } catch (error) {
        opFailed = true;
        throw error;
      }
    }),
  );

  // Called inside a transaction, a better-sqlite3 transaction function becomes a SAVEPOINT.
  const inSavepoint = db.transaction((op: () => unknown) => op());
  const runIsolated = db.transaction((writes: PendingWrite[]): Outcome[] => {
    const outcomes: Outcome[] = [];
    for (const w of writes) {
      try {
        outcomes.push({ ok: true, value: inSavepoint(w.op) });
      } catch (error) {
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction: then the
        // writes before this one are gone too, and the batch must fail as a whole.
        if (!db.inTransaction) throw error;
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  });

  // IMMEDIATE takes the write lock up front: a busy database fails the batch once, after
  // busy_timeout, instead of once per write.
  function runBatch(writes: PendingWrite[]): Outcome[] {
    opFailed = false;
    try {
      return runTogether.immediate(writes);
    } catch (error) {
      if (!opFailed) throw error;
      return runIsolated.immediate(writes);
    }
  }

  function flushNow(): void {
    if (scheduled !== null) {
      clearImmediate(scheduled);
      scheduled = null;
    }
    const writes = queue;
    queue = [];
    if (writes.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = runBatch(writes);
      commits++;
    } catch (error) {
      for (const w of writes) w.reject(batchFailed(w.name, writes.length, error));
      return;
    }
    outcomes.forEach((outcome, i) => {
      const w = writes[i] as PendingWrite;
      if (outcome.ok) w.resolve(outcome.value);
      else w.reject(writeFailed(w.name, outcome.error));
    });
  }

  return {
    write<T>(name: string, op: () => T): Promise<T> {
      if (closed) {
        return Promise.reject(
          new StoreError('store_closed', `${name} after the store was closed; nothing was stored`),
        );
      }
      return new Promise<T>((resolve, reject) => {
        queue.push({ name, op, resolve: resolve as (value: unknown) => void, reject });
        scheduled ??= setImmediate(flushNow);
      });
    },
    flushNow,
    close() {
      closed = true;
      flushNow();
    },
    get commits() {
      return commits;
    },
    get pending() {
      return queue.length;
    },
  };
}

function writeFailed(name: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError('store_write_failed', `${name} was not stored: ${errorMessage(error)}`, {
    sqliteCode: sqliteCode(error),
  });
}

function batchFailed(name: string, size: number, error: unknown): StoreError {
  return new StoreError(
    'store_write_failed',
    `${name} was not stored: the transaction of ${size} write(s) it was part of failed: ${errorMessage(error)}`,
    { sqliteCode: sqliteCode(error) },
  );
}

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
