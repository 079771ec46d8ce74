/**
 * @module workflow/read-timing
 * When a `poll` or `schedule` trigger fires: `every` (a duration of at least 1 s) or `cron`
 * (5 fields, or 6 with seconds first) with an optional `timezone` (IANA name, default UTC).
 * Cron patterns are parsed with croner, here and where the fire times are computed.
 *
 * @example
 *   const timing = readTiming(r, m); // { kind: 'cron', pattern: '0 9 * * 1-5', timezone: 'Europe/Berlin' }
 */
import { Cron } from 'croner';
import { errorMessage } from '../errors.js';
import type { Timing } from './types.js';
import { describe } from './yaml-reader.js';
import type { MapView, Reader } from './yaml-reader.js';
import { DURATION_HINT, parseDuration } from './units.js';

export const TIMING_KEYS = ['every', 'cron', 'timezone'] as const;
/** The shortest `every` a workflow may ask for. */
export const MIN_EVERY_MS = 1000;

/** A croner job that never runs by itself: it only answers next/previous fire times. */
export function compileCron(pattern: string, timezone: string): Cron {
  return new Cron(pattern, { timezone, paused: true, mode: '5-or-6-parts' });
}

/** `every` or `cron` (+ `timezone`) of a trigger mapping; undefined when invalid (reported). */
export function readTiming(r: Reader, m: MapView): Timing | undefined {
  const every = m.fields.get('every');
  const cron = m.fields.get('cron');
  if (every && cron) {
    r.report(cron.keyLine, `${m.where} takes every or cron, not both`);
    return undefined;
  }
  if (!every && !cron) {
    r.report(
      m.line,
      `${m.where} needs every (a duration such as 5m) or cron (a pattern such as "*/5 * * * *")`,
    );
    return undefined;
  }
  if (every) {
    if (m.fields.has('timezone')) {
      r.bad(m, 'timezone', 'applies to cron only; every counts from the Unix epoch');
      return undefined;
    }
    return readEvery(r, m);
  }
  return readCron(r, m);
}

function readEvery(r: Reader, m: MapView): Timing | undefined {
  const raw = r.toJS(r.node(m, 'every') ?? null);
  let ms: number | undefined;
  try {
    ms = parseDuration(raw);
  } catch {
    ms = undefined;
  }
  if (ms === undefined || ms < MIN_EVERY_MS) {
    r.bad(
      m,
      'every',
      `must be ${DURATION_HINT}, of at least 1s${describe(r.node(m, 'every') ?? null)}`,
    );
    return undefined;
  }
  return { kind: 'every', ms, text: typeof raw === 'string' ? raw.trim() : `${ms}ms` };
}

function readCron(r: Reader, m: MapView): Timing | undefined {
  const pattern = r.string(m, 'cron');
  const timezone = m.fields.has('timezone') ? r.string(m, 'timezone') : 'UTC';
  if (pattern === undefined || timezone === undefined) return undefined;
  if (!isTimeZone(timezone)) {
    r.bad(
      m,
      'timezone',
      `must be an IANA time zone such as Europe/Berlin or UTC (got '${timezone}')`,
    );
    return undefined;
  }
  let job: Cron;
  try {
    job = compileCron(pattern, timezone);
  } catch (e) {
    r.bad(
      m,
      'cron',
      `is not a valid cron pattern: ${errorMessage(e).replace(/^CronPattern: /, '')}`,
    );
    return undefined;
  }
  if (job.nextRun() === null) {
    r.bad(m, 'cron', `never fires ('${pattern}' matches no date)`);
    return undefined;
  }
  return { kind: 'cron', pattern, timezone };
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
