/** The connections: state, and Connect (OAuth2 authorization code) and Test buttons. */
import { useState } from 'react';
import { ErrorBox, Loading } from '../components/bits.js';
import { api, isMissingRoute } from '../lib/api.js';
import type { ConnectionInfo } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

export function ConnectionsPage() {
  const { data, error, reload } = useApi<{ connections: ConnectionInfo[] }>('/api/connections');
  const none = (
    <p className="muted" data-testid="no-connections">
      No connections configured.
    </p>
  );
  if (isMissingRoute(error)) return <Section>{none}</Section>;
  if (!data) return <Section>{error ? <ErrorBox error={error} /> : <Loading />}</Section>;
  if (data.connections.length === 0) return <Section>{none}</Section>;
  return (
    <Section>
      <table className="table" data-testid="connections">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Base URL</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data.connections.map((c) => (
            <ConnectionRow key={c.name} connection={c} onChanged={reload} />
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function Section({ children }: { children: React.ReactNode }) {
  return (
    <section>
      <h1>Connections</h1>
      {children}
    </section>
  );
}

type TestResult = { ok: boolean; status: number | null; message: string };

function ConnectionRow({
  connection: c,
  onChanged,
}: {
  connection: ConnectionInfo;
  onChanged(): void;
}) {
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<TestResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const name = encodeURIComponent(c.name);

  const test = async () => {
    setTesting(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api<TestResult>(`/api/connections/${name}/test`, { method: 'POST' }));
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setTesting(false);
    }
  };
  const connect = async () => {
    setError(null);
    try {
      const { url } = await api<{ url: string }>(`/api/connections/${name}/authorize`);
      window.location.assign(url);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <tr data-connection={c.name}>
      <td>
        <strong>{c.name}</strong>
        {c.file && <div className="muted small">{c.file}</div>}
      </td>
      <td>
        <span className="tag">{c.type}</span>
        {c.grant && <span className="muted"> {c.grant}</span>}
      </td>
      <td className="mono">{c.base_url ?? '–'}</td>
      <td>
        <span className={`badge badge-conn-${c.state}`}>{c.state.replaceAll('_', ' ')}</span>
        {c.message && <div className="muted small">{c.message}</div>}
      </td>
      <td className="actions">
        {c.type === 'oauth2' && c.grant === 'authorization_code' && (
          <button type="button" className="button button-primary" onClick={() => void connect()}>
            Connect
          </button>
        )}
        <button type="button" className="button" disabled={testing} onClick={() => void test()}>
          {testing ? 'Testing…' : 'Test'}
        </button>
        {result && (
          <div className={result.ok ? 'test-ok' : 'test-failed'} data-testid="test-result">
            {result.ok ? 'OK' : 'Failed'}
            {result.status !== null ? ` · ${result.status}` : ''} · {result.message}
          </div>
        )}
        <ErrorBox error={error} />
      </td>
    </tr>
  );
}
