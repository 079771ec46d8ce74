/**
 * @module store/replay-rows
 * Replays as both backends store them: the filter's SQL (with the backend's placeholders), the
 * rows and their conversion.
 *
 * @example
 *   const where = filterSql(replay.filter, sqlitePlaceholders());
 *   db.prepare(`SELECT count(*) FROM jobs j WHERE ${where.sql}`).pluck().get(...where.params);
 */
import { iso } from './job-rows.js';
import type { JobStatus, MatchedJob, Replay, ReplayFilter, ReplayStatus } from './types.js';
import type { ReplayVersion } from './types.js';

export interface ReplayRow {
  id: string;
  filter: string;
  version: ReplayVersion;
  rate: number;
  status: ReplayStatus;
  max_seq: number;
  after_seq: number;
  matched: number;
  created: number;
  skipped: number;
  error: string | null;
  created_at: number;
  finished_at: number | null;
}

export interface MatchedRow {
  seq: number;
  id: string;
  workflow: string;
  status: JobStatus;
  created_at: number;
  finished_at: number | null;
  error: string | null;
}

/** How a backend writes the n-th parameter, and how it matches text and lists. */
export interface Dialect {
  param(value: unknown): string;
  /** `column` contains `param` as a substring, case-insensitively. */
  contains(column: string, param: string): string;
  /** `column` is one of the list `param`. */
  inList(column: string, param: string): string;
  /** The list parameter's value. */
  list(values: string[]): unknown;
}

/** A dialect whose placeholders are collected into `params` as they are written. */
export function dialect(kind: 'sqlite' | 'postgres', params: unknown[]): Dialect {
  const param = (value: unknown) => {
    params.push(value);
    return kind === 'sqlite' ? '?' : `$${params.length}`;
  };
  return kind === 'sqlite'
    ? {
        param,
        contains: (c, p) => `instr(lower(${c}), lower(${p})) > 0`,
        inList: (c, p) => `${c} IN (SELECT value FROM json_each(${p}))`,
        list: (values) => JSON.stringify(values),
      }
    : {
        param,
        contains: (c, p) => `strpos(lower(${c}), lower(${p})) > 0`,
        inList: (c, p) => `${c} = ANY(${p}::text[])`,
        list: (values) => values,
      };
}

/** The WHERE clause (over `jobs j`) of a filter. */
export function filterSql(filter: ReplayFilter, d: Dialect): string {
  const where = [`j.status = ${d.param(filter.status)}`];
  if (filter.workflow !== undefined) where.push(`j.workflow = ${d.param(filter.workflow)}`);
  if (filter.since !== undefined) where.push(`j.created_at >= ${d.param(filter.since)}`);
  if (filter.until !== undefined) where.push(`j.created_at < ${d.param(filter.until)}`);
  if (filter.error !== undefined) where.push(d.contains('j.error', d.param(filter.error)));
  if (filter.ids !== undefined) where.push(d.inList('j.id', d.param(d.list(filter.ids))));
  if (filter.replayed !== undefined) {
    const replayed = 'SELECT 1 FROM jobs r WHERE r.rerun_of = j.id AND r.replay_id IS NOT NULL';
    where.push(`${filter.replayed ? '' : 'NOT '}EXISTS (${replayed})`);
  }
  return where.join(' AND ');
}

export const MATCHED_COLUMNS =
  'j.seq, j.id, j.workflow, j.status, j.created_at, j.finished_at, j.error';
export const CANDIDATE_COLUMNS = 'j.seq, j.id, j.workflow, j.trigger, j.version';

/** The new jobs of a replay, counted by status (on the unique index's replay_id prefix). */
export const REPLAY_JOB_COUNTS = (p: string) =>
  `SELECT status, count(*) AS n FROM jobs WHERE replay_id = ${p} GROUP BY status`;

export function toMatchedJob(row: MatchedRow): MatchedJob {
  return {
    id: row.id,
    workflow: row.workflow,
    status: row.status,
    createdAt: iso(row.created_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
    durationMs: row.finished_at === null ? null : row.finished_at - row.created_at,
    error: row.error,
    // Replays match finished jobs only.
    waiting: null,
  };
}

export function toReplay(row: ReplayRow, counts: Array<{ status: JobStatus; n: number }>): Replay {
  const jobs: Record<JobStatus, number> = { queued: 0, running: 0, succeeded: 0, failed: 0 };
  for (const c of counts) jobs[c.status] = Number(c.n);
  return {
    id: row.id,
    filter: JSON.parse(row.filter) as ReplayFilter,
    version: row.version,
    rate: row.rate,
    status: row.status,
    matched: row.matched,
    created: row.created,
    skipped: row.skipped,
    jobs,
    error: row.error,
    createdAt: iso(row.created_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
  };
}
