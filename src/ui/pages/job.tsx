/**
 * The job inspector: the trigger data, each step's input and output side by side (errors
 * highlighted), the reply that was sent, and Re-run. A job still running refreshes itself.
 */
import { useEffect, useState } from 'react';
import { ErrorBox, Loading, StatusBadge } from '../components/bits.js';
import { JsonView } from '../components/json-view.js';
import { UseAsExample } from '../components/listen-panel.js';
import { WaitingNote } from '../components/waiting-note.js';
import { api } from '../lib/api.js';
import { formatDuration, formatTime } from '../lib/format.js';
import { href, navigate } from '../lib/router.js';
import type { JobDetail, StepRecord, TriggerData } from '../lib/types.js';
import { useApi } from '../lib/use-api.js';

export function JobPage({ id }: { id: string }) {
  const path = `/api/jobs/${encodeURIComponent(id)}`;
  // Refreshes until the job is finished (the app mounts one JobPage per job id).
  const [refreshMs, setRefreshMs] = useState<number | null>(1000);
  const { data: job, error } = useApi<JobDetail>(path, refreshMs);
  const finished = job?.status === 'succeeded' || job?.status === 'failed';
  useEffect(() => {
    if (finished) setRefreshMs(null);
  }, [finished]);
  if (!job) return error ? <ErrorBox error={error} /> : <Loading />;
  return (
    <section className="inspector" data-testid="job" data-status={job.status}>
      <p className="crumbs">
        <a href={href({ page: 'workflows' })}>Workflows</a> /{' '}
        <a href={href({ page: 'workflow', name: job.workflow, tab: 'jobs' })}>{job.workflow}</a> /
      </p>
      <div className="job-head">
        <h1>
          Job <span className="mono">{job.id}</span> <StatusBadge status={job.status} />
        </h1>
        <RerunButton id={job.id} hasVersion={job.version !== null} />
      </div>
      {job.waiting && (
        <p className="job-waiting">
          Waiting: <WaitingNote waiting={job.waiting} />
        </p>
      )}
      <div className="facts">
        <span>created {formatTime(job.createdAt)}</span>
        <span>finished {formatTime(job.finishedAt)}</span>
        <span>took {formatDuration(job.durationMs)}</span>
        <span>attempt {job.attempt}</span>
        {job.version && (
          <span>
            version <span className="mono">{job.version}</span>
          </span>
        )}
        {job.failureOf && (
          <span>
            reports the failure of{' '}
            <a className="mono" href={href({ page: 'job', id: job.failureOf })}>
              {job.failureOf}
            </a>
          </span>
        )}
        {job.rerunOf && (
          <span>
            re-run of{' '}
            <a className="mono" href={href({ page: 'job', id: job.rerunOf })}>
              {job.rerunOf}
            </a>
            {job.replay && (
              <>
                {' '}
                by{' '}
                <a href={href({ page: 'failed' })}>
                  replay <span className="mono">{job.replay}</span>
                </a>
              </>
            )}
          </span>
        )}
        {job.traceId && (
          <span data-testid="trace-id">
            trace{' '}
            {job.traceUrl ? (
              <a className="mono" href={job.traceUrl} target="_blank" rel="noreferrer">
                {job.traceId}
              </a>
            ) : (
              <span className="mono">{job.traceId}</span>
            )}
          </span>
        )}
      </div>
      {job.error && (
        <div className="error-box" role="alert" data-testid="job-error">
          {job.error}
        </div>
      )}

      <h2>Trigger</h2>
      <TriggerPanel trigger={job.trigger} />
      {typeof (job.trigger as Partial<TriggerData> | null)?.method === 'string' && (
        <div className="use-example">
          <UseAsExample
            workflow={job.workflow}
            source={{ job: job.id }}
            label="Use this payload as the example"
          />
        </div>
      )}

      <h2>Steps</h2>
      {job.steps.length === 0 ? (
        <p className="muted">
          {job.status === 'queued' || job.status === 'running'
            ? 'No step has finished yet.'
            : 'This job ran no step.'}
        </p>
      ) : (
        job.steps.map((s) => <StepCard key={s.seq} step={s} />)
      )}

      <h2>Reply</h2>
      {job.reply ? (
        <div className="card" data-testid="reply">
          <div className="card-head">
            <span className="tag">HTTP {job.reply.status}</span>
            <span className="muted">the answer sent to the caller</span>
          </div>
          <div className="columns">
            <div>
              <h4>Headers</h4>
              <JsonView value={job.reply.headers} />
            </div>
            <div>
              <h4>Body</h4>
              <JsonView value={job.reply.body} />
            </div>
          </div>
        </div>
      ) : (
        <p className="muted">No reply step ran: the caller got the delivery mode's answer.</p>
      )}
    </section>
  );
}

