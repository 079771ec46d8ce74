/**
 * @module format
 * How numbers read for people, shared by the CLI's tables and the web UI. Pure, no I/O, so
 * the UI's bundle can take it too.
 *
 * @example
 *   formatDuration(3400); // '3.4 s'
 */

/** `12 ms`, `3.4 s`, `2 min 5 s`; `none` when unknown. */
export function formatDuration(ms: number | null | undefined, none = '-'): string {
  if (ms === null || ms === undefined) return none;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${Math.round((ms % 60_000) / 1000)} s`;
}
