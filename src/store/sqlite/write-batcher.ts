/**
 * @module store/sqlite/write-batcher
 * Group commit. Every write of the store goes through `write()`: writes queued in the same
 * event-loop turn run in ONE transaction, flushed by `setImmediate`, and each caller's promise
 * settles only after that transaction is durable.
 *
 * Durability argument: the database runs in WAL mode. With `walFile` given (the store's
 * default), it runs with `synchronous = NORMAL`: COMMIT writes the transaction's frames to the
 * WAL without syncing, and the batcher then syncs the WAL file itself with `fs.fdatasync` (its
 * data and size, as SQLite's own sync does), on libuv's thread pool, and settles the promises
 * of every transaction committed before that sync began only when it returns. Without
 * `walFile`, the caller must run `synchronous = FULL` (COMMIT syncs, on this thread). Either
 * way a promise resolves after the write is on disk, ingress answers 2xx only after
 * `acceptEvent` resolved, and an answered event survives a crash of the process or of the
 * machine. (Checkpoints in NORMAL mode sync the WAL before copying it and the database after,
 * so frames already copied are durable too.)
 *
 * Moving the sync off the event loop matters: a FULL commit blocks the only thread for the
 * ~1 ms of an fsync, during which the thread can do nothing else. Here commits keep going
 * while a sync runs (each turn's writes commit in that turn), and when it returns one sync
 * covers every commit made meanwhile: a durable write waits for the end of the running sync
 * and one more at most.
 *
 * One failing write (say a duplicate id) rejects only its caller; the rest of the batch
 * commits. Savepoints give that isolation but copy every page a write touches (about a fifth
 * of ingest CPU), so a batch first runs without them; only when a write threw is it rolled
 * back and run again with one SAVEPOINT per write. Hence a write `op` must be synchronous and
 * depend on nothing but the database and the values it captured: it may run twice.
 *
 * A failed fsync leaves the state of the file unknown (the kernel may have dropped the dirty
 * pages): the batcher rejects the writes it covered and every later one, and the store must
 * be reopened.
 *
 * @example
 *   const batcher = createWriteBatcher(db, { walFile: `${file}-wal` });
 *   const changed = await batcher.write('finishJob', () => finish.run(id).changes > 0);
 */
import fs from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { errorMessage } from '../../errors.js';
import { StoreError } from '../errors.js';

export interface WriteBatcherOptions {
  /**
   * The database's WAL file. Given, the batcher syncs it after commits, off the event
   * loop, before settling (the database must run `synchronous = NORMAL`); left out, COMMIT
   * itself must be durable (`synchronous = FULL`).
   */
  walFile?: string;
}

export interface WriteOptions {
  /**
   * false: settle as soon as the transaction has committed, before the fsync — for writes a
   * crash may lose without harm (a job's claim: the job stays queued and is resumed).
   */
  durable?: boolean;
}

export interface WriteBatcher {
  /** Queues `op` (synchronous SQL) for the next group commit; resolves with its result. */
  write<T>(name: string, op: () => T, opts?: WriteOptions): Promise<T>;
  /** Commits every queued write now; their promises still wait for the fsync. */
  flushNow(): void;
  /**
   * Commits every queued write and rejects every later `write()` with `store_closed`;
   * resolves once every committed write is durable and settled.
   */
  close(): Promise<void>;
  /** How many transactions have committed, for tests and metrics. */
  readonly commits: number;
  /** How many WAL fsyncs have completed, for tests and metrics. */
  readonly syncs: number;
  /** Writes waiting for the next flush. */
  readonly pending: number;
}

