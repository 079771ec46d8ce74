/** Small shared pieces: status badges, copy buttons, error boxes, loading lines. */
import { useState } from 'react';
import { ApiError } from '../lib/api.js';

export function StatusBadge({ status }: { status: string | null | undefined }) {
  if (!status) return <span className="badge badge-none">no jobs</span>;
  return <span className={`badge badge-${status}`}>{status}</span>;
}

/** Copies `text`; works without the async clipboard API (plain http on another host). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement('textarea');
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return (
    <button type="button" className="button button-small" onClick={() => void copy()}>
      {done ? 'Copied' : label}
    </button>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const message =
    error instanceof ApiError
      ? `${error.status} ${error.code}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <div className="error-box" role="alert">
      {message}
    </div>
  );
}

export function Loading() {
  return <p className="muted">Loading…</p>;
}
