/**
 * @module triggers/run-schedule
 * One fire time of a schedule: claim it through the Intake, which creates the job in the
 * same transaction and makes it runnable. Of several servers firing the same time only one claim
 * wins, so a fire time gives one job however many servers run.
 *
 * @example
 *   const won = await claimScheduleTick(intake, 'nightly', timing, Date.parse('2025-01-01T02:00:00Z'));
 */
import type { Intake } from '../queue/index.js';
import { newJobId } from '../store/index.js';
import type { Timing } from '../workflow/index.js';
import { scheduleTriggerData } from './trigger-data.js';

export async function claimScheduleTick(
  intake: Pick<Intake, 'claimTick'>,
  workflow: string,
  timing: Timing,
  at: number,
): Promise<boolean> {
  const id = newJobId();
  return intake.claimTick(workflow, at, { id, trigger: scheduleTriggerData(id, timing, at) });
}
