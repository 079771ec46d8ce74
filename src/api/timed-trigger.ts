/**
 * @module api/timed-trigger
 * How `/api/workflows` shows a poll or schedule trigger: its timing and its status.
 *
 * @example
 *   describeTimedTrigger(trigger, triggers.status('nightly'));
 *   // { type: 'schedule', cron: '0 2 * * *', timezone: 'Europe/Berlin',
 *   //   status: { lastRunAt, lastSuccessAt, lastError, nextRunAt } }
 */
import type { TriggerStatus } from '../triggers/index.js';
import type { PollTrigger, ScheduleTrigger } from '../workflow/types.js';

const NO_STATUS: TriggerStatus = {
  lastRunAt: null,
  lastSuccessAt: null,
  lastError: null,
  nextRunAt: null,
};

export function describeTimedTrigger(
  t: PollTrigger | ScheduleTrigger,
  status: TriggerStatus | undefined,
) {
  const timing =
    t.timing.kind === 'every'
      ? { every: t.timing.text }
      : { cron: t.timing.pattern, timezone: t.timing.timezone };
  return { type: t.type, ...timing, status: status ?? NO_STATUS };
}
