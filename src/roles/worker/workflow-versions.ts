/**
 * @module roles/worker/workflow-versions
 * The workflow a job runs: the loaded one when the job's version is the loaded version, else
 * that version's stored text compiled again (a rerun of the original version after the file
 * changed). Compiled versions are kept, a few per process, so repeated reruns compile once.
 *
 * @example
 *   const workflowAt = createVersionResolver(store, (text, file, current) => parseWorkflow(text, file));
 *   const wf = await workflowAt(current, job.version);
 */
import { HookflowError } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { workflowVersion } from '../../workflow/index.js';
import type { Workflow } from '../../workflow/types.js';

/** Compiles a stored version's text; `current` is the loaded workflow of that name. */
export type CompileVersion = (text: string, file: string, current: Workflow) => Workflow;

/** Compiled versions kept per process (least recently used go first). */
const CACHED_VERSIONS = 32;

export function createVersionResolver(
  store: Pick<Store, 'getWorkflowVersion'>,
  compile: CompileVersion,
): (current: Workflow, version: string) => Promise<Workflow> {
  const cache = new Map<string, Workflow>();
  return async function workflowAt(current, version) {
    if (workflowVersion(current) === version) return current;
    const key = JSON.stringify([current.name, version]);
    const cached = cache.get(key);
    if (cached) {
      cache.delete(key);
      cache.set(key, cached);
      return cached;
    }
    const stored = await store.getWorkflowVersion(current.name, version);
    if (!stored) {
      throw new HookflowError(
        'version_not_found',
        `version ${version} of workflow '${current.name}' is not stored; rerun the job with version current`,
      );
    }
    const compiled = { ...compile(stored.text, stored.file, current), enabled: current.enabled };
    cache.set(key, compiled);
    if (cache.size > CACHED_VERSIONS) cache.delete(cache.keys().next().value as string);
    return compiled;
  };
}
