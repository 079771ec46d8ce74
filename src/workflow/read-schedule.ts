/**
 * @module workflow/read-schedule
 * `trigger.schedule`: `{cron, timezone}` or `{every}`; one job per fire time (docs/triggers.md).
 *
 * @example
 *   readSchedule(r, node, keyLine); // { type: 'schedule', timing: { kind: 'every', ms: 30000, text: '30s' } }
 */
import type { Node } from 'yaml';
import { readTiming, TIMING_KEYS } from './read-timing.js';
import type { ScheduleTrigger } from './types.js';
import type { Reader } from './yaml-reader.js';

export function readSchedule(
  r: Reader,
  node: Node | null,
  keyLine: number,
): ScheduleTrigger | undefined {
  const m = r.map(node, 'trigger.schedule', { allowed: TIMING_KEYS, line: keyLine });
  if (!m) return undefined;
  const timing = readTiming(r, m);
  return timing && { type: 'schedule', timing };
}
