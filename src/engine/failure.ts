/**
 * @module engine/failure
 * Error workflows: the job an error workflow runs when a job fails, with the failed job's
 * summary as its trigger data. It is committed with the failed job's finish (store
 * `finishJob`), so it exists exactly once per failed job. A job that reports a failure never
 * reports its own: a failing error workflow starts no chain.
 *
 * @example
 *   const onFailure = await failureJobFor({ job, workflow, step: 'notify', error }, deps);
 *   await store.finishJob(job.id, owner, 'failed', error, onFailure ?? undefined);
 */
import type { Logger } from 'pino';
import { newJobId } from '../store/job-id.js';
import type { ClaimedJob, FailureJob, Store } from '../store/types.js';
import { workflowVersion } from '../workflow/version.js';
import type { Workflow } from '../workflow/types.js';

/** Where the ingress keeps the URL the UI is reached at (HOOKFLOW_PUBLIC_URL or the bound one). */
export const UI_URL_META_KEY = 'ui-url';

export interface FailureDeps {
  store: Store;
  log: Logger;
  workflow(name: string): Workflow | undefined;
  /** HOOKFLOW_ON_FAILURE: for workflows without `on_failure:`. */
  defaultOnFailure?: string | null;
}

/** The link to a job in the UI (its hash route). */
export function jobUiUrl(base: string, jobId: string): string {
  return `${base.replace(/\/+$/, '')}/#/jobs/${encodeURIComponent(jobId)}`;
}

/** The link to a workflow's page in the UI. */
export function workflowUiUrl(base: string, workflow: string): string {
  return `${base.replace(/\/+$/, '')}/#/workflows/${encodeURIComponent(workflow)}`;
}

/**
 * The error workflow's job for a poll or schedule trigger that failed `failures` times in a
 * row; null when no error workflow applies (or the one named is not loaded: logged).
 */
export async function triggerFailureJobFor(
  failing: { workflow: Workflow; kind: 'poll' | 'schedule'; error: string; failures: number },
  deps: FailureDeps,
): Promise<FailureJob | null> {
  const { workflow } = failing;
  const handler = errorWorkflowOf(workflow, deps, { workflow: workflow.name });
  // A poll that reports its own failures would poll the failing source once more.
  if (!handler || handler.name === workflow.name) return null;
  const base = (await deps.store.getMeta(UI_URL_META_KEY).catch(() => null)) ?? '';
  return {
    id: newJobId(),
    workflow: handler.name,
    version: workflowVersion(handler),
    trigger: {
      workflow: workflow.name,
      job: null,
      version: workflowVersion(workflow),
      step: null,
      error: failing.error,
      url: workflowUiUrl(base, workflow.name),
      trigger: failing.kind,
      failures: failing.failures,
    },
  };
}

/** The loaded error workflow of a workflow (`on_failure`, else the default), if any applies. */
function errorWorkflowOf(
  workflow: Workflow | undefined,
  deps: FailureDeps,
  logged: Record<string, unknown>,
): Workflow | undefined {
  const target = workflow?.onFailure?.workflow ?? deps.defaultOnFailure ?? null;
  if (target === null) return undefined;
  const handler = deps.workflow(target);
  if (!handler) {
    deps.log.warn(
      { ...logged, onFailure: target },
      'the error workflow is not loaded; the failure is not reported',
    );
  }
  return handler;
}

/** null when no error workflow applies (or the one named is not loaded: logged). */
export async function failureJobFor(
  failed: { job: ClaimedJob; workflow: Workflow | undefined; step: string | null; error: string },
  deps: FailureDeps,
): Promise<FailureJob | null> {
  const { job } = failed;
  if (job.failureOf !== null) return null;
  const handler = errorWorkflowOf(failed.workflow, deps, { job: job.id, workflow: job.workflow });
  if (!handler) return null;
  // Read per failure (failures are rare): the ingress may have listened after this started.
  const base = (await deps.store.getMeta(UI_URL_META_KEY).catch(() => null)) ?? '';
  return {
    id: newJobId(),
    workflow: handler.name,
    version: workflowVersion(handler),
    trigger: {
      workflow: job.workflow,
      job: job.id,
      version: job.version,
      step: failed.step,
      error: failed.error,
      url: jobUiUrl(base, job.id),
    },
  };
}
