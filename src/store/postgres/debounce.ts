/**
 * @module store/postgres/debounce
 * Debounced events on PostgreSQL (`debounce:`): the events of a batch that carry a debounce
 * key commit in ONE transaction, each joining its key's pending job or starting one. The
 * unique index jobs_debouncing (one queued job per workflow and key) is the arbiter of the
 * upsert, so two processes accepting events of one key at once end with one pending job: an
 * upsert waits for the other's uncommitted insert, then updates it. A claim takes the key off
 * the job (CLAIM_SET), after which a new event starts a new job.
 *
 * No notification is sent: the job is not runnable before `run_after`, when the workers'
 * safety poll finds it.
 *
 * @example
 *   const results = await acceptDebounced(db, 'acceptEvent', events);
 */
import { StoreError } from '../errors.js';
import { storeError } from './errors.js';
import type { PgAccess } from './pool.js';
import { jsonOrNull, parseReply, traceText } from './rows.js';
import { NOW_MS } from './statements.js';
import type { AcceptResult, JobDebounce, NewEvent } from '../types.js';

/**
 * $1 id, $2 workflow, $3 trigger, $4 trace context, $5 concurrency key, $6 its limit,
 * $7 version, $8 debounce key, $9 wait ms, $10 max wait ms. The job's id: the event's when it
 * started the burst, the pending job's when it joined it.
 */
const DEBOUNCE_EVENT = `
  INSERT INTO jobs AS j (id, workflow, status, attempt, trigger, created_at, trace_context,
    concurrency_key, concurrency_limit, version, run_after, debounce_key, debounce_count,
    debounce_deadline, debounce_last_at)
  SELECT $1, $2, 'queued', 0, $3, n.now, $4, $5, $6, $7, n.now + $9, $8, 1, n.now + $10, n.now
  FROM (SELECT ${NOW_MS} AS now) n
  ON CONFLICT (workflow, debounce_key) WHERE debounce_key IS NOT NULL AND status = 'queued'
  DO UPDATE SET trigger = excluded.trigger, debounce_count = j.debounce_count + 1,
    debounce_last_at = excluded.created_at,
    run_after = least(excluded.run_after, j.debounce_deadline)
  RETURNING id`;

/** $1 workflow, $2 key, $3 event id, $4 answer, $5 expiry, $6 now. Returns a row when won. */
const CLAIM_DEDUPE = `
  INSERT INTO dedupe (workflow, key, job_id, answer, expires_at) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (workflow, key) DO UPDATE
    SET job_id = excluded.job_id, answer = excluded.answer, expires_at = excluded.expires_at
    WHERE dedupe.expires_at <= $6
  RETURNING job_id`;

const FIND_KEY = 'SELECT job_id, answer FROM dedupe WHERE workflow = $1 AND key = $2';
const POINT_KEY = 'UPDATE dedupe SET job_id = $3 WHERE workflow = $1 AND key = $2';

/**
 * Commits `events` (each with `debounce`) in one transaction, in order; a failure fails each of
 * them (none was stored) and nothing else of their batch.
 */
export async function acceptDebounced(
  db: PgAccess,
  operation: string,
  events: NewEvent[],
): Promise<Array<AcceptResult | StoreError>> {
  try {
    return await db.transaction(operation, async (client) => {
      const results: AcceptResult[] = [];
      for (const e of events) {
        const { dedupe } = e;
        if (dedupe !== undefined) {
          const won = await client.query(CLAIM_DEDUPE, [
            e.workflow,
            dedupe.key,
            e.id,
            jsonOrNull(e.answer),
            dedupe.expiresAt,
            Date.now(),
          ]);
          if (won.rowCount === 0) {
            // Lost to a live key: committed before this statement, or while it waited.
            const { rows } = await client.query<{ job_id: string; answer: string | null }>(
              FIND_KEY,
              [e.workflow, dedupe.key],
            );
            const seen = rows[0];
            if (seen === undefined) throw lostKey(e.id);
            results.push({
              kind: 'duplicate',
              jobId: seen.job_id,
              answer: parseReply(seen.answer),
            });
            continue;
          }
        }
        const d = e.debounce as JobDebounce;
        const { rows } = await client.query<{ id: string }>(DEBOUNCE_EVENT, [
          e.id,
          e.workflow,
          JSON.stringify(e.trigger),
          traceText(e.trace),
          e.concurrency?.key ?? null,
          e.concurrency?.limit ?? null,
          e.version ?? null,
          d.key,
          d.waitMs,
          d.maxWaitMs,
        ]);
        const jobId = (rows[0] as { id: string }).id;
        // A duplicate of this event is answered with the job that carries it.
        if (dedupe !== undefined && jobId !== e.id) {
          await client.query(POINT_KEY, [e.workflow, dedupe.key, jobId]);
        }
        results.push({ kind: 'accepted', jobId });
      }
      return results;
    });
  } catch (error) {
    const failed = error instanceof StoreError ? error : storeError(operation, error);
    return events.map(() => failed);
  }
}

function lostKey(id: string): StoreError {
  return new StoreError(
    'store_write_failed',
    `dedupe key of event ${id} neither won nor found; nothing was stored, retry`,
  );
}
