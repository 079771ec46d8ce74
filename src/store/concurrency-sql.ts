/**
 * @module store/concurrency-sql
 * The claim's concurrency rule as SQL, the same on SQLite and PostgreSQL: a queued job with a
 * concurrency key starts only while fewer than its limit of its key's jobs are running, and
 * fewer than that are running or queued ahead of it — so each key keeps arrival order, and a
 * key at its limit does not hold back jobs of other keys (the claim passes over its jobs).
 *
 * Cost: a saturated key is found by counting its running jobs (at most its limit, on the
 * index jobs_by_concurrency); jobs ahead are counted only when a slot is free, capped at
 * {@link MAX_CONCURRENCY_LIMIT} rows (a LIMIT must be a constant).
 *
 * @example
 *   `UPDATE jobs SET … WHERE id = @id AND ${concurrencyAllows('jobs')}`
 */

/** The largest `concurrency.limit` a workflow may set. */
export const MAX_CONCURRENCY_LIMIT = 1000;

function sameKey(j: string): string {
  return `o.workflow = ${j}.workflow AND o.concurrency_key = ${j}.concurrency_key`;
}

/** True when the job `j` (a table alias) may be claimed now under its concurrency. */
export function concurrencyAllows(j: string): string {
  const running = `(SELECT count(*) FROM jobs o WHERE ${sameKey(j)} AND o.status = 'running')`;
  const ahead = `(SELECT count(*) FROM (SELECT 1 FROM jobs o WHERE ${sameKey(j)}
    AND o.status = 'queued' AND o.seq < ${j}.seq LIMIT ${MAX_CONCURRENCY_LIMIT}) a)`;
  return `(${j}.concurrency_key IS NULL OR ${j}.status = 'running'
    OR (${running} < ${j}.concurrency_limit AND ${running} + ${ahead} < ${j}.concurrency_limit))`;
}
