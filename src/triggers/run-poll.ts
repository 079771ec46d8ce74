/**
 * @module triggers/run-poll
 * One poll of a {@link PollSource}: ask it for the items, tell each one's identity and
 * version, and hand them to the store, which starts a job for each new or changed one and
 * remembers them in the same transaction (through the Intake, which makes the jobs runnable
 * once that has committed).
 *
 * The first poll (none has succeeded yet) applies `since`: an item starts a job only if its
 * `updated` value is a date at or after `since`; the others are remembered as already seen.
 *
 * @example
 *   const jobIds = await pollOnce({ store, intake }, 'orders', source, { timing }, signal);
 */
import { errorMessage } from '../errors.js';
import type { Intake } from '../queue/index.js';
import { newJobId } from '../store/index.js';
import type { PolledItem, Store } from '../store/index.js';
import { pollFailed } from './errors.js';
import { DEFAULT_SEEN_WINDOW_MS } from './poll-source.js';
import type { PollOptions, PollSource } from './poll-source.js';
import { pollTriggerData } from './trigger-data.js';

export interface PollDeps {
  /** Reads the trigger's saved state. */
  store: Pick<Store, 'getTriggerState'>;
  intake: Pick<Intake, 'recordPoll'>;
}

export interface PollOutcome {
  jobIds: string[];
  /** Items in the answer, duplicates of an id counted once. */
  items: number;
  startedAt: number;
  finishedAt: number;
}

export async function pollOnce(
  deps: PollDeps,
  workflow: string,
  source: PollSource,
  opts: PollOptions,
  signal: AbortSignal,
): Promise<PollOutcome> {
  const startedAt = Date.now();
  const saved = await deps.store.getTriggerState(workflow);
  const first = saved?.polled !== true;
  const sinceSetting = opts.since ?? 'now';
  const since =
    !first && saved?.sinceAt != null
      ? new Date(saved.sinceAt)
      : sinceSetting === 'now'
        ? new Date(startedAt)
        : sinceSetting;
  const result = await source.poll({ state: saved?.state ?? null, since, signal });
  if (!Array.isArray(result.items)) {
    throw pollFailed('the poll gave no list of items');
  }
  const receivedAt = new Date().toISOString();
  const items: PolledItem[] = [];
  const ids = new Set<string>();
  result.items.forEach((item, i) => {
    const id = itemIdentity(source, item, i);
    if (ids.has(id)) return; // the same item twice in one answer (e.g. overlapping pages)
    ids.add(id);
    const version = source.updated ? (source.updated(item) ?? null) : null;
    const date = itemDate(version);
    const jobId = newJobId();
    items.push({
      id,
      version,
      baseline: date === null || date < since.getTime(),
      job: { id: jobId, trigger: pollTriggerData(jobId, item, id, version, receivedAt) },
    });
  });
  const finishedAt = Date.now();
  const jobIds = await deps.intake.recordPoll({
    workflow,
    items,
    // A source that returns no state keeps the one it had.
    state: result.state === undefined ? (saved?.state ?? null) : result.state,
    startedAt,
    finishedAt,
    seenWindowMs: opts.seenWindowMs ?? DEFAULT_SEEN_WINDOW_MS,
  });
  return { jobIds, items: items.length, startedAt, finishedAt };
}

function itemIdentity(source: PollSource, item: unknown, index: number): string {
  let id: unknown;
  try {
    id = source.id(item);
  } catch (e) {
    throw pollFailed(`item ${index}: ${errorMessage(e)}`);
  }
  if (typeof id !== 'string' || id === '') {
    throw pollFailed(
      `item ${index} has no id (got ${JSON.stringify(id) ?? 'nothing'}); every item needs one to tell it from the others`,
    );
  }
  return id;
}

/**
 * An `updated` value read as a date: ISO-8601 (`2025-03-01T10:00:00Z`, `2025-03-01`), RFC 2822
 * (`Sat, 01 Mar 2025 10:00:00 GMT`, as in RSS and HTTP), or Unix time as 10 digits (seconds) or
 * 13 (milliseconds). Other numbers are versions, not dates, and so is other text (JavaScript's
 * Date.parse would read `rev 3` as a date in 2001).
 */
export function itemDate(value: string | null): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d{10}$/.test(text)) return Number(text) * 1000;
  if (/^\d{13}$/.test(text)) return Number(text);
  if (!ISO_DATE.test(text) && !RFC_2822_DATE.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}|$)/;
const RFC_2822_DATE = /^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s/;
