/**
 * @module steps/http
 * The outbound `http` step. See {@link executeHttpStep}.
 *
 * @example
 *   import { executeHttpStep } from './steps/http/index.js';
 *   const { input, output, attempts } = await executeHttpStep(step, ctx);
 */
export { executeHttpStep, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_REDIRECTS } from './http-step.js';
export { appendQuery } from './build-request.js';
export type {
  HttpStepOptions,
  HttpStepInput,
  HttpStepOutput,
  HttpResponseOutput,
  HttpFailureOutput,
  HttpPagesOutput,
} from './http-step.js';
export type { HttpStepErrorCode } from './errors.js';
export { MAX_BACKOFF_MS, MAX_RETRY_AFTER_MS } from './retry-policy.js';
export type { BinaryBody } from './parse-response.js';
