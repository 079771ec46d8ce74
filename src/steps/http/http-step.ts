/**
 * @module steps/http/http-step
 * The `http` step: render the request, apply the connection, send it (retrying network
 * errors, time-outs, 429 and 5xx), parse the response, and record input and output with
 * credentials redacted.
 *
 * @example
 *   const { input, output, attempts } = await executeHttpStep(step, ctx);
 *   // output: { status: 200, headers: { 'content-type': 'application/json' }, body: { id: 1 } }
 */
import type { HttpStep } from '../../workflow/types.js';
import { redactHeaders, redactSecrets, redactSecretsInText } from '../redact.js';
import { StepError } from '../types.js';
import type { OutboundRequest, StepContext, StepOutcome } from '../types.js';
import { buildRequest } from './build-request.js';
import type { BuiltRequest } from './build-request.js';
import { httpStepError } from './errors.js';
import { decodeText, parseResponseBody, ResponseParseError } from './parse-response.js';
import {
  backoffDelay,
  isRetryableStatus,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  sleep,
} from './retry-policy.js';
import { sendRequest } from './send-request.js';
import type { ResponseHeaders, SendResult } from './send-request.js';

/** Default limit on a response body: 10 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export interface HttpStepOptions {
  /** Limit on a response body; default {@link DEFAULT_MAX_RESPONSE_BYTES}. */
  maxResponseBytes?: number;
}

/** What an `http` step records as its input: the request as sent, redacted. */
export interface HttpStepInput {
  method: string;
  url: string;
  headers: Record<string, string>;
  query: unknown;
  body: unknown;
}

/** The output when a response came back (any status with `errors: continue`). */
export interface HttpResponseOutput {
  status: number;
  /** Lower-cased names; a repeated header is a list. */
  headers: ResponseHeaders;
  body: unknown;
}

/** The output with `errors: continue` when no response came back. */
export interface HttpFailureOutput {
  status: 0;
  error: string;
  headers: Record<string, never>;
  body: null;
}

export type HttpStepOutput = HttpResponseOutput | HttpFailureOutput;

export async function executeHttpStep(
  step: HttpStep,
  ctx: StepContext,
  options: HttpStepOptions = {},
): Promise<StepOutcome> {
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxAttempts = Math.max(1, Math.floor(step.retry.attempts));
  const built = await buildRequest(step, ctx.scope);
  let secrets = connectionSecrets(step, ctx);
  let input = recordInput(built.request, built, secrets);

  for (let attempt = 1; ; attempt++) {
    const request = await applyConnection(step, ctx, built.request, input, attempt);
    // Asked again after each apply: a connection may have refreshed its token.
    secrets = connectionSecrets(step, ctx);
    input = recordInput(request, built, secrets);
    const target = `${request.method} ${input.url}`;
    checkUrl(request.url, step, input, attempt);

    let retryAfterRefused: number | undefined;
    let retryDelay = 0;
    const result: SendResult = await sendRequest(request, {
      dispatcher: ctx.dispatcher,
      signal: ctx.signal,
      timeoutMs: step.timeoutMs,
      maxResponseBytes,
      keepBody(status, headers) {
        if (!isRetryableStatus(status) || attempt >= maxAttempts) return true;
        const retryAfter = parseRetryAfter(headers['retry-after']);
        if (retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_MS) {
          retryAfterRefused = retryAfter;
          return true;
        }
        retryDelay = retryAfter ?? backoffDelay(step.retry, attempt);
        return false;
      },
    });

    if (result.kind === 'failure') {
      const retryable = result.code === 'network_error' || result.code === 'timeout';
      if (retryable && attempt < maxAttempts) {
        await wait(backoffDelay(step.retry, attempt), ctx, input, attempt);
        continue;
      }
      const message = redactSecretsInText(result.message, secrets);
      if (retryable && step.errors === 'continue') {
        const output: HttpFailureOutput = { status: 0, error: message, headers: {}, body: null };
        return { input, output, attempts: attempt };
      }
      const tries = attempt > 1 ? ` (after ${attempt} attempts)` : '';
      throw httpStepError(result.code, `${target} failed: ${message}${tries}`, {
        input,
        attempts: attempt,
      });
    }

    if (result.bytes === null) {
      await wait(retryDelay, ctx, input, attempt);
      continue;
    }

    const read = readOutput(step.response, { ...result, bytes: result.bytes });
    const output = redactSecrets(read.output, secrets);
    if (read.invalid !== undefined) {
      throw httpStepError(
        'invalid_response',
        `${target} answered ${result.status}, but ${redactSecretsInText(read.invalid, secrets)}`,
        {
          input,
          output,
          attempts: attempt,
        },
      );
    }
    if (step.errors === 'continue' || (result.status >= 200 && result.status < 300)) {
      return { input, output, attempts: attempt };
    }
    const why =
      retryAfterRefused !== undefined
        ? ` (its Retry-After asks for ${Math.ceil(retryAfterRefused / 1000)} s, more than the ${MAX_RETRY_AFTER_MS / 1000} s Hookflow waits)`
        : '';
    throw httpStepError('http_status', `${target} answered ${result.status}${why}`, {
      input,
      output,
      attempts: attempt,
    });
  }
}

