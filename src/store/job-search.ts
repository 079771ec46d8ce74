/**
 * @module store/job-search
 * `listJobs` with `match` conditions, the same on every backend: the database narrows the
 * workflow's jobs, newest first, in chunks — through the search index (`job_search`) when a
 * condition's path is declared in the workflow's `search:`, else by the texts the stored JSON
 * must hold (search/matchNeedles) — and each candidate's trigger data is then checked exactly
 * here (search/matchesTrigger), until a page is full or the workflow's jobs run out.
 *
 * Why chunks: the database filter is necessary, not sufficient, so its LIMIT cannot be the
 * page's; and why no generic index of every value: it costs about ten times an event's insert
 * (docs/benchmarks.md "Search by payload"). A scan reads windows of {@link SCAN_WINDOW} jobs
 * and stops after {@link SEARCH_BUDGET_MS}, answering what it found and a cursor to go on.
 *
 * @example
 *   const page = await searchJobs(filter, { chunk: (q) => run(searchSql(q, dialect)), nthSeq });
 */
import type { JobMatch } from '../search/index.js';
import { acceptedTerms, indexable, matchNeedles, matchesTrigger } from '../search/index.js';
import { StoreError } from './errors.js';
import { clampPageSize, decodeJobCursor, encodeJobCursor } from './job-cursor.js';
import type { JobSummaryRow } from './job-rows.js';
import { jobPage } from './job-rows.js';
import type { JobFilter, JobStatus, JobSummary } from './types.js';

/** One chunk of candidates, newest first. */
export interface SearchChunk {
  workflow: string;
  status: JobStatus | undefined;
  beforeSeq: number;
  /** A scan's window: its oldest seq (inclusive); undefined when it reaches the oldest job. */
  fromSeq: number | undefined;
  limit: number;
  /**
   * The condition the index answers: its path, the terms it accepts, and the first seq
   * indexed since the path was declared (older jobs are scanned).
   */
  indexed: { path: string; terms: string[]; since: number } | undefined;
  /** Per other condition, texts of which the stored trigger holds at least one. */
  needles: string[][];
}

export type SearchRow = JobSummaryRow & { trigger: string };

/** How a backend spells a parameter and "text holds text". */
export interface SearchDialect {
  param(n: number): string;
  contains(column: string, param: string): string;
}

const CHUNK = 500;
/** A scan reads the workflow's jobs this many at a time (one statement, tens of ms). */
export const SCAN_WINDOW = 20_000;
/** A search that scans stops after this long and answers what it found, with a cursor. */
export const SEARCH_BUDGET_MS = 1_000;

/** What a backend runs for a search. */
export interface SearchBackend {
  /** One chunk of candidates, newest first. */
  chunk(q: SearchChunk): Promise<SearchRow[]>;
  /** The seq of the `n`th newest job of the workflow below `beforeSeq`; undefined past the oldest. */
  nthSeq(workflow: string, beforeSeq: number, n: number): Promise<number | undefined>;
  /** The first seq indexed for a declared path (declareSearchPaths); undefined: not declared. */
  indexedSince(workflow: string, path: string): Promise<number | undefined>;
}

