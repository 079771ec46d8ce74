/**
 * @module steps
 * One executor per step type that does work of its own (`http`, `set`); the engine runs
 * `switch` and `reply` itself. Every executor takes the compiled step and a StepContext and
 * returns a StepOutcome `{input, output, attempts}`, or throws a StepError carrying the same.
 *
 * @example
 *   import { executeHttpStep, executeSetStep } from '../steps/index.js';
 *   const outcome = step.type === 'http' ? await executeHttpStep(step, ctx) : await executeSetStep(step, ctx);
 */
export {
  executeHttpStep,
  appendQuery,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_REDIRECTS,
  MAX_BACKOFF_MS,
  MAX_RETRY_AFTER_MS,
} from './http/index.js';
export type {
  HttpStepOptions,
  HttpStepInput,
  HttpStepOutput,
  HttpResponseOutput,
  HttpFailureOutput,
  HttpPagesOutput,
  HttpStepErrorCode,
  BinaryBody,
} from './http/index.js';
export { executeSetStep } from './set/index.js';
export {
  REDACTED,
  canBeSecret,
  MIN_SEARCHED_SECRET_LENGTH,
  isSensitiveHeader,
  redactHeaders,
  redactSecrets,
  redactSecretsInText,
} from './redact.js';
export { StepError, AddressBlockedError } from './types.js';
export type {
  StepContext,
  StepOutcome,
  ConnectionResolver,
  OutboundRequest,
  SecretFields,
} from './types.js';
