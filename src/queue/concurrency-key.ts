/**
 * @module queue/concurrency-key
 * The concurrency a new job is created with: its workflow's `concurrency.limit` and the key
 * evaluated on its trigger data (`{{ trigger.body.customer_id }}`). Stored on the job at intake,
 * so every worker's claim applies the same key, and a workflow edited later does not move jobs
 * already queued.
 *
 * A key that is absent, empty or null — or fails to evaluate — puts the job in its workflow's
 * shared group (''): a job is never refused for its key.
 *
 * @example
 *   const concurrency = await resolveConcurrency(registry.get('orders'), trigger);
 *   // → { key: 'cus_42', limit: 1 } or undefined
 */
import type {
  FailureTriggerData,
  JobConcurrency,
  TimedTriggerData,
  TriggerData,
} from '../store/index.js';
import type { Template, Workflow } from '../workflow/index.js';

/** Finds a workflow by name, as the ingress's registry does. */
export type WorkflowLookup = (name: string) => Workflow | undefined;

export async function resolveConcurrency(
  workflow: Workflow | undefined,
  trigger: TriggerData | TimedTriggerData | FailureTriggerData,
): Promise<JobConcurrency | undefined> {
  const concurrency = workflow?.concurrency;
  if (!concurrency) return undefined;
  return { key: await renderKey(concurrency.key, trigger), limit: concurrency.limit };
}

/**
 * A flow-control key as stored: the expression's value as text ('' when absent, empty, null
 * or failing: the workflow's shared group).
 */
export async function renderKey(
  key: Template | undefined,
  trigger: TriggerData | TimedTriggerData | FailureTriggerData,
): Promise<string> {
  let value: unknown = '';
  try {
    value = key ? await key.render({ trigger }) : '';
  } catch {
    value = '';
  }
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
