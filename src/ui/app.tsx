/** The shell: navigation, the page of the current route, and the token login when needed. */
import { useEffect, useState } from 'react';
import { ApiError, api, token } from './lib/api.js';
import { href, useRoute } from './lib/router.js';
import type { Route } from './lib/router.js';
import { ConnectionsPage } from './pages/connections.js';
import { FailedPage } from './pages/failed.js';
import { ImportCurlPage } from './pages/import-curl.js';
import { JobPage } from './pages/job.js';
import { WorkflowPage } from './pages/workflow.js';
import { WorkflowsPage } from './pages/workflows.js';
import { JobsTable } from './components/jobs-table.js';

export function App() {
  const route = useRoute();
  const [needToken, setNeedToken] = useState(false);
  const [session, setSession] = useState(0);
  useEffect(() => token.onUnauthorized(() => setNeedToken(true)), []);

  if (needToken) {
    return (
      <Login
        onLoggedIn={() => {
          setNeedToken(false);
          setSession((s) => s + 1);
        }}
      />
    );
  }
  return (
    <div className="app">
      <header className="header">
        <a className="brand" href="#/">
          Hookflow
        </a>
        <nav className="nav">
          <NavLink route={{ page: 'workflows' }} current={route} label="Workflows" />
          <NavLink route={{ page: 'jobs' }} current={route} label="Jobs" />
          <NavLink route={{ page: 'failed' }} current={route} label="Failed" />
          <NavLink route={{ page: 'connections' }} current={route} label="Connections" />
          <NavLink route={{ page: 'import' }} current={route} label="Import cURL" />
        </nav>
        {token.get() && (
          <button
            type="button"
            className="button button-small button-ghost"
            onClick={() => {
              token.set(null);
              setSession((s) => s + 1);
            }}
          >
            Sign out
          </button>
        )}
      </header>
      <main className="main" key={session}>
        <Page route={route} />
      </main>
    </div>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'workflows':
      return <WorkflowsPage />;
    case 'workflow':
      return <WorkflowPage key={route.name} name={route.name} tab={route.tab} />;
    case 'jobs':
      return (
        <section>
          <h1>Jobs</h1>
          <JobsTable />
        </section>
      );
    case 'failed':
      return <FailedPage />;
    case 'job':
      return <JobPage key={route.id} id={route.id} />;
    case 'connections':
      return <ConnectionsPage />;
    case 'import':
      return <ImportCurlPage />;
  }
}

function NavLink({ route, current, label }: { route: Route; current: Route; label: string }) {
  const active =
    current.page === route.page ||
    (route.page === 'workflows' && current.page === 'workflow') ||
    (route.page === 'jobs' && current.page === 'job');
  return (
    <a className={active ? 'nav-link nav-active' : 'nav-link'} href={href(route)}>
      {label}
    </a>
  );
}

function Login({ onLoggedIn }: { onLoggedIn(): void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    token.set(value.trim());
    try {
      await api('/api/workflows');
      onLoggedIn();
    } catch (err) {
      token.set(null);
      setError(
        err instanceof ApiError && err.status === 401
          ? 'That token was refused.'
          : String((err as Error).message),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="login">
      <form className="card login-card" onSubmit={(e) => void submit(e)}>
        <h1>Hookflow</h1>
        <p className="muted">This server needs its API token (HOOKFLOW_API_TOKEN).</p>
        <label>
          API token
          <input
            type="password"
            name="token"
            autoComplete="current-password"
            autoFocus
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        </label>
        {error && (
          <div className="error-box" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="button button-primary" disabled={busy || !value.trim()}>
          Sign in
        </button>
        <p className="muted small">Kept for this browser tab only (sessionStorage).</p>
      </form>
    </div>
  );
}
