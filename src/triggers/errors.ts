/**
 * @module triggers/errors
 * The codes of poll and schedule triggers: a poll that failed (its request, or reading the
 * items out of the answer) and a trigger asked for that is not running.
 */
import { HookflowError } from '../errors.js';

export const POLL_FAILED = 'poll_failed';

export function pollFailed(message: string): HookflowError {
  return new HookflowError(POLL_FAILED, message);
}

export function noTimedTrigger(name: string): HookflowError {
  return new HookflowError(
    'not_found',
    `workflow '${name}' has no running poll or schedule trigger (unknown, disabled, or another trigger type)`,
  );
}
