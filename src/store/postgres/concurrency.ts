/**
 * @module store/postgres/concurrency
 * Closing the race of two claimers on one concurrency key. A claim's count (concurrency-sql.ts)
 * reads the statement's snapshot: a job of the same key claimed by another worker whose commit
 * the snapshot missed is not counted, so two workers can each start one (when ids committed
 * out of order by two ingresses). After claiming, the claimer takes a transaction-level
 * advisory lock per key it claimed (sorted: no deadlock between claimers), then counts again in
 * a new statement — a fresh snapshot that sees every claim committed before the lock was
 * granted — and puts back the jobs that went over. The lock is held until the claim commits,
 * so claims of one key are counted one after the other. Claims without a key skip all this.
 *
 * @example
 *   const kept = await enforceConcurrency(client, schema, rows, owner);
 */
import type pg from 'pg';
import type { ClaimRow } from './rows.js';
import { isDue } from '../concurrency-sql.js';
import { NOW_MS } from './statements.js';

/** $1 lock keys (text), sorted and distinct. */
const LOCK_KEYS = `
  SELECT count(pg_advisory_xact_lock(h)) FROM (
    SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY h) s`;

/**
 * $1 seqs claimed by this transaction, $2 owner. A claimed job goes back to queued when
 * `limit` others of its key are running (claimed by others) or are ahead of it (queued, or
 * claimed in this batch), as if it had never been claimed.
 */
const PUT_BACK_OVER_LIMIT = `
  UPDATE jobs j SET status = 'queued', owner = NULL, lease_until = NULL, attempt = attempt - 1,
    started_at = CASE WHEN attempt = 1 THEN NULL ELSE started_at END
  WHERE j.seq = ANY($1::bigint[]) AND j.owner = $2 AND j.concurrency_key IS NOT NULL
    AND (SELECT count(*) FROM jobs o
         WHERE o.workflow = j.workflow AND o.concurrency_key = j.concurrency_key
           AND o.seq <> j.seq AND o.status IN ('queued', 'running')
           AND ((o.status = 'running' AND NOT o.seq = ANY($1::bigint[]))
             OR (o.seq < j.seq AND ((o.status = 'queued' AND ${isDue('o', NOW_MS)})
               OR o.seq = ANY($1::bigint[])))))
        >= j.concurrency_limit
  RETURNING j.seq`;

/** The claimed rows that stay claimed; the others are queued again in this transaction. */
export async function enforceConcurrency(
  client: pg.PoolClient,
  schema: string,
  rows: ClaimRow[],
  owner: string,
): Promise<ClaimRow[]> {
  const keyed = rows.filter((r) => r.concurrency_key !== null && r.concurrency_key !== undefined);
  if (keyed.length === 0) return rows;
  const keys = [
    ...new Set(keyed.map((r) => `${schema}\n${r.workflow}\n${r.concurrency_key as string}`)),
  ];
  await client.query(LOCK_KEYS, [keys]);
  const { rows: putBack } = await client.query<{ seq: string | number }>(PUT_BACK_OVER_LIMIT, [
    keyed.map((r) => r.seq),
    owner,
  ]);
  if (putBack.length === 0) return rows;
  const back = new Set(putBack.map((r) => Number(r.seq)));
  return rows.filter((r) => !back.has(Number(r.seq)));
}
