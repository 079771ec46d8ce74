/**
 * `hookflow test FILE [--payload JSON_FILE]` for a poll or schedule workflow: runs it once,
 * in-process, on a throwaway data directory, with the trigger data one run would give (a poll
 * sends its request and takes the first item, or takes the payload as the item; a schedule
 * ticks at now). Nothing is remembered; the trigger's timer does not run (the app is created
 * with `timers: false` by test-command.ts).
 */
import type { App } from '../app.js';
import { HookflowError, errorMessage } from '../errors.js';
import { sampleTrigger } from '../triggers/index.js';
import type { Workflow } from '../workflow/index.js';
import { out, printJob, waitForJob } from './job-output.js';

export async function testTimedWorkflow(
  app: App,
  workflow: Workflow,
  payload?: string,
): Promise<number> {
  let item: { value: unknown } | undefined;
  if (payload !== undefined) {
    try {
      item = { value: JSON.parse(payload) as unknown };
    } catch (e) {
      throw new HookflowError('usage', `hookflow: --payload is not JSON: ${errorMessage(e)}`);
    }
  }
  const sample = await sampleTrigger(workflow, { env: {}, ...app.outbound }, item);
  if (!sample) {
    out(`→ ${workflow.trigger.type}: no items, so no job`);
    return 0;
  }
  out(`→ ${workflow.trigger.type}: ${sample.note}`);
  out(`  trigger: ${JSON.stringify(sample.trigger)}`);
  const id = await app.intake.createJob(workflow.name, sample.trigger, {});
  const job = await waitForJob(app.store, workflow.name);
  if (!job) throw new HookflowError('internal', `job ${id} was created but cannot be found`);
  return printJob(job);
}
