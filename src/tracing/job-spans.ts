/**
 * @module tracing/job-spans
 * The spans of a running job: `queued <workflow>` (commit → first claim), `job <workflow>`
 * (one per attempt, kind CONSUMER) and `step <id>` within it. The job's spans are children
 * of the context stored with the job, so an attempt in another process, a retry and a resume
 * after a crash all land in the trace of the request that created the job.
 *
 * The step's span is the active context while it runs: its outbound requests are its children.
 *
 * @example
 *   await traceJob(job, () => run(job));            // resolves with the job's end
 *   const outcome = await traceStep(step, () => execute(step));
 */
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { ClaimedJob } from '../store/types.js';
import type { Step } from '../workflow/types.js';
import {
  ATTR_ACTION,
  ATTR_CONNECTION,
  ATTR_JOB_ATTEMPT,
  ATTR_JOB_ID,
  ATTR_JOB_QUEUED_MS,
  ATTR_JOB_STATUS,
  ATTR_STEP_ATTEMPTS,
  ATTR_STEP_ID,
  ATTR_STEP_STATUS,
  ATTR_STEP_TYPE,
  ATTR_WORKFLOW,
  ATTR_WORKFLOW_VERSION,
} from './attributes.js';
import { contextOf, tracer } from './spans.js';
import { tracingOn } from './state.js';

/** How an attempt ended: finished, or stopped because another worker holds the job now. */
export type JobEnd = 'succeeded' | 'failed' | 'lost';

export async function traceJob(job: ClaimedJob, run: () => Promise<JobEnd>): Promise<JobEnd> {
  if (!tracingOn()) return run();
  const parent = contextOf(job.trace);
  const claimedAt = Date.now();
  const attributes: Record<string, string | number> = {
    [ATTR_WORKFLOW]: job.workflow,
    [ATTR_JOB_ID]: job.id,
    [ATTR_JOB_ATTEMPT]: job.attempt,
  };
  if (job.version) attributes[ATTR_WORKFLOW_VERSION] = job.version;
  if (job.attempt === 1) {
    const createdAt = Date.parse(job.createdAt);
    attributes[ATTR_JOB_QUEUED_MS] = Math.max(0, claimedAt - createdAt);
    tracer()
      .startSpan(`queued ${job.workflow}`, { startTime: createdAt, attributes }, parent)
      .end(Math.max(createdAt, claimedAt));
  }
  const span = tracer().startSpan(
    `job ${job.workflow}`,
    { kind: SpanKind.CONSUMER, startTime: claimedAt, attributes },
    parent,
  );
  try {
    const end = await context.with(trace.setSpan(parent, span), run);
    span.setAttribute(ATTR_JOB_STATUS, end);
    if (end !== 'succeeded') span.setStatus({ code: SpanStatusCode.ERROR });
    return end;
  } catch (e) {
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw e;
  } finally {
    span.end();
  }
}

export async function traceStep<T extends { attempts: number }>(
  step: Step,
  execute: () => Promise<T>,
): Promise<T> {
  if (!tracingOn()) return execute();
  const attributes: Record<string, string> = {
    [ATTR_STEP_ID]: step.id,
    [ATTR_STEP_TYPE]: step.type,
  };
  if (step.type === 'http' && step.connection) attributes[ATTR_CONNECTION] = step.connection;
  if (step.type === 'action') {
    attributes[ATTR_ACTION] = step.key;
    if (step.connection) attributes[ATTR_CONNECTION] = step.connection;
  }
  const span = tracer().startSpan(`step ${step.id}`, { attributes });
  try {
    const outcome = await context.with(trace.setSpan(context.active(), span), execute);
    span.setAttributes({ [ATTR_STEP_STATUS]: 'succeeded', [ATTR_STEP_ATTEMPTS]: outcome.attempts });
    return outcome;
  } catch (e) {
    // The error's text stays in the job's history: it may quote a response.
    span.setAttribute(ATTR_STEP_STATUS, 'failed');
    const attempts = (e as { attempts?: unknown }).attempts;
    if (typeof attempts === 'number') span.setAttribute(ATTR_STEP_ATTEMPTS, attempts);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw e;
  } finally {
    span.end();
  }
}
