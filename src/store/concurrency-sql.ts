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

/**
 * True when the job `j` is due: its `run_after` (debounce) has passed. `now` is the SQL of
 * the current epoch ms (a parameter on SQLite, the database's clock on PostgreSQL).
 */
export function isDue(j: string, now: string): string {
  return `(${j}.run_after IS NULL OR ${j}.run_after <= ${now})`;
}

/**
 * True when the job `j` (a table alias) may be claimed now under its concurrency. Jobs of its
 * key not yet due (a debounced burst still gathering) are not ahead of it: they wait for their
 * time, not for their turn.
 */
export function concurrencyAllows(j: string, now: string): string {
  const running = `(SELECT count(*) FROM jobs o WHERE ${sameKey(j)} AND o.status = 'running')`;
  const ahead = `(SELECT count(*) FROM (SELECT 1 FROM jobs o WHERE ${sameKey(j)}
    AND o.status = 'queued' AND o.seq < ${j}.seq AND ${isDue('o', now)}
    LIMIT ${MAX_CONCURRENCY_LIMIT}) a)`;
  return `(${j}.concurrency_key IS NULL OR ${j}.status = 'running'
    OR (${running} < ${j}.concurrency_limit AND ${running} + ${ahead} < ${j}.concurrency_limit))`;
}

/**
 * Queued jobs held back by their concurrency key, by workflow: per key, the queued jobs that
 * are due minus the slots its running jobs leave free (under the largest limit its jobs
 * carry). Reads only the rows of the partial index jobs_by_concurrency (queued or running,
 * with a key), never the whole table.
 */
export function waitingOnConcurrencySql(now: string): string {
  const free = `CASE WHEN k.free > 0 THEN k.free ELSE 0 END`;
  return `
  SELECT workflow, sum(CASE WHEN k.due > ${free} THEN k.due - ${free} ELSE 0 END) AS jobs
  FROM (
    SELECT workflow,
      count(*) FILTER (WHERE status = 'queued' AND ${isDue('jobs', now)}) AS due,
      max(concurrency_limit) - count(*) FILTER (WHERE status = 'running') AS free
    FROM jobs WHERE concurrency_key IS NOT NULL AND status IN ('queued', 'running')
    GROUP BY workflow, concurrency_key) k
  GROUP BY workflow HAVING sum(CASE WHEN k.due > ${free} THEN k.due - ${free} ELSE 0 END) > 0
  ORDER BY workflow`;
}

/**
 * The columns a job's `waiting` is made of (job-rows.ts waitingOf), for a query on `jobs`
 * (no alias): `held` is the claim's own rule, evaluated only for queued jobs with a key.
 */
export function waitingColumns(now: string): string {
  return `run_after, concurrency_key, concurrency_limit, debounce_count, debounce_last_at,
    CASE WHEN status = 'queued' AND concurrency_key IS NOT NULL
      THEN NOT ${concurrencyAllows('jobs', now)} END AS held`;
}
