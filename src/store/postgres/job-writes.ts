/**
 * @module store/postgres/job-writes
 * Group commit of the writes of running jobs (steps, replies, finishes), as the SQLite store
 * does: the writes of every job made in one event-loop turn go to PostgreSQL as ONE statement
 * (statements.ts JOB_WRITES: one round trip, its own transaction, one WAL flush), where one
 * statement per write made two to four synchronous commits per job.
 *
 * A job's writes run in the order they were called (the engine queues a step, then the finish,
 * unawaited): a job has at most one batch in flight; what it writes meanwhile waits for the
 * next. Within a batch the statement stores steps and reply before the finish, so a job's
 * writes up to and including its finish share one batch, and a write after the finish (or a
 * second write of the same step or reply) waits for the next one — where, as before, the owner
 * check refuses it. Batches of different jobs are not serialised: each goes out on its own pool
 * connection, and PostgreSQL groups their flushes.
 *
 * Each write resolves with whether it was stored (the job was still held by that owner); a
 * failed statement rejects every write of its batch, none of which was stored.
 *
 * @example
 *   const writes = createJobWrites(db);
 *   const stored = await writes.write({ kind: 'finish', jobId, owner, status: 'succeeded', error: null });
 */
import type { FailureJob } from '../types.js';
import type { InsertStepParams } from './rows.js';
import type { PgAccess } from './pool.js';
import { StoreError } from '../errors.js';
import { FINISH_JOB, INSERT_FAILURE_JOB, JOB_WRITES, RELEASE_JOB } from './statements.js';

export type JobWrite =
  | { kind: 'step'; jobId: string; owner: string; step: InsertStepParams }
  | { kind: 'reply'; jobId: string; owner: string; reply: string }
  | {
      kind: 'finish';
      jobId: string;
      owner: string;
      status: string;
      error: string | null;
      /** The error workflow's job, committed with the finish (a statement of its own). */
      onFailure?: FailureJob | undefined;
    }
  | { kind: 'release'; jobId: string; owner: string };

export interface JobWrites {
  /** Resolves true when stored, false when the owner no longer holds the job. */
  write(w: JobWrite): Promise<boolean>;
  /** Rejects later writes with `store_closed`; waits for every queued one. */
  close(): Promise<void>;
}

const OPERATIONS = {
  step: 'saveStep',
  reply: 'saveReply',
  finish: 'finishJob',
  release: 'releaseJob',
} as const;

interface Entry {
  w: JobWrite;
  resolve(stored: boolean): void;
  reject(error: unknown): void;
}

interface JobQueue {
  waiting: Entry[];
  inFlight: boolean;
}

