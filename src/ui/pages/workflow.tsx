/** One workflow: its jobs, its datatree, and its definition as written. */
import { stringify } from 'yaml';
import { ErrorBox, Loading, CopyButton } from '../components/bits.js';
import { JobsTable } from '../components/jobs-table.js';
import { ListenPanel } from '../components/listen-panel.js';
import { TriggerSummary } from '../components/trigger-summary.js';
import { isMissingRoute } from '../lib/api.js';
import { href } from '../lib/router.js';
import type { Datatree, WorkflowInfo } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';
import { EnabledToggle, WebhookUrl } from './workflows.js';

type Tab = 'jobs' | 'datatree' | 'definition';

export function WorkflowPage({ name, tab }: { name: string; tab: Tab }) {
  const path = `/api/workflows/${encodeURIComponent(name)}`;
  const { data: wf, error, reload } = useApi<WorkflowInfo>(path);
  if (!wf) return error ? <ErrorBox error={error} /> : <Loading />;
  const tabs: Array<[Tab, string]> = [
    ['jobs', 'Jobs'],
    ['datatree', 'Datatree'],
    ['definition', 'Definition'],
  ];
  return (
    <section>
      <p className="crumbs">
        <a href={href({ page: 'workflows' })}>Workflows</a> /
      </p>
      <h1>
        {wf.name} <EnabledToggle workflow={wf} onChanged={reload} />
      </h1>
      <div className="facts">
        <TriggerSummary trigger={wf.trigger} />
        <WebhookUrl url={wf.trigger.url} />
        <span className="muted">
          {wf.origin === 'api' ? 'pushed over the API' : (wf.file ?? '')} · {wf.steps.length} step
          {wf.steps.length === 1 ? '' : 's'}
        </span>
      </div>
      <ListenPanel workflow={wf} />
      <nav className="tabs" role="tablist">
        {tabs.map(([t, label]) => (
          <a
            key={t}
            role="tab"
            aria-selected={t === tab}
            className={t === tab ? 'tab tab-active' : 'tab'}
            href={href({ page: 'workflow', name, tab: t })}
          >
            {label}
          </a>
        ))}
      </nav>
      {tab === 'jobs' && <JobsTable workflow={name} />}
      {tab === 'datatree' && <DatatreeTab name={name} />}
      {tab === 'definition' && (
        <pre className="code" data-testid="definition">
          {stringify(wf.source ?? null)}
        </pre>
      )}
    </section>
  );
}

function DatatreeTab({ name }: { name: string }) {
  const { data, error } = useApi<Datatree>(`/api/workflows/${encodeURIComponent(name)}/datatree`);
  if (isMissingRoute(error)) {
    return (
      <p className="muted" data-testid="datatree-missing">
        The datatree is not available on this server.
      </p>
    );
  }
  if (!data) return error ? <ErrorBox error={error} /> : <Loading />;
  if (data.sources.length === 0) {
    return (
      <p className="muted">
        No datatree yet: add an <code>example</code> to the trigger or to an http step.
      </p>
    );
  }
  return (
    <div data-testid="datatree">
      {data.sources.map((s) => (
        <div key={s.source} className="card">
          <h3 className="mono">{s.source}</h3>
          <table className="table">
            <thead>
              <tr>
                <th>Path</th>
                <th>Type</th>
                <th>Sample</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {s.pills.map((p) => (
                <tr key={p.path}>
                  <td className="mono">{p.path}</td>
                  <td>
                    <span className="tag">{p.type}</span>
                  </td>
                  <td className="mono sample">{sample(p.sample)}</td>
                  <td>
                    <CopyButton text={`{{ ${p.path} }}`} label="Copy {{ }}" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}

function sample(v: unknown): string {
  const text = JSON.stringify(v) ?? '';
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