export async function searchJobs(
  filter: JobFilter,
  backend: SearchBackend,
  budgetMs = SEARCH_BUDGET_MS,
): Promise<{ jobs: JobSummary[]; nextCursor: string | null }> {
  const matches = filter.match ?? [];
  const { workflow } = filter;
  if (workflow === undefined) {
    throw new StoreError(
      'invalid_match',
      'a match needs a workflow: jobs are searched per workflow',
    );
  }
  const limit = clampPageSize(filter.limit);
  const indexedPaths = new Set(filter.indexedPaths ?? []);
  const candidate = matches.find((m) => indexedPaths.has(m.path.text) && indexable(m));
  const since = candidate && (await backend.indexedSince(workflow, candidate.path.text));
  const byIndex = since === undefined ? undefined : candidate;
  const rest = matches.filter((m) => m !== byIndex);
  const chunk: SearchChunk = {
    workflow,
    status: filter.status,
    beforeSeq:
      filter.cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeJobCursor(filter.cursor),
    fromSeq: undefined,
    limit: CHUNK,
    indexed:
      byIndex && since !== undefined
        ? { path: byIndex.path.text, terms: acceptedTerms(byIndex), since }
        : undefined,
    needles: rest.map(matchNeedles),
  };
  const deadline = Date.now() + budgetMs;
  const found: JobSummaryRow[] = [];
  for (;;) {
    // A scan reads one window of the workflow's jobs per statement: a synchronous backend
    // (SQLite, on the thread that answers webhooks) is never held longer than that.
    if (!chunk.indexed) {
      chunk.fromSeq = await backend.nthSeq(workflow, chunk.beforeSeq, SCAN_WINDOW);
    }
    const rows = await backend.chunk(chunk);
    for (const row of rows) {
      // A job reached through two accepted terms of the index comes twice in a row.
      if (row.seq === found.at(-1)?.seq) continue;
      if (matchesTrigger(parseTrigger(row.trigger), matches)) found.push(row);
      if (found.length > limit) return jobPage(found, limit);
    }
    const last = rows.at(-1);
    if (rows.length === chunk.limit && last !== undefined) chunk.beforeSeq = last.seq;
    else if (chunk.indexed) {
      // The index is read down to the path's declaration; the jobs before it are scanned.
      chunk.beforeSeq = Math.min(chunk.beforeSeq, chunk.indexed.since);
      chunk.indexed = undefined;
      chunk.needles = matches.map(matchNeedles);
    } else if (chunk.fromSeq !== undefined) chunk.beforeSeq = chunk.fromSeq;
    else return jobPage(found, limit);
    if (Date.now() >= deadline) {
      // Out of time: what was found, and where the search goes on.
      return { jobs: jobPage(found, limit).jobs, nextCursor: encodeJobCursor(chunk.beforeSeq) };
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function parseTrigger(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The chunk's statement and its parameters, in the backend's dialect. */
export function searchSql(q: SearchChunk, d: SearchDialect): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (value: unknown): string => {
    params.push(value);
    return d.param(params.length);
  };
  // Why a queued match waits, but for its concurrency key's count (`held`): a search shows
  // such a job as queued, the job's own page says whether its key holds it.
  const columns = `j.seq, j.id, j.workflow, j.status, j.created_at, j.finished_at, j.trigger,
    j.run_after, j.concurrency_key, j.concurrency_limit, j.debounce_count, j.debounce_last_at,
    NULL AS held`;
  const where: string[] = [];
  let from: string;
  let order: string;
  if (q.indexed) {
    from = 'job_search s JOIN jobs j ON j.seq = s.seq';
    where.push(`s.workflow = ${p(q.workflow)}`, `s.path = ${p(q.indexed.path)}`);
    where.push(`s.term IN (${q.indexed.terms.map(p).join(', ')})`, `s.seq < ${p(q.beforeSeq)}`);
    where.push(`s.seq >= ${p(q.indexed.since)}`);
    order = 's.seq';
  } else {
    from = 'jobs j';
    where.push(`j.workflow = ${p(q.workflow)}`, `j.seq < ${p(q.beforeSeq)}`);
    if (q.fromSeq !== undefined) where.push(`j.seq >= ${p(q.fromSeq)}`);
    order = 'j.seq';
  }
  if (q.status !== undefined) where.push(`j.status = ${p(q.status)}`);
  for (const needles of q.needles) {
    where.push(`(${needles.map((n) => d.contains('j.trigger', p(n))).join(' OR ')})`);
  }
  const text = `SELECT ${columns} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${order} DESC LIMIT ${p(q.limit)}`;
  return { text, params };
}

export type { JobMatch };
