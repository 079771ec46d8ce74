/**
 * @module triggers/run-schedule
 * One fire time of a schedule: claim it in the store, which creates the job in the same
 * transaction, and queue the job. Of several servers firing the same time only one claim
 * wins, so a fire time gives one job however many servers run.
 *
 * @example
 *   const won = await claimScheduleTick({ store, queue }, 'nightly', timing, Date.parse('2025-01-01T02:00:00Z'));
 */
import type { Queue } from '../queue/index.js';
import { newJobId } from '../store/index.js';
import type { Store } from '../store/index.js';
import type { Timing } from '../workflow/index.js';
import { scheduleTriggerData } from './trigger-data.js';

export async function claimScheduleTick(
  deps: { store: Store; queue: Queue },
  workflow: string,
  timing: Timing,
  at: number,
): Promise<boolean> {
  const id = newJobId();
  const won = await deps.store.claimTick(workflow, at, {
    id,
    trigger: scheduleTriggerData(id, timing, at),
  });
  if (won) await deps.queue.enqueue(id);
  return won;
}
