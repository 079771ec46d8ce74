import { HookflowError, errorMessage } from '../errors.js';

/** A bad command line: printed as one line, exit code 2. */
export function usageError(e: unknown): HookflowError {
  return new HookflowError('usage', `hookflow: ${errorMessage(e)}`);
}
