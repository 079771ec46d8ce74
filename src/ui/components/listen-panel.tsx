/**
 * "Listen for test event" on a webhook workflow's page: starts a capture, shows where to send
 * the request while it waits, then the request that came (nothing ran), and "Use as example".
 * Leaving the page or Stop ends the capture on the server. Also the job inspector's "Use
 * payload as example". Both show what the server did: saved (a pushed workflow), or the file's
 * text with the example set, to paste.
 */
import { useEffect, useRef, useState } from 'react';
import { api } from '../lib/api.js';
import { href } from '../lib/router.js';
import type { TriggerData, WorkflowInfo } from '../lib/types.js';
import { CopyButton, ErrorBox } from './bits.js';
import { JsonView } from './json-view.js';

interface Capture {
  id: string;
  state: 'waiting' | 'captured' | 'expired' | 'cancelled';
  url?: string;
  method?: string;
  expiresAt: string;
  event: TriggerData | null;
}

export interface ExampleAnswer {
  saved: boolean;
  origin: 'file' | 'api';
  file: string | null;
  text: string;
}

/** How long a capture from the UI waits, in seconds. */
const LISTEN_S = 300;

export function ListenPanel({ workflow }: { workflow: WorkflowInfo }) {
  const base = `/api/workflows/${encodeURIComponent(workflow.name)}/captures`;
  const [capture, setCapture] = useState<Capture | null>(null);
  const [target, setTarget] = useState<{ url: string; method: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const stopRef = useRef<(() => void) | null>(null);

  useEffect(() => () => stopRef.current?.(), []);

  const listen = async () => {
    setError(null);
    setCapture(null);
    const controller = new AbortController();
    let current: Capture | null = null;
    stopRef.current = () => {
      controller.abort();
      if (current?.state === 'waiting') void api(`${base}/${current.id}`, { method: 'DELETE' });
    };
    try {
      const started = await api<Capture & { url: string; method: string }>(base, {
        method: 'POST',
        body: { timeout: LISTEN_S },
      });
      current = started;
      setTarget({ url: started.url, method: started.method });
      setCapture(started);
      while (current.state === 'waiting') {
        current = await api<Capture>(`${base}/${started.id}?wait=25`, {
          signal: controller.signal,
        });
        setCapture(current);
      }
    } catch (e) {
      if (!controller.signal.aborted) setError(e);
    }
  };
  const stop = () => {
    stopRef.current?.();
    stopRef.current = null;
    setCapture(null);
  };

  if (workflow.trigger.type !== 'webhook') return null;
  const waiting = capture?.state === 'waiting';
  return (
    <div className="card listen" data-testid="listen">
      <div className="card-head">
        <strong>Test event</strong>
        {!waiting && (
          <button type="button" className="button" onClick={() => void listen()}>
            {capture ? 'Listen again' : 'Listen for test event'}
          </button>
        )}
        {waiting && (
          <button type="button" className="button" onClick={stop}>
            Stop
          </button>
        )}
        {!capture && (
          <span className="muted">
            Capture the next request to this webhook (verified and decoded; nothing runs) and use it
            as the example.
          </span>
        )}
      </div>
      <ErrorBox error={error} />
      {waiting && target && (
        <p data-testid="listen-waiting">
          Waiting for a request to <span className="tag">{target.method}</span>{' '}
          <span className="mono">{target.url}</span> <CopyButton text={target.url} /> — until{' '}
          {new Date(capture.expiresAt).toLocaleTimeString()}.
        </p>
      )}
      {capture?.state === 'expired' && (
        <p className="muted">No request came within {LISTEN_S / 60} minutes.</p>
      )}
      {capture?.state === 'captured' && capture.event && (
        <CapturedEvent workflow={workflow.name} capture={capture} event={capture.event} />
      )}
    </div>
  );
}

function CapturedEvent(props: { workflow: string; capture: Capture; event: TriggerData }) {
  const { event } = props;
  return (
    <div data-testid="captured">
      <div className="card-head">
        <span className="tag">{event.method}</span>
        <span className="mono">{event.path}</span>
        <span className="muted">captured; its sender got 202, no job ran</span>
      </div>
      <div className="use-example">
        <UseAsExample workflow={props.workflow} source={{ capture: props.capture.id }} />
      </div>
      <div className="columns">
        <div>
          <h4>Body</h4>
          <JsonView value={event.body} />
        </div>
        <div>
          {Object.keys(event.query ?? {}).length > 0 && (
            <>
              <h4>Query</h4>
              <JsonView value={event.query} />
            </>
          )}
          <h4>Headers</h4>
          <JsonView value={event.headers} openDepth={1} />
        </div>
      </div>
    </div>
  );
}

/** The button, then what became of the example: saved, or the text to paste into the file. */
export function UseAsExample(props: {
  workflow: string;
  source: { capture: string } | { job: string };
  label?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [answer, setAnswer] = useState<ExampleAnswer | null>(null);
  const use = async () => {
    setBusy(true);
    setError(null);
    try {
      setAnswer(
        await api<ExampleAnswer>(`/api/workflows/${encodeURIComponent(props.workflow)}/example`, {
          method: 'POST',
          body: props.source,
        }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className="button button-primary"
        disabled={busy}
        onClick={() => void use()}
      >
        {props.label ?? 'Use as example'}
      </button>
      <ErrorBox error={error} />
      {answer && <ExampleResult workflow={props.workflow} answer={answer} />}
    </>
  );
}

function ExampleResult({ workflow, answer }: { workflow: string; answer: ExampleAnswer }) {
  const datatree = href({ page: 'workflow', name: workflow, tab: 'datatree' });
  if (answer.saved) {
    return (
      <p className="test-ok" data-testid="example-saved">
        Saved as the example of {workflow}. <a href={datatree}>See its datatree</a>.
      </p>
    );
  }
  return (
    <div className="example-paste" data-testid="example-paste">
      <p>
        {workflow} comes from {answer.file ? <span className="mono">{answer.file}</span> : 'a file'}{' '}
        on the server, so it is not changed here: paste this into the file.{' '}
        <CopyButton text={answer.text} label="Copy YAML" />
      </p>
      <pre className="code">{answer.text}</pre>
    </div>
  );
}
