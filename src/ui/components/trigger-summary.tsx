/** One workflow's trigger in a line: webhook method and path, schedule, poll, connector. */
import type { TriggerInfo } from '../lib/types.js';
import { formatAgo } from '../lib/format.js';

export function TriggerSummary({ trigger }: { trigger: TriggerInfo }) {
  const t = trigger;
  let what: string;
  if (t.type === 'webhook') what = `${t.method ?? ''} ${t.delivery ?? ''}`.trim();
  else if (t.type === 'connector') what = `${t.connector ?? ''}.${t.trigger ?? ''}`;
  else if (t.cron) what = `cron ${t.cron}${t.timezone ? ` (${t.timezone})` : ''}`;
  else if (t.every) what = `every ${t.every}`;
  else what = '';
  return (
    <span className="trigger">
      <span className="tag">{t.type}</span> {what}
      {t.lifecycle && (
        <span
          className={`lifecycle lifecycle-${t.lifecycle.state}`}
          title={t.lifecycle.error ?? ''}
        >
          {' '}
          {t.lifecycle.state}
          {t.lifecycle.error ? `: ${t.lifecycle.error}` : ''}
        </span>
      )}
      {t.status && (
        <span className="muted">
          {' '}
          · last run {formatAgo(t.status.lastRunAt)}
          {t.status.lastError ? (
            <span className="text-failed"> · error: {t.status.lastError}</span>
          ) : null}
        </span>
      )}
    </span>
  );
}
