/**
 * @module triggers
 * Time-driven triggers: `poll` and `schedule`, run by one runtime that ticks, keeps runs of a
 * workflow from overlapping, remembers what a poll has seen, keeps each trigger's status and
 * starts one job per new or changed item (poll) or per fire time (schedule). Any
 * {@link PollSource} plugs into it, a connector's polling trigger as well as the `poll`
 * trigger's HTTP request.
 *
 * @example
 *   const triggers = createTriggerRuntime({ store, intake, registry, log });
 *   await triggers.start();
 *   await triggers.addPoll('crm-contacts', source, { timing: { kind: 'every', ms: 60_000, text: '1m' } });
 */
export { createTriggerRuntime } from './runtime.js';
export type { TriggerRuntime, TriggerRuntimeDeps, TriggerStatus } from './runtime.js';
export type { PollContext, PollOptions, PollSource } from './poll-source.js';
export { DEFAULT_SEEN_WINDOW_MS } from './poll-source.js';
export { httpPollSource } from './http-poll-source.js';
export type { HttpPollDeps } from './http-poll-source.js';
export { itemDate, pollOnce } from './run-poll.js';
export { claimScheduleTick } from './run-schedule.js';
export { describeTiming, fireTimes } from './timing.js';
export type { FireTimes } from './timing.js';
export { POLL_FAILED } from './errors.js';
export { sampleTrigger } from './sample.js';
export type { Sample } from './sample.js';
