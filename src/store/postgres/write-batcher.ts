/**
 * @module store/postgres/write-batcher
 * Group commit of the ingest path. Events accepted in one event-loop turn are written in ONE
 * transaction: their dedupe keys by one multi-row INSERT … ON CONFLICT, their jobs by another,
 * and a `pg_notify` of the new job ids, delivered to listening workers at commit. Each
 * caller's promise settles after COMMIT returned (with `synchronous_commit` on, the commit is
 * on disk), so ingress answers 2xx only for an event that survives a crash.
 *
 * Dedupe holds across the batch and the table: within a batch, a key's first event is the
 * candidate and later ones are its duplicates; the candidates' keys are inserted with ON
 * CONFLICT, which waits for another process's uncommitted insert of the same key and replaces
 * only an expired row. A key that lost is read back (the winner's job id and answer).
 *
 * A failed commit rejects every event of its batch: `store_unavailable` when the database was
 * out of reach, `store_write_failed` otherwise. Nothing of the batch was stored.
 *
 * @example
 *   const batcher = createIngestBatcher(db);
 *   const result = await batcher.accept(event);
 */
import type pg from 'pg';
import { StoreError } from '../errors.js';
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
import { FIND_DEDUPE, INSERT_DEDUPE, INSERT_JOBS, NOTIFY_JOBS, TAKEN_IDS } from './statements.js';

/** A queued job to insert with the batch (a rerun); resolves with nothing but durability. */
export interface NewJob {
  id: string;
  workflow: string;
  trigger: TriggerData | TimedTriggerData | FailureTriggerData;
  rerunOf: string | null;
  trace: JobTrace | null;
  concurrency?: JobConcurrency | undefined;
  version: string | null;
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

/** Notification payloads stay under PostgreSQL's 8000-byte limit. */
const MAX_NOTIFY_BYTES = 7_900;

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
      results = await db.transaction(
        batch.length === 1 ? 'acceptEvent' : `acceptEvent (batch of ${batch.length})`,
        (client) => writeBatch(client, batch),
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

async function writeBatch(
  client: pg.PoolClient,
  batch: Pending[],
): Promise<Array<AcceptResult | StoreError>> {
  const now = Date.now();
  const results: Array<AcceptResult | StoreError | null> = await rejectTakenIds(client, batch);
  // Dedupe within the batch: the first event of a key is its candidate.
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

  if (candidates.size > 0) {
    const idx = [...candidates.values()];
    const events = idx.map((i) => batch[i]?.event as NewEvent);
    const won = await client.query<{ job_id: string }>(INSERT_DEDUPE, [
      events.map((e) => e.workflow),
      events.map((e) => e.dedupe?.key),
      events.map((e) => e.id),
      events.map((e) => jsonOrNull(e.answer)),
      events.map((e) => e.dedupe?.expiresAt),
      now,
    ]);
    const winners = new Set(won.rows.map((r) => r.job_id));
    const lost = events.filter((e) => !winners.has(e.id));
    if (lost.length > 0) {
      const found = await client.query<{
        workflow: string;
        key: string;
        job_id: string;
        answer: string | null;
      }>(FIND_DEDUPE, [lost.map((e) => e.workflow), lost.map((e) => e.dedupe?.key)]);
      const byKey = new Map(found.rows.map((r) => [JSON.stringify([r.workflow, r.key]), r]));
      idx.forEach((i) => {
        const e = batch[i]?.event as NewEvent;
        if (winners.has(e.id)) return;
        const row = byKey.get(JSON.stringify([e.workflow, e.dedupe?.key]));
        if (row === undefined) throw new Error(`dedupe key of event ${e.id} neither won nor found`);
        results[i] = { kind: 'duplicate', jobId: row.job_id, answer: parseReply(row.answer) };
      });
    }
  }
  for (const [i, first] of duplicateOf) {
    const firstResult = results[first];
    const firstEvent = batch[first]?.event as NewEvent;
    results[i] =
      firstResult !== null &&
      !(firstResult instanceof StoreError) &&
      firstResult?.kind === 'duplicate'
        ? firstResult
        : { kind: 'duplicate', jobId: firstEvent.id, answer: firstEvent.answer ?? null };
  }

  const jobs: NewJob[] = [];
  batch.forEach((p, i) => {
    if (results[i] instanceof StoreError) return;
    if (p.job) {
      jobs.push(p.job);
      results[i] = { kind: 'accepted', jobId: p.job.id };
    } else if (p.event && results[i] === null) {
      const { id, workflow, trigger, concurrency } = p.event;
      jobs.push({
        id,
        workflow,
        trigger,
        rerunOf: null,
        trace: p.event.trace ?? null,
        concurrency,
        version: p.event.version ?? null,
      });
      results[i] = { kind: 'accepted', jobId: id };
    }
  });
  if (jobs.length > 0) {
    await client.query(INSERT_JOBS, [
      jobs.map((j) => j.id),
      jobs.map((j) => j.workflow),
      jobs.map((j) => JSON.stringify(j.trigger)),
      jobs.map((j) => j.rerunOf),
      jobs.map(() => null),
      jobs.map((j) => traceText(j.trace)),
      jobs.map((j) => j.concurrency?.key ?? null),
      jobs.map((j) => j.concurrency?.limit ?? null),
      jobs.map((j) => j.version),
      jobs.map(() => null),
    ]);
    await client.query(NOTIFY_JOBS, [notifyPayloads(jobs.map((j) => j.id))]);
  }
  return results as Array<AcceptResult | StoreError>;
}

/**
 * An event or job whose id is already taken (in the table, or earlier in the batch) fails
 * alone, before anything of the batch is written: the others commit.
 */
async function rejectTakenIds(
  client: pg.PoolClient,
  batch: Pending[],
): Promise<Array<StoreError | null>> {
  const ids = batch.map((p) => (p.event?.id ?? p.job?.id) as string);
  const { rows } = await client.query<{ id: string }>(TAKEN_IDS, [ids]);
  const taken = new Set(rows.map((r) => r.id));
  return ids.map((id) => {
    if (!taken.has(id)) {
      taken.add(id);
      return null;
    }
    return new StoreError(
      'store_write_failed',
      `acceptEvent was not stored: job id ${id} is taken; generate ids with newJobId()`,
    );
  });
}

/** Job ids joined by commas, cut into payloads under the notification size limit. */
export function notifyPayloads(ids: string[]): string[] {
  const payloads: string[] = [];
  let current = '';
  for (const id of ids) {
    if (current !== '' && current.length + id.length + 1 > MAX_NOTIFY_BYTES) {
      payloads.push(current);
      current = '';
    }
    current = current === '' ? id : `${current},${id}`;
  }
  if (current !== '') payloads.push(current);
  return payloads;
}
