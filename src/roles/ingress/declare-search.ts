/**
 * @module roles/ingress/declare-search
 * Tells the store which paths each workflow's new jobs are indexed by (its `search:`), as the
 * ingress loads, changes or removes workflows: a newly declared path is indexed from the next
 * job on, and a search on it scans the jobs stored before.
 *
 * @example
 *   registry.onChange((changes) => declareSearch(store, changes, log));
 */
import type { Logger } from 'pino';
import { searchIndexed } from '../../queue/index.js';
import type { WorkflowChange } from '../../registry/index.js';
import type { Store } from '../../store/index.js';
import type { Workflow } from '../../workflow/index.js';

function indexedPaths(wf: Workflow | undefined): string[] {
  return wf?.search && searchIndexed(wf) ? wf.search.map((p) => p.text) : [];
}

export async function declareSearch(
  store: Pick<Store, 'declareSearchPaths'>,
  changes: readonly WorkflowChange[],
  log: Logger,
): Promise<void> {
  await Promise.all(
    changes.map(({ name, after }) =>
      store
        .declareSearchPaths(name, indexedPaths(after))
        .catch((err: unknown) =>
          log.warn({ err, workflow: name }, 'the search paths of this workflow were not stored'),
        ),
    ),
  );
}
