/**
 * A workflow's jobs (or everyone's): status filter, live refresh of the newest page, and older
 * pages by cursor ("Load older"). Newer jobs appear at the top while older pages stay loaded;
 * if so many arrive between two refreshes that the pages no longer meet, the older ones are
 * dropped rather than showing a gap. A workflow's jobs can be searched by a value in their
 * trigger data (`match`); a search is not refreshed live, and "Search older jobs" goes on where
 * a search that ran out of time stopped.
 */
import { useEffect, useMemo, useState } from 'react';
import { ErrorBox, Loading, StatusBadge } from './bits.js';
import { api } from '../lib/api.js';
import { formatAgo, formatDuration, formatTime } from '../lib/format.js';
import { href } from '../lib/router.js';
import type { JobSummary } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';
import { WaitingNote } from './waiting-note.js';
import { splitConditions } from '../lib/search.js';

const STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
const PAGE_SIZE = 50;

type Page = { jobs: JobSummary[]; next_cursor: string | null };

export function JobsTable({ workflow: fixed }: { workflow?: string }) {
  const [status, setStatus] = useState('');
  const [chosen, setChosen] = useState('');
  const workflow = fixed ?? (chosen || undefined);
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const matches = workflow ? splitConditions(search) : [];
  const names = useApi<{ workflows: Array<{ name: string }> }>(fixed ? null : '/api/workflows');
  const [live, setLive] = useState(true);
  const [older, setOlder] = useState<JobSummary[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null | undefined>(undefined);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<unknown>(null);

  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (workflow) query.set('workflow', workflow);
  if (status) query.set('status', status);
  for (const m of matches) query.append('match', m);
  const path = `/api/jobs?${query.toString()}`;
  const first = useApi<Page>(path, live && matches.length === 0 ? 2000 : null);

  useEffect(() => {
    setOlder([]);
    setOlderCursor(undefined);
  }, [path]);

  const jobs = useMemo(() => {
    const top = first.data?.jobs ?? [];
    if (older.length === 0) return top;
    const ids = new Set(top.map((j) => j.id));
    const full = top.length === PAGE_SIZE;
    if (full && !older.some((j) => ids.has(j.id)) && top.at(-1)!.id > older[0]!.id) {
      // The pages no longer meet: more than a page arrived since the older ones were read.
      return top;
    }
    return [...top, ...older.filter((j) => !ids.has(j.id))];
  }, [first.data, older]);

  const cursor = olderCursor === undefined ? (first.data?.next_cursor ?? null) : olderCursor;
  const loadOlder = async () => {
    if (!cursor) return;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      query.set('cursor', cursor);
      const page = await api<Page>(`/api/jobs?${query.toString()}`);
      setOlder((o) => [...o, ...page.jobs]);
      setOlderCursor(page.next_cursor);
    } catch (e) {
      setOlderError(e);
    } finally {
      setLoadingOlder(false);
    }
  };

  return (
    <div className="jobs">
      <div className="toolbar">
        {!fixed && (
          <label>
            Workflow{' '}
            <select
              value={chosen}
              onChange={(e) => setChosen(e.target.value)}
              aria-label="workflow filter"
            >
              <option value="">all</option>
              {(names.data?.workflows ?? []).map((w) => (
                <option key={w.name} value={w.name}>
                  {w.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Status{' '}
          <select
            value={status}
            onChange={(e) => setStatus(e.target.value)}
            aria-label="status filter"
          >
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <form
          className="search"
          onSubmit={(e) => {
            e.preventDefault();
            setSearch(typed.trim());
          }}
        >
          <input
            type="search"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            placeholder={workflow ? 'body.order.id:123' : 'choose a workflow to search'}
            disabled={!workflow}
            aria-label="search by payload"
            title="PATH:VALUE in the trigger data (body, query, headers, params); several separated by spaces"
          />{' '}
          <button type="submit" className="button button-small" disabled={!workflow}>
            Search
          </button>
        </form>
        <label>
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live
        </label>
        <button type="button" className="button button-small" onClick={first.reload}>
          Refresh
        </button>
      </div>
      <ErrorBox error={first.error} />
      {!first.data ? (
        first.error ? null : (
          <Loading />
        )
      ) : jobs.length === 0 ? (
        <p className="muted">
          {matches.length > 0
            ? `No jobs match${cursor ? ' among the newest searched' : ''}.`
            : `No jobs${status ? ` with status ${status}` : ''} yet.`}
        </p>
      ) : (
        <table className="table" data-testid="jobs">
          <thead>
            <tr>
              <th>Status</th>
              <th>Job</th>
              {!fixed && <th>Workflow</th>}
              <th>Created</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id} data-job={j.id}>
                <td>
                  <StatusBadge status={j.status} /> <WaitingNote waiting={j.waiting} />
                </td>
                <td>
                  <a className="mono" href={href({ page: 'job', id: j.id })}>
                    {j.id}
                  </a>
                </td>
                {!fixed && (
                  <td>
                    <a href={href({ page: 'workflow', name: j.workflow, tab: 'jobs' })}>
                      {j.workflow}
                    </a>
                  </td>
                )}
                <td title={formatTime(j.createdAt)}>{formatAgo(j.createdAt)}</td>
                <td>{formatDuration(j.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorBox error={olderError} />
      {cursor && (jobs.length > 0 || matches.length > 0) && (
        <button
          type="button"
          className="button"
          disabled={loadingOlder}
          onClick={() => void loadOlder()}
        >
          {loadingOlder ? 'Loading…' : matches.length > 0 ? 'Search older jobs' : 'Load older jobs'}
        </button>
      )}
    </div>
  );
}
