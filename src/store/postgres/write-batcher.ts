/**
 * @module store/postgres/write-batcher
 * Group commit of the ingest path. Events accepted in one event-loop turn are written by ONE
 * statement (statements.ts ACCEPT_BATCH: one round trip, its own transaction): their dedupe
 * keys and their jobs; after the commit, a wake-up for the listening workers (pool.ts
 * `wakeWorkers`: a NOTIFY inside the statement would serialise the batches' commits). Each
 * caller's promise settles after that statement returned, i.e. after COMMIT (with
 * `synchronous_commit` on, the commit is on disk), so ingress answers 2xx only for an event
 * that survives a crash. Batches are not serialised: the batch of the next turn goes out on
 * another pool connection while this one commits, so PostgreSQL groups their WAL flushes.
 *
 * Dedupe holds across the batch and the table: within a batch, a key's first event is the
 * candidate and later ones are its duplicates; the candidates' keys are inserted with ON
 * CONFLICT, which waits for another process's uncommitted insert of the same key and replaces
 * only an expired row. A key that lost answers with the winner's job id and answer.

 * A failed commit rejects every event of its batch: `store_unavailable` when the database was
 * out of reach, `store_write_failed` otherwise. Nothing of the batch was stored.
 *
 * @example
 *   const batcher = createIngestBatcher(db);
 *   const result = await batcher.accept(event);
 */
import { StoreError } from '../errors.js';
import { storeError } from './errors.js';
import { jsonOrNull, parseReply, traceText } from './rows.js';
import type {
  AcceptResult,
  JobConcurrency,
  JobTrace,
  FailureTriggerData,
  NewEvent,
  TimedTriggerData,
  TriggerData,
} from '../types.js';
import type { PgAccess } from './pool.js';
import { ACCEPT_BATCH, FIND_DEDUPE } from './statements.js';
import { acceptDebounced } from './debounce.js';
import type { SearchTerm } from '../../search/index.js';

/** A queued job to insert with the batch (a rerun); resolves with nothing but durability. */
export interface NewJob {
  id: string;
  workflow: string;
  trigger: TriggerData | TimedTriggerData | FailureTriggerData;
  rerunOf: string | null;
  trace: JobTrace | null;
  concurrency?: JobConcurrency | undefined;
  version: string | null;
  search?: SearchTerm[] | undefined;
}

export interface IngestBatcher {
  accept(event: NewEvent): Promise<AcceptResult>;
  create(job: NewJob): Promise<void>;
  /** Rejects later calls with `store_closed` and waits for the batch in flight. */
  close(): Promise<void>;
}

interface Pending {
  event: NewEvent | null;
  job: NewJob | null;
  resolve(result: AcceptResult): void;
  reject(error: unknown): void;
}

export function createIngestBatcher(db: PgAccess): IngestBatcher {
  let queue: Pending[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  let closed = false;
  const inFlight = new Set<Promise<void>>();

  function enqueue(p: Omit<Pending, 'resolve' | 'reject'>): Promise<AcceptResult> {
    if (closed) {
      return Promise.reject(
        new StoreError('store_closed', 'a write after the store was closed; nothing was stored'),
      );
    }
    return new Promise<AcceptResult>((resolve, reject) => {
      queue.push({ ...p, resolve, reject });
      scheduled ??= setImmediate(flush);
    });
  }

  function flush(): void {
    scheduled = null;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    const run = commit(batch).finally(() => inFlight.delete(run));
    inFlight.add(run);
  }

  async function commit(batch: Pending[]): Promise<void> {
    let results: Array<AcceptResult | StoreError>;
    try {
      results = await writeBatch(
        db,
        batch.length === 1 ? 'acceptEvent' : `acceptEvent (batch of ${batch.length})`,
        batch,
      );
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      const result = results[i] as AcceptResult | StoreError;
      if (result instanceof StoreError) p.reject(result);
      else p.resolve(result);
    });
  }

  return {
    accept: (event) => enqueue({ event, job: null }),
    create: async (job) => {
      await enqueue({ event: null, job });
    },
    async close() {
      closed = true;
      if (scheduled !== null) {
        clearImmediate(scheduled);
        flush();
      }
      await Promise.all(inFlight);
    },
  };
}

interface LostKey {
  id: string;
  job_id: string | null;
  answer: string | null;
}

interface AcceptRow {
  inserted: number;
  taken: string[];
  lost: LostKey[];
}