/**
 * The response as output. A body that does not parse as asked keeps its text, and a reason
 * when that fails the step (a 2xx: the service said it worked, but the data is unusable).
 */
function readOutput(
  format: HttpStep['response'],
  result: { status: number; headers: ResponseHeaders; bytes: Buffer },
): { output: HttpResponseOutput; invalid?: string } {
  const { status, headers, bytes } = result;
  const contentType = firstValue(headers['content-type']);
  try {
    return { output: { status, headers, body: parseResponseBody(format, bytes, contentType) } };
  } catch (e) {
    if (!(e instanceof ResponseParseError)) throw e;
    const output = { status, headers, body: decodeText(bytes) };
    return status >= 200 && status < 300 ? { output, invalid: e.message } : { output };
  }
}

async function applyConnection(
  step: HttpStep,
  ctx: StepContext,
  request: OutboundRequest,
  input: HttpStepInput,
  attempt: number,
): Promise<OutboundRequest> {
  if (!step.connection) return request;
  if (!ctx.connections) {
    throw httpStepError(
      'connection_unavailable',
      `the step uses connection '${step.connection}', but no connections are available to this run`,
      { input, attempts: attempt - 1 },
    );
  }
  const copy: OutboundRequest = { ...request, headers: { ...request.headers } };
  try {
    return await ctx.connections.apply(step.connection, copy);
  } catch (e) {
    const secrets = connectionSecrets(step, ctx);
    const message = redactSecretsInText(e instanceof Error ? e.message : String(e), secrets);
    const code = e instanceof StepError ? e.code : 'connection_failed';
    throw new StepError(code, `connection '${step.connection}': ${message}`, {
      input,
      attempts: attempt - 1,
    });
  }
}

function connectionSecrets(step: HttpStep, ctx: StepContext): string[] {
  return step.connection ? (ctx.connections?.secrets(step.connection) ?? []) : [];
}

function checkUrl(url: string, step: HttpStep, input: HttpStepInput, attempt: number): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) return;
  let message: string;
  if (parsed) {
    message = `url '${input.url}' uses ${parsed.protocol}; only http and https are supported`;
  } else if (step.connection) {
    message = `url '${input.url}' is not an absolute URL, and connection '${step.connection}' has no base_url to join it to`;
  } else {
    message = `url '${input.url}' is not an absolute URL; give one with http(s)://, or use a connection with a base_url for relative paths`;
  }
  throw httpStepError('invalid_url', message, { input, attempts: attempt - 1 });
}

function recordInput(
  request: OutboundRequest,
  built: BuiltRequest,
  secrets: readonly string[],
): HttpStepInput {
  return redactSecrets(
    {
      method: request.method,
      url: request.url,
      headers: redactHeaders(request.headers) as Record<string, string>,
      query: built.query,
      body: built.body,
    },
    secrets,
  );
}

async function wait(
  ms: number,
  ctx: StepContext,
  input: HttpStepInput,
  attempts: number,
): Promise<void> {
  try {
    await sleep(ms, ctx.signal);
  } catch {
    throw httpStepError('aborted', 'the step was cancelled with its job while waiting to retry', {
      input,
      attempts,
    });
  }
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
