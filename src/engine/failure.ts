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

/** null when no error workflow applies (or the one named is not loaded: logged). */
export async function failureJobFor(
  failed: { job: ClaimedJob; workflow: Workflow | undefined; step: string | null; error: string },
  deps: FailureDeps,
): Promise<FailureJob | null> {
  const { job } = failed;
  if (job.failureOf !== null) return null;
  const target = failed.workflow?.onFailure?.workflow ?? deps.defaultOnFailure ?? null;
  if (target === null) return null;
  const handler = deps.workflow(target);
  if (!handler) {
    deps.log.warn(
      { job: job.id, workflow: job.workflow, onFailure: target },
      'the error workflow is not loaded; the failure is not reported',
    );
    return null;
  }
  // Read per failure (failures are rare): the ingress may have listened after this started.
  const base = (await deps.store.getMeta(UI_URL_META_KEY).catch(() => null)) ?? '';
  return {
    id: newJobId(),
    workflow: target,
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
