/**
 * @module triggers/sample
 * The trigger data one run of a poll or schedule would give a job, remembering nothing: what
 * `hookflow test` runs a poll or schedule workflow with. A poll sends its request (for
 * `since: now` it looks back one day) and takes the first item, or takes the payload given.
 *
 * @example
 *   const sample = await sampleTrigger(workflow, { env: {} });
 *   if (sample) await store.createJob(workflow.name, sample.trigger, {});
 */
import { newJobId } from '../store/index.js';
import type { TimedTriggerData } from '../store/index.js';
import type { PollTrigger, Workflow } from '../workflow/index.js';
import { httpPollSource, identify } from './http-poll-source.js';
import type { HttpPollDeps } from './http-poll-source.js';
import { pollTriggerData, scheduleTriggerData } from './trigger-data.js';

const DAY_MS = 86_400_000;

export interface Sample {
  trigger: TimedTriggerData;
  /** What was done to get it, for the person testing. */
  note: string;
}

/** null when a poll found no items; throws what a failing poll throws. */
export async function sampleTrigger(
  workflow: Workflow,
  deps: HttpPollDeps,
  payload?: { value: unknown },
): Promise<Sample | null> {
  const t = workflow.trigger;
  const jobId = newJobId();
  if (t.type === 'schedule') {
    return { trigger: scheduleTriggerData(jobId, t.timing, Date.now()), note: 'a tick at now' };
  }
  if (t.type !== 'poll') return null;
  if (payload) return samplePoll(t, jobId, [payload.value], 'the payload as the item');
  const since = t.since === 'now' ? new Date(Date.now() - DAY_MS) : t.since;
  const source = httpPollSource(workflow.name, t, deps);
  const { items } = await source.poll({
    state: null,
    since,
    signal: AbortSignal.timeout(t.request.timeoutMs * t.request.retry.attempts + 5000),
  });
  if (items.length === 0) return null;
  return samplePoll(
    t,
    jobId,
    items,
    `the first of ${items.length} item(s), since ${since.toISOString()}`,
  );
}

async function samplePoll(
  t: PollTrigger,
  jobId: string,
  items: unknown[],
  note: string,
): Promise<Sample> {
  const item = items[0];
  const ids = await identify(t, [item]);
  const { id, updated } = ids.get(item) ?? { id: '', updated: null };
  return { trigger: pollTriggerData(jobId, item, id, updated), note };
}
