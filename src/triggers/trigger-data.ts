/**
 * @module triggers/trigger-data
 * What a poll or schedule job holds as `trigger` (docs/triggers.md):
 * poll `{id, type: 'poll', body: <the item>, itemId, updated, receivedAt}`,
 * schedule `{id, type: 'schedule', body: null, scheduledAt, timezone, receivedAt}`.
 *
 * @example
 *   pollTriggerData(jobId, { id: 7 }, '7', null); // { id: jobId, type: 'poll', body: { id: 7 }, itemId: '7', … }
 */
import type { PollTriggerData, ScheduleTriggerData } from '../store/index.js';
import type { Timing } from '../workflow/index.js';

export function pollTriggerData(
  jobId: string,
  item: unknown,
  itemId: string,
  updated: string | null,
  receivedAt = new Date().toISOString(),
): PollTriggerData {
  return { id: jobId, type: 'poll', body: item, itemId, updated, receivedAt };
}

export function scheduleTriggerData(
  jobId: string,
  timing: Timing,
  at: number,
): ScheduleTriggerData {
  return {
    id: jobId,
    type: 'schedule',
    body: null,
    scheduledAt: new Date(at).toISOString(),
    timezone: timing.kind === 'cron' ? timing.timezone : null,
    receivedAt: new Date().toISOString(),
  };
}
