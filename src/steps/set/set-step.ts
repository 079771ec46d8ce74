/**
 * @module steps/set/set-step
 * The `set` step: computes values from the scope; they become the step's output
 * (`steps.<id>` for later steps). It sends nothing, so its input is null.
 *
 * @example
 *   // set: {count: "{{ $count(steps.order.body.items) }}"}
 *   await executeSetStep(step, ctx); // → { input: null, output: { count: 3 }, attempts: 1 }
 */
import type { SetStep } from '../../workflow/types.js';
import type { StepContext, StepOutcome } from '../types.js';

export async function executeSetStep(step: SetStep, ctx: StepContext): Promise<StepOutcome> {
  const output = await step.values.render(ctx.scope);
  return { input: null, output, attempts: 1 };
}
