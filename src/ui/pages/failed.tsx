/**
 * The failed-job inbox: failed jobs of every workflow, newest first, with their error; filter
 * by workflow, error text and age; select some and "Replay selected", or "Replay all matching".
 * Jobs a replay already made a new job of are hidden unless asked for: a replayed job that
 * failed again shows as its new job.
 * The list and its count are the dry run of the replay the buttons start (POST
 * /api/jobs/replay with `dry_run`), so "all matching" replays what the count says.
 */
import { useEffect, useState } from 'react';
import { ErrorBox, Loading } from '../components/bits.js';
import { ReplayProgress } from '../components/replay-progress.js';
import { api } from '../lib/api.js';
import { formatAgo, formatTime } from '../lib/format.js';
import { href } from '../lib/router.js';
import type { MatchedJob, Replay } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

const SHOWN = 200;
const AGES = [
  ['', 'any time'],
  ['1h', 'last hour'],
  ['24h', 'last 24 hours'],
  ['7d', 'last 7 days'],
] as const;

interface Filter {
  workflow?: string;
  error?: string;
  since?: string;
  replayed?: false;
}

export function FailedPage() {
  const names = useApi<{ workflows: Array<{ name: string }> }>('/api/workflows');
  const [workflow, setWorkflow] = useState('');
  const [errorText, setErrorText] = useState('');
  const [since, setSince] = useState('');
  const [hideReplayed, setHideReplayed] = useState(true);
  const [version, setVersion] = useState<'current' | 'original'>('current');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [matches, setMatches] = useState<{ count: number; sample: MatchedJob[] } | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [startError, setStartError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  const [tick, setTick] = useState(0);

  const filter: Filter = {
    ...(workflow && { workflow }),
    ...(errorText.trim() && { error: errorText.trim() }),
    ...(since && { since }),
    ...(hideReplayed && { replayed: false as const }),
  };
  const key = JSON.stringify(filter);

  useEffect(() => {
    let cancelled = false;
    const load = () =>
      api<{ count: number; sample: MatchedJob[] }>('/api/jobs/replay', {
        method: 'POST',
        body: { ...filter, dry_run: true, sample: SHOWN },
      }).then(
        (m) => {
          if (cancelled) return;
          setMatches(m);
          setLoadError(null);
        },
        (e: unknown) => !cancelled && setLoadError(e),
      );
    void load();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, 5000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
    // `key` stands for the filter; `tick` reloads after a replay was started.
  }, [key, tick]);

  useEffect(() => setSelected(new Set()), [key]);

  const jobs = matches?.sample ?? [];
  const allChosen = jobs.length > 0 && jobs.every((j) => selected.has(j.id));
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const replay = async (body: Filter | { ids: string[] }) => {
    setStarting(true);
    setStartError(null);
    try {
      await api<Replay>('/api/jobs/replay', { method: 'POST', body: { ...body, version } });
      setSelected(new Set());
      setTick((t) => t + 1);
    } catch (e) {
      setStartError(e);
    } finally {
      setStarting(false);
    }
  };

  return (
    <section className="failed">
      <h1>Failed jobs</h1>
      <div className="toolbar">
        <label>
          Workflow{' '}
          <select
            value={workflow}
            onChange={(e) => setWorkflow(e.target.value)}
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
        <label>
          Error contains{' '}
          <input
            type="search"
            value={errorText}
            placeholder="e.g. 503"
            onChange={(e) => setErrorText(e.target.value)}
            aria-label="error filter"
          />
        </label>
        <label>
          Failed{' '}
          <select value={since} onChange={(e) => setSince(e.target.value)} aria-label="age filter">
            {AGES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={hideReplayed}
            onChange={(e) => setHideReplayed(e.target.checked)}
          />{' '}
          Hide jobs already replayed
        </label>
      </div>
      <div className="toolbar">
        <label>
          Run with{' '}
          <select
            value={version}
            onChange={(e) => setVersion(e.target.value as 'current' | 'original')}
            aria-label="replay version"
          >
            <option value="current">the workflow as loaded now</option>
            <option value="original">the version each job ran</option>
          </select>
        </label>
        <button
          type="button"
          className="button"
          disabled={starting || selected.size === 0}
          onClick={() => void replay({ ids: [...selected] })}
        >
          Replay selected ({selected.size})
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={starting || !matches || matches.count === 0}
          onClick={() => void replay(filter)}
        >
          Replay all matching ({matches?.count ?? 0})
        </button>
      </div>
      <ErrorBox error={startError} />
      <ReplayProgress tick={tick} />
      <ErrorBox error={loadError} />
      {!matches ? (
        loadError ? null : (
          <Loading />
        )
      ) : jobs.length === 0 ? (
        <p className="muted">No failed jobs match.</p>
      ) : (
        <>
          <p className="muted small" data-testid="failed-count">
            {matches.count} failed job{matches.count === 1 ? '' : 's'} match
            {matches.count > jobs.length && ` (the newest ${jobs.length} shown)`}
          </p>
          <table className="table" data-testid="failed-jobs">
            <thead>
              <tr>
                <th>
                  <input
                    type="checkbox"
                    aria-label="select all shown"
                    checked={allChosen}
                    onChange={() =>
                      setSelected(allChosen ? new Set() : new Set(jobs.map((j) => j.id)))
                    }
                  />
                </th>
                <th>Job</th>
                <th>Workflow</th>
                <th>Error</th>
                <th>Failed</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.id} data-job={j.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`select ${j.id}`}
                      checked={selected.has(j.id)}
                      onChange={() => toggle(j.id)}
                    />
                  </td>
                  <td>
                    <a className="mono" href={href({ page: 'job', id: j.id })}>
                      {j.id}
                    </a>
                  </td>
                  <td>
                    <a href={href({ page: 'workflow', name: j.workflow, tab: 'jobs' })}>
                      {j.workflow}
                    </a>
                  </td>
                  <td className="text-failed failed-error" title={j.error ?? ''}>
                    {j.error ?? '–'}
                  </td>
                  <td title={formatTime(j.finishedAt ?? j.createdAt)}>
                    {formatAgo(j.finishedAt ?? j.createdAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