function RerunButton({ id, hasVersion }: { id: string; hasVersion: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState<'current' | 'original'>('current');
  const rerun = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await api<{ id: string }>(`/api/jobs/${encodeURIComponent(id)}/rerun`, {
        method: 'POST',
        body: { version },
      });
      navigate({ page: 'job', id: res.id });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      {hasVersion && (
        <select
          aria-label="Version to re-run with"
          data-testid="rerun-version"
          value={version}
          onChange={(e) => setVersion(e.target.value as 'current' | 'original')}
        >
          <option value="current">current version</option>
          <option value="original">original version</option>
        </select>
      )}{' '}
      <button
        type="button"
        className="button button-primary"
        disabled={busy}
        onClick={() => void rerun()}
      >
        {busy ? 'Re-running…' : 'Re-run'}
      </button>
      <ErrorBox error={error} />
    </div>
  );
}

function TriggerPanel({ trigger }: { trigger: JobDetail['trigger'] }) {
  // A webhook's trigger data has all of these; a poll's or a schedule's some (and others).
  const { id, headers, query, params, body, method, path, receivedAt, rawBody, ...rest } =
    trigger as Partial<TriggerData> & Record<string, unknown>;
  return (
    <div className="card" data-testid="trigger">
      <div className="card-head">
        {method && <span className="tag">{method}</span>}
        {path && <span className="mono">{path}</span>}
        {receivedAt && <span className="muted">received {formatTime(receivedAt)}</span>}
        {id && <span className="muted mono">event {id}</span>}
      </div>
      <div className="columns">
        <div>
          <h4>Body</h4>
          <JsonView value={body} />
        </div>
        <div>
          {params && Object.keys(params).length > 0 && (
            <>
              <h4>Params</h4>
              <JsonView value={params} />
            </>
          )}
          {query && Object.keys(query).length > 0 && (
            <>
              <h4>Query</h4>
              <JsonView value={query} />
            </>
          )}
          {headers && (
            <>
              <h4>Headers</h4>
              <JsonView value={headers} openDepth={0} />
            </>
          )}
          {rawBody !== undefined && (
            <>
              <h4>Raw body</h4>
              <JsonView value={rawBody} />
            </>
          )}
          {Object.keys(rest).length > 0 && (
            <>
              <h4>Other fields</h4>
              <JsonView value={rest} openDepth={1} />
            </>
          )}
        </div>
      </div>
    </div>
  );
}

function StepCard({ step }: { step: StepRecord }) {
  return (
    <div className={`card step step-${step.status}`} data-step={step.id}>
      <div className="card-head">
        <strong className="mono">{step.id}</strong>
        <span className="tag">{step.type}</span>
        <StatusBadge status={step.status} />
        <span className="muted">
          {formatDuration(step.durationMs)}
          {step.waitedMs
            ? ` (${formatDuration(step.waitedMs)} waiting for its connection)`
            : ''} · {step.attempts} attempt
          {step.attempts === 1 ? '' : 's'} · started {formatTime(step.startedAt)}
        </span>
      </div>
      {step.error && (
        <div className="error-box" role="alert">
          {step.error}
        </div>
      )}
      <div className="columns">
        <div data-testid="step-input">
          <h4>Input</h4>
          {step.input === null || step.input === undefined ? (
            <p className="muted">none (this step sends nothing)</p>
          ) : (
            <JsonView value={step.input} />
          )}
        </div>
        <div data-testid="step-output">
          <h4>Output</h4>
          <JsonView value={step.output} />
        </div>
      </div>
    </div>
  );
}
