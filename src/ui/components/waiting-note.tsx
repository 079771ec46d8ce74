/**
 * Why a queued job has not started, in words: debounced until a time (its burst still
 * gathering), held by its concurrency key at its limit, or queued behind other jobs.
 */
import { formatTime } from '../lib/format.js';
import type { JobWaiting } from '../lib/types.js';

export function waitingText(waiting: JobWaiting): string {
  switch (waiting.reason) {
    case 'debounce':
      return `debounced until ${formatTime(waiting.until)} (${waiting.count} event${waiting.count === 1 ? '' : 's'} so far)`;
    case 'concurrency':
      return waiting.key === ''
        ? `held by the workflow's concurrency limit (limit ${waiting.limit})`
        : `held by its concurrency key ${waiting.key} (limit ${waiting.limit})`;
    case 'queue':
      return 'queued behind other jobs';
  }
}

export function WaitingNote({ waiting }: { waiting: JobWaiting | null | undefined }) {
  if (!waiting) return null;
  return (
    <span className="waiting muted" data-testid="waiting" data-reason={waiting.reason}>
      {waitingText(waiting)}
    </span>
  );
}
