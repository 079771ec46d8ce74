/**
 * @module replay/read-filter
 * A replay's request, parsed once at the boundary: the filter (time bounds as durations before
 * now — `2h`, `30m`, `7d` — or ISO times), the version to run and the rate. Pure: `now` is given.
 *
 * @example
 *   readTime('2h', Date.parse('2026-01-01T12:00:00Z'), 'since'); // → 2026-01-01T10:00:00Z in ms
 */
import { HookflowError } from '../errors.js';
import type { JobStatus, ReplayFilter } from '../store/index.js';
import { parseDuration } from '../workflow/units.js';

export interface ReplayRequest {
  workflow?: string;
  status?: JobStatus;
  since?: string;
  until?: string;
  error?: string;
  ids?: string[];
  replayed?: boolean;
}

/** Epoch ms from a duration before `now` (`2h`) or an ISO time (`2026-01-01T10:00:00Z`). */
export function readTime(value: string, now: number, name: string): number {
  const text = value.trim();
  if (/^\d+(\.\d+)?\s*[a-z]*$/i.test(text)) {
    try {
      return now - parseDuration(text);
    } catch {
      // not a duration: maybe a time
    }
  }
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new HookflowError(
      'invalid_request',
      `${name} '${value}' is neither a duration before now (30m, 2h, 7d) nor an ISO time (2026-01-01T10:00:00Z)`,
    );
  }
  return at;
}

/** The store's filter from a request; status defaults to `failed`. */
export function readFilter(req: ReplayRequest, now: number): ReplayFilter {
  const filter: ReplayFilter = { status: req.status ?? 'failed' };
  if (req.workflow !== undefined) filter.workflow = req.workflow;
  if (req.since !== undefined) filter.since = readTime(req.since, now, 'since');
  if (req.until !== undefined) filter.until = readTime(req.until, now, 'until');
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
    throw new HookflowError(
      'invalid_request',
      `since (${new Date(filter.since).toISOString()}) must be before until (${new Date(filter.until).toISOString()})`,
    );
  }
  if (req.error !== undefined && req.error !== '') filter.error = req.error;
  if (req.ids !== undefined) filter.ids = [...new Set(req.ids)];
  if (req.replayed !== undefined) filter.replayed = req.replayed;
  return filter;
}

/** Jobs a replay makes per batch: about five batches a second, 1 to 200 jobs each. */
export function batchSize(rate: number): number {
  return Math.min(200, Math.max(1, Math.ceil(rate / 5)));
}