export function createJobWrites(db: PgAccess): JobWrites {
  const jobs = new Map<string, JobQueue>();
  let scheduled: NodeJS.Immediate | null = null;
  let closed = false;
  const inFlight = new Set<Promise<void>>();

  function schedule(): void {
    scheduled ??= setImmediate(flush);
  }

  function flush(): void {
    scheduled = null;
    const batch: Entry[] = [];
    const alone: Entry[] = [];
    for (const q of jobs.values()) {
      if (q.inFlight || q.waiting.length === 0) continue;
      const taken = takeRun(q.waiting);
      if (goesAlone(taken[0]?.w)) alone.push(...taken);
      else batch.push(...taken);
      q.inFlight = true;
    }
    if (batch.length > 0) track(commit(batch));
    for (const e of alone) track(commitAlone(e));
  }

  function track(run: Promise<Entry[]>): void {
    const done = run.then(settled).finally(() => inFlight.delete(done));
    inFlight.add(done);
  }

  /** The batch's jobs may send their next writes. */
  function settled(entries: Entry[]): void {
    for (const e of entries) {
      const q = jobs.get(e.w.jobId);
      if (!q) continue;
      q.inFlight = false;
      if (q.waiting.length === 0) jobs.delete(e.w.jobId);
      else schedule();
    }
  }

  async function commit(batch: Entry[]): Promise<Entry[]> {
    try {
      const { rows } = await db.query<{ id: string | null }>(
        batch.length === 1
          ? OPERATIONS[batch[0]?.w.kind ?? 'step']
          : `job writes (batch of ${batch.length})`,
        JOB_WRITES,
        params(batch),
      );
      const held = new Set(rows.map((r) => r.id).filter((id) => id !== null));
      if (rows.some((r) => r.id === null)) db.wakeWorkers();
      for (const e of batch) e.resolve(held.has(e.w.jobId));
    } catch (error) {
      for (const e of batch) e.reject(error);
    }
    return batch;
  }

  /** A release, or a finish with an error workflow's job: in a statement of their own. */
  async function commitAlone(e: Entry): Promise<Entry[]> {
    const { w } = e;
    try {
      if (w.kind === 'finish' && w.onFailure) {
        const { onFailure } = w;
        const done = await db.transaction('finishJob', async (client) => {
          const finished = await client.query(FINISH_JOB, [w.status, w.error, w.jobId, w.owner]);
          if ((finished.rowCount ?? 0) === 0) return false;
          await client.query(INSERT_FAILURE_JOB, [
            onFailure.id,
            onFailure.workflow,
            JSON.stringify(onFailure.trigger),
            onFailure.version,
            w.jobId,
          ]);
          return true;
        });
        // The error workflow's job (if not already reported), or a freed concurrency slot.
        if (done) db.wakeWorkers();
        e.resolve(done);
      } else {
        const { rowCount } = await db.query('releaseJob', RELEASE_JOB, [w.jobId, w.owner]);
        e.resolve((rowCount ?? 0) > 0);
      }
    } catch (error) {
      e.reject(error);
    }
    return [e];
  }

  return {
    write(w) {
      if (closed) {
        return Promise.reject(
          new StoreError('store_closed', `${w.kind} of job ${w.jobId} after the store was closed`),
        );
      }
      return new Promise<boolean>((resolve, reject) => {
        let q = jobs.get(w.jobId);
        if (!q) jobs.set(w.jobId, (q = { waiting: [], inFlight: false }));
        q.waiting.push({ w, resolve, reject });
        if (!q.inFlight) schedule();
      });
    },
    async close() {
      closed = true;
      while (jobs.size > 0 || inFlight.size > 0) {
        if (inFlight.size > 0) await Promise.all(inFlight);
        else await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

/**
 * The writes of one job that may share a statement, taken from the front of its queue: up to
 * its finish, never one step seq or reply twice, one owner.
 */
function takeRun(waiting: Entry[]): Entry[] {
  if (goesAlone(waiting[0]?.w)) return waiting.splice(0, 1);
  const owner = waiting[0]?.w.owner;
  const seqs = new Set<number>();
  let replied = false;
  let n = 0;
  for (const e of waiting) {
    const { w } = e;
    if (goesAlone(w) || w.owner !== owner) break;
    if (w.kind === 'step') {
      if (seqs.has(w.step.seq)) break;
      seqs.add(w.step.seq);
    }
    if (w.kind === 'reply') {
      if (replied) break;
      replied = true;
    }
    n++;
    if (w.kind === 'finish') break;
  }
  return waiting.splice(0, n);
}

/** A release, and a finish that adds an error workflow's job, are not batched. */
function goesAlone(w: JobWrite | undefined): boolean {
  return w?.kind === 'release' || (w?.kind === 'finish' && w.onFailure !== undefined);
}

/** JOB_WRITES' parameters: one row per job (owner, reply, finish), one per step. */
function params(batch: Entry[]): unknown[] {
  const rows = new Map<
    string,
    { owner: string; reply: string | null; status: string | null; error: string | null }
  >();
  const steps: InsertStepParams[] = [];
  for (const { w } of batch) {
    let row = rows.get(w.jobId);
    if (!row) rows.set(w.jobId, (row = { owner: w.owner, reply: null, status: null, error: null }));
    if (w.kind === 'step') steps.push(w.step);
    else if (w.kind === 'reply') row.reply = w.reply;
    else if (w.kind === 'finish') {
      row.status = w.status;
      row.error = w.error;
    }
  }
  const r = [...rows];
  return [
    r.map(([id]) => id),
    r.map(([, x]) => x.owner),
    r.map(([, x]) => x.reply),
    r.map(([, x]) => x.status),
    r.map(([, x]) => x.error),
    steps.map((s) => s.jobId),
    steps.map((s) => s.seq),
    steps.map((s) => s.id),
    steps.map((s) => s.type),
    steps.map((s) => s.status),
    steps.map((s) => s.input),
    steps.map((s) => s.output),
    steps.map((s) => s.error),
    steps.map((s) => s.attempts),
    steps.map((s) => s.startedAt),
    steps.map((s) => s.durationMs),
    steps.map((s) => s.waitedMs),
  ];
}
