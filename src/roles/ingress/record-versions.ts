/**
 * @module roles/ingress/record-versions
 * Keeps the text of every workflow version the ingress loads (once per version), so that a
 * job can later be rerun with the steps it first ran with, in any process.
 *
 * @example
 *   registry.onChange((changes) => recordVersions(store, changes, log));
 */
import type { Logger } from 'pino';
import type { WorkflowChange } from '../../registry/index.js';
import type { Store } from '../../store/index.js';
import { workflowVersion } from '../../workflow/index.js';

export async function recordVersions(
  store: Pick<Store, 'putWorkflowVersion'>,
  changes: readonly WorkflowChange[],
  log: Logger,
): Promise<void> {
  const loaded = changes.flatMap((c) => (c.after ? [c.after] : []));
  await Promise.all(
    loaded.map((wf) =>
      store
        .putWorkflowVersion({
          workflow: wf.name,
          version: workflowVersion(wf),
          // JSON is read as YAML: the extension only names the format in messages.
          file: wf.file ?? `api:${wf.name}.yaml`,
          text: wf.text,
        })
        .catch((err: unknown) =>
          log.warn({ err, workflow: wf.name }, 'the text of this workflow version was not stored'),
        ),
    ),
  );
}
