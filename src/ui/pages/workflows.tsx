/** The workflows: trigger, webhook URL with a copy button, enabled toggle, last job status. */
import { useEffect, useState } from 'react';
import { CopyButton, ErrorBox, Loading, StatusBadge } from '../components/bits.js';
import { TriggerSummary } from '../components/trigger-summary.js';
import { api } from '../lib/api.js';
import { href } from '../lib/router.js';
import type { WorkflowInfo } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

export function WorkflowsPage() {
  const { data, error, reload } = useApi<{ workflows: WorkflowInfo[] }>('/api/workflows', 5000);
  if (!data) return error ? <ErrorBox error={error} /> : <Loading />;
  return (
    <section>
      <h1>Workflows</h1>
      {data.workflows.length === 0 ? (
        <p className="muted">
          No workflows yet. Put workflow files in the workflows directory, or push one with{' '}
          <code>hookflow apply FILE</code>.
        </p>
      ) : (
        <table className="table" data-testid="workflows">
          <thead>
            <tr>
              <th>Name</th>
              <th>Trigger</th>
              <th>Webhook URL</th>
              <th>Enabled</th>
              <th>Last job</th>
            </tr>
          </thead>
          <tbody>
            {data.workflows.map((wf) => (
              <tr key={wf.name} data-workflow={wf.name}>
                <td>
                  <a href={href({ page: 'workflow', name: wf.name, tab: 'jobs' })}>{wf.name}</a>
                  {wf.origin === 'api' && <span className="tag tag-api">api</span>}
                </td>
                <td>
                  <TriggerSummary trigger={wf.trigger} />
                </td>
                <td>
                  <WebhookUrl url={wf.trigger.url} />
                </td>
                <td>
                  <EnabledToggle workflow={wf} onChanged={reload} />
                </td>
                <td>
                  <StatusBadge status={wf.lastJobStatus} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function WebhookUrl({ url }: { url: string | null | undefined }) {
  if (!url) return <span className="muted">–</span>;
  return (
    <span className="url">
      <code className="url-text">{url}</code>
      <CopyButton text={url} />
    </span>
  );
}

export function EnabledToggle(props: { workflow: WorkflowInfo; onChanged(): void }) {
  const { workflow, onChanged } = props;
  // What the user asked for, shown until the reloaded list says the same.
  const [wanted, setWanted] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (wanted === workflow.enabled) setWanted(null);
  }, [wanted, workflow.enabled]);
  const enabled = wanted ?? workflow.enabled;
  const toggle = async () => {
    const next = !enabled;
    setWanted(next);
    setBusy(true);
    setError(null);
    try {
      const action = next ? 'enable' : 'disable';
      await api(`/api/workflows/${encodeURIComponent(workflow.name)}/${action}`, {
        method: 'POST',
      });
      onChanged();
    } catch (e) {
      setWanted(null);
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="toggle-wrap">
      <label className="toggle">
        <input
          type="checkbox"
          role="switch"
          checked={enabled}
          disabled={busy}
          aria-label={`${workflow.name} enabled`}
          onChange={() => void toggle()}
        />
        <span className="toggle-track" />
      </label>
      {error ? <ErrorBox error={error} /> : null}
    </span>
  );
}
