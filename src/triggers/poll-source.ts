/**
 * @module triggers/poll-source
 * What the poll runtime polls: any source of this shape, the `poll` trigger's HTTP request
 * (http-poll-source.ts) or a connector's polling trigger.
 *
 * @example
 *   const source: PollSource = {
 *     async poll({ since }) { return { items: await listOrders(since) } },
 *     id: (order) => String((order as { id: number }).id),
 *     updated: (order) => (order as { updated_at: string }).updated_at,
 *   };
 */
import type { Timing } from '../workflow/index.js';

export interface PollContext {
  /** What the previous successful poll returned as `state` (null the first time). */
  state: unknown;
  /** The start of the previous successful poll; the first time, the trigger's `since`. */
  since: Date | null;
  /** Aborted when the trigger stops (workflow disabled, changed, removed; shutdown). */
  signal: AbortSignal;
}

export interface PollSource {
  /** One poll. `state` is what the previous successful poll returned (null the first time). */
  poll(ctx: PollContext): Promise<{ items: unknown[]; state?: unknown }>;
  /** The item's identity; with `updated`, a changed item counts as new again. */
  id(item: unknown): string;
  updated?(item: unknown): string | null;
}

export interface PollOptions {
  timing: Timing;
  /** The first poll starts jobs only for items updated at or after this. Default `now`. */
  since?: 'now' | Date;
  /** How long an id is remembered after the last poll it appeared in. Default 30 days. */
  seenWindowMs?: number;
}

export const DEFAULT_SEEN_WINDOW_MS = 30 * 86_400_000;