async function writeBatch(
  db: PgAccess,
  operation: string,
  batch: Pending[],
): Promise<Array<AcceptResult | StoreError>> {
  const results: Array<AcceptResult | StoreError | null> = batch.map(() => null);
  // An id twice in one batch: the later one fails alone.
  const ids = new Set<string>();
  batch.forEach((p, i) => {
    const id = (p.event?.id ?? p.job?.id) as string;
    if (ids.has(id)) results[i] = takenId(id);
    ids.add(id);
  });
  // Dedupe within the batch: the first event of a key is its candidate, later ones wait for
  // its outcome.
  const candidates = new Map<string, number>();
  const duplicateOf = new Map<number, number>();
  batch.forEach((p, i) => {
    const dedupe = p.event?.dedupe;
    if (!p.event || dedupe === undefined || results[i] !== null) return;
    const k = JSON.stringify([p.event.workflow, dedupe.key]);
    const first = candidates.get(k);
    if (first === undefined) candidates.set(k, i);
    else duplicateOf.set(i, first);
  });

  const sent: Array<{ i: number; job: NewJob; event: NewEvent | null }> = [];
  const debounced: Array<{ i: number; event: NewEvent }> = [];
  batch.forEach((p, i) => {
    if (results[i] !== null || duplicateOf.has(i)) return;
    if (p.job) sent.push({ i, job: p.job, event: null });
    else if (p.event?.debounce) debounced.push({ i, event: p.event });
    else if (p.event) {
      const { id, workflow, trigger, concurrency } = p.event;
      const trace = p.event.trace ?? null;
      const version = p.event.version ?? null;
      const { search } = p.event;
      const job = { id, workflow, trigger, rerunOf: null, trace, concurrency, version, search };
      sent.push({ i, job, event: p.event });
    }
  });
  if (sent.length > 0) {
    const { rows } = await db.query<AcceptRow>(operation, ACCEPT_BATCH, [
      sent.map((s) => s.job.id),
      sent.map((s) => s.job.workflow),
      sent.map((s) => JSON.stringify(s.job.trigger)),
      sent.map((s) => s.job.rerunOf),
      sent.map((s) => traceText(s.job.trace)),
      sent.map((s) => s.job.concurrency?.key ?? null),
      sent.map((s) => s.job.concurrency?.limit ?? null),
      sent.map((s) => s.job.version),
      sent.map((s) => s.event?.dedupe?.key ?? null),
      sent.map((s) => jsonOrNull(s.event?.answer)),
      sent.map((s) => s.event?.dedupe?.expiresAt ?? null),
      Date.now(),
      ...searchTermColumns(sent.map((s) => s.job)),
    ]);
    const row = rows[0] as AcceptRow;
    if (row.inserted > 0) db.wakeWorkers();
    const taken = new Set(row.taken);
    const lost = new Map<string, LostKey | StoreError>(row.lost.map((l) => [l.id, l]));
    // A key lost to an insert that committed while this statement waited: read it now.
    const unseen = new Set(row.lost.filter((l) => l.job_id === null).map((l) => l.id));
    if (unseen.size > 0) {
      const events = sent.filter((s) => unseen.has(s.job.id)).map((s) => s.event as NewEvent);
      for (const [id, l] of await readLostKeys(db, operation, events)) lost.set(id, l);
    }
    for (const { i, job } of sent) {
      const l = lost.get(job.id);
      if (taken.has(job.id)) results[i] = takenId(job.id);
      else if (l instanceof StoreError) results[i] = l;
      else if (l !== undefined) {
        results[i] = { kind: 'duplicate', jobId: l.job_id as string, answer: parseReply(l.answer) };
      } else results[i] = { kind: 'accepted', jobId: job.id };
    }
  }
  // After the batch statement: were it to fail, the whole batch fails with nothing stored.
  if (debounced.length > 0) {
    const events = debounced.map((d) => d.event);
    const outcomes = await acceptDebounced(db, operation, events);
    debounced.forEach((d, k) => {
      results[d.i] = outcomes[k] as AcceptResult | StoreError;
    });
  }
  for (const [i, first] of duplicateOf) {
    const firstResult = results[first];
    const firstEvent = batch[first]?.event as NewEvent;
    results[i] =
      firstResult !== null &&
      !(firstResult instanceof StoreError) &&
      firstResult?.kind === 'duplicate'
        ? firstResult
        : {
            kind: 'duplicate',
            // A debounced first event may have joined an older job.
            jobId:
              firstResult && !(firstResult instanceof StoreError)
                ? firstResult.jobId
                : firstEvent.id,
            answer: firstEvent.answer ?? null,
          };
  }
  return results as Array<AcceptResult | StoreError>;
}

/**
 * The live rows of keys lost to inserts that committed after the batch's snapshot. The batch
 * is committed by now: a failed read fails only these events (none of which was stored).
 */
async function readLostKeys(
  db: PgAccess,
  operation: string,
  events: NewEvent[],
): Promise<Map<string, LostKey | StoreError>> {
  const out = new Map<string, LostKey | StoreError>();
  try {
    const found = await db.query<{
      workflow: string;
      key: string;
      job_id: string;
      answer: string | null;
    }>(operation, FIND_DEDUPE, [events.map((e) => e.workflow), events.map((e) => e.dedupe?.key)]);
    const byKey = new Map(found.rows.map((r) => [JSON.stringify([r.workflow, r.key]), r]));
    for (const e of events) {
      const r = byKey.get(JSON.stringify([e.workflow, e.dedupe?.key]));
      out.set(
        e.id,
        r === undefined
          ? new StoreError(
              'store_write_failed',
              `dedupe key of event ${e.id} neither won nor found; nothing was stored, retry`,
            )
          : { id: e.id, job_id: r.job_id, answer: r.answer },
      );
    }
  } catch (error) {
    for (const e of events) out.set(e.id, storeError(operation, error));
  }
  return out;
}

/** ACCEPT_BATCH's $14–$16: the search terms of every job, one row per term. */
function searchTermColumns(jobs: NewJob[]): [string[], string[], string[]] {
  const cols: [string[], string[], string[]] = [[], [], []];
  for (const job of jobs) {
    for (const t of job.search ?? []) {
      cols[0].push(job.id);
      cols[1].push(t.path);
      cols[2].push(t.term);
    }
  }
  return cols;
}

/** An event or job whose id is already taken fails alone; the rest of its batch commits. */
function takenId(id: string): StoreError {
  return new StoreError(
    'store_write_failed',
    `acceptEvent was not stored: job id ${id} is taken; generate ids with newJobId()`,
  );
}
