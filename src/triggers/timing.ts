/**
 * @module triggers/timing
 * Fire times of a {@link Timing}. `every` counts from the Unix epoch, so every server computes
 * the same times (`every: 30s` fires at :00 and :30 of each minute, `every: 1h` on the hour,
 * UTC); `cron` asks croner, in the pattern's time zone, DST included.
 *
 * @example
 *   const times = fireTimes({ kind: 'every', ms: 30_000, text: '30s' });
 *   times.next(Date.parse('2025-01-01T00:00:10Z')); // 2025-01-01T00:00:30Z, in epoch ms
 */
import { compileCron } from '../workflow/index.js';
import type { Timing } from '../workflow/index.js';

export interface FireTimes {
  /** The first fire time strictly after `afterMs`, or null when there is none. */
  next(afterMs: number): number | null;
  /** The newest fire time at or before `atMs`, or null when there is none. */
  latest(atMs: number): number | null;
}

export function fireTimes(timing: Timing): FireTimes {
  if (timing.kind === 'every') {
    const { ms } = timing;
    return {
      next: (afterMs) => Math.floor(afterMs / ms) * ms + ms,
      latest: (atMs) => Math.floor(atMs / ms) * ms,
    };
  }
  const cron = compileCron(timing.pattern, timing.timezone);
  return {
    next: (afterMs) => cron.nextRun(new Date(afterMs))?.getTime() ?? null,
    // previousRuns looks strictly before its reference; +1 ms makes `atMs` itself count.
    latest: (atMs) => cron.previousRuns(1, new Date(atMs + 1))[0]?.getTime() ?? null,
  };
}

/** `every 5m`, or `cron '0 9 * * 1-5' (Europe/Berlin)`, for logs. */
export function describeTiming(timing: Timing): string {
  return timing.kind === 'every'
    ? `every ${timing.text}`
    : `cron '${timing.pattern}' (${timing.timezone})`;
}

/** The most a poll may come early: timers and clocks of processes differ a little. */
const POLL_SLACK_MS = 1_000;

/**
 * Whether the poll due at `atMs` should run, given the start of the last run of the cluster
 * (`lastRunAt`, any process's, successful or not): each interval polls once however many
 * processes fire. `every`: an interval has passed since (less a tenth of it, at most 1 s, for
 * timers firing a little apart); `cron`: no run since this fire time (less 1 s of clock skew).
 */
export function pollDue(
  timing: Timing,
  atMs: number,
  nowMs: number,
  lastRunAt: number | null,
): boolean {
  if (lastRunAt === null) return true;
  if (timing.kind === 'every') {
    return nowMs - lastRunAt >= timing.ms - Math.min(timing.ms / 10, POLL_SLACK_MS);
  }
  return lastRunAt < atMs - POLL_SLACK_MS;
}
