/**
 * The newest bulk replays with their progress: jobs made of those matched, and how the new
 * jobs fared; Cancel on a running one. Refreshes every second while one is at work.
 */
import { useEffect, useState } from 'react';
import { ErrorBox, StatusBadge } from './bits.js';
import { api } from '../lib/api.js';
import { formatAgo, formatTime } from '../lib/format.js';
import type { Replay } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

/** `tick` changes when the page started a replay: read them again at once. */
export function ReplayProgress({ tick }: { tick: number }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [working, setWorking] = useState(false);
  const replays = useApi<{ replays: Replay[] }>('/api/replays?limit=5', working ? 1000 : 5000);
  const { reload } = replays;
  useEffect(() => reload(), [tick, reload]);
  const list = replays.data?.replays ?? [];
  const atWork = list.some((r) => r.status === 'running' || r.jobs.queued + r.jobs.running > 0);
  useEffect(() => setWorking(atWork), [atWork]);
  if (list.length === 0) return <ErrorBox error={replays.error} />;

  const cancel = async (id: string) => {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/replays/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
      replays.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="replays" aria-label="replays">
      <h2>Replays</h2>
      <ErrorBox error={error ?? replays.error} />
      {list.map((r) => {
        const waiting = r.jobs.queued + r.jobs.running;
        const share = r.matched === 0 ? 1 : (r.created + r.skipped) / r.matched;
        return (
          <div className="card replay" key={r.id} data-replay={r.id}>
            <div className="replay-head">
              <StatusBadge status={r.status} />
              <span className="mono small">{r.id}</span>
              <span className="muted small" title={formatTime(r.createdAt)}>
                {describeFilter(r)} · {r.rate}/s · version {r.version} · {formatAgo(r.createdAt)}
              </span>
              {r.status === 'running' && (
                <button
                  type="button"
                  className="button button-small"
                  disabled={busy}
                  onClick={() => void cancel(r.id)}
                >
                  Cancel
                </button>
              )}
            </div>
            <progress max={1} value={share} aria-label={`replay ${r.id} progress`} />
            <div className="small" data-testid="replay-counts">
              {r.created} of {r.matched} replayed
              {r.skipped > 0 && `, ${r.skipped} skipped`} · new jobs: {r.jobs.succeeded} succeeded,{' '}
              {r.jobs.failed} failed{waiting > 0 && `, ${waiting} waiting`}
            </div>
            {r.error && <div className="text-failed small">{r.error}</div>}
          </div>
        );
      })}
    </section>
  );
}

function describeFilter(r: Replay): string {
  const f = r.filter;
  if (f.ids) return `${f.ids.length} selected`;
  const parts = [f.workflow ?? 'all workflows', f.status];
  if (f.error) parts.push(`error ~ “${f.error}”`);
  if (f.since !== undefined) parts.push(`since ${formatTime(new Date(f.since).toISOString())}`);
  return parts.join(', ');
}