interface PendingWrite {
  name: string;
  op: () => unknown;
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** A committed batch waiting for the fsync that makes it durable. */
type Settle = (syncError: unknown) => void;

export function createWriteBatcher(
  db: BetterSqlite3.Database,
  opts: WriteBatcherOptions = {},
): WriteBatcher {
  let queue: PendingWrite[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  let closed = false;
  let commits = 0;
  let syncs = 0;

  // Asynchronous fdatasync of the WAL, pipelined with commits: while one runs, the next
  // batches commit and wait in `unsynced`; when it returns, one fdatasync starts for all of
  // them. So a write waits for at most the end of the running sync and one more, and the
  // loop never waits for the disk.
  let walFd: number | null = null;
  let syncing = false;
  let unsynced: Settle[] = [];
  let broken: StoreError | null = null;
  const drained: Array<() => void> = [];

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

  function startSync(): void {
    const groups = unsynced;
    unsynced = [];
    syncing = true;
    try {
      walFd ??= openWal(opts.walFile as string);
    } catch (error) {
      finishSync(groups, error);
      return;
    }
    // fdatasync: the WAL's data and its size, not its timestamps (what SQLite itself uses).
    fs.fdatasync(walFd, (error) => finishSync(groups, error));
  }

  function finishSync(groups: Settle[], error: unknown): void {
    syncing = false;
    if (error) {
      broken ??= new StoreError(
        'store_write_failed',
        `the database's WAL could not be synced to disk (${errorMessage(error)}); writes are refused until Hookflow restarts`,
      );
    } else {
      syncs++;
    }
    for (const group of groups) group(error ? broken : null);
    // After a failed sync nothing committed since can be called durable, whatever a later
    // sync would say.
    if (broken) for (const group of unsynced.splice(0)) group(broken);
    if (unsynced.length > 0) startSync();
    else drained.splice(0).forEach((f) => f());
  }

  function settle(w: PendingWrite, outcome: Outcome, syncError: unknown): void {
    if (syncError) w.reject(syncError);
    else if (outcome.ok) w.resolve(outcome.value);
    else w.reject(writeFailed(w.name, outcome.error));
  }

  function flushNow(): void {
    if (scheduled !== null) {
      clearImmediate(scheduled);
      scheduled = null;
    }
    const writes = queue;
    queue = [];
    if (writes.length === 0) return;
    if (broken) {
      for (const w of writes) w.reject(broken);
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = runBatch(writes);
      commits++;
    } catch (error) {
      for (const w of writes) w.reject(batchFailed(w.name, writes.length, error));
      return;
    }
    // Durable writes wait for the fsync that covers this commit; the others settle now.
    const later: Array<[PendingWrite, Outcome]> = [];
    writes.forEach((w, i) => {
      const outcome = outcomes[i] as Outcome;
      if (w.durable && opts.walFile !== undefined) later.push([w, outcome]);
      else settle(w, outcome, null);
    });
    if (later.length === 0) return;
    unsynced.push((syncError) => {
      for (const [w, outcome] of later) settle(w, outcome, syncError);
    });
    if (!syncing) startSync();
  }

  return {
    write<T>(name: string, op: () => T, writeOpts: WriteOptions = {}): Promise<T> {
      if (closed) {
        return Promise.reject(
          new StoreError('store_closed', `${name} after the store was closed; nothing was stored`),
        );
      }
      if (broken) return Promise.reject(broken);
      return new Promise<T>((resolve, reject) => {
        queue.push({
          name,
          op,
          durable: writeOpts.durable !== false,
          resolve: resolve as (value: unknown) => void,
          reject,
        });
        scheduled ??= setImmediate(flushNow);
      });
    },
    flushNow,
    async close() {
      closed = true;
      flushNow();
      if (syncing) await new Promise<void>((resolve) => drained.push(resolve));
      if (walFd !== null) {
        fs.closeSync(walFd);
        walFd = null;
      }
    },
    get commits() {
      return commits;
    },
    get syncs() {
      return syncs;
    },
    get pending() {
      return queue.length;
    },
  };
}

/**
 * Opens the WAL for fsync. The directory is synced once too, so that the WAL file's own entry
 * (created by SQLite when it was first written) survives a power loss.
 */
function openWal(walFile: string): number {
  const fd = fs.openSync(walFile, 'r+');
  const dir = fs.openSync(path.dirname(walFile), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
  return fd;
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
