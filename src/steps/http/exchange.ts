/**
 * @module steps/http/exchange
 * One logical request of an `http` step: apply the connection, send (following redirects),
 * retry network errors, time-outs, 429 and 5xx, renew the connection's credentials once on a
 * 401 and send again, parse the response, and record input and output with credentials
 * redacted. A paginated step runs one exchange per page.
 *
 * @example
 *   const { input, output, attempts } = await runExchange(step, ctx, await buildRequest(step, ctx.scope));
 */
import type { HttpStep } from '../../workflow/types.js';
import {
  redactHeaders,
  redactNamedHeaders,
  redactQueryParams,
  redactSecrets,
  redactSecretsInBytes,
  redactSecretsInText,
} from '../redact.js';
import type { OutboundRequest, SecretFields, StepContext, StepOutcome } from '../types.js';
import type { BuiltRequest } from './build-request.js';
import { httpStepError } from './errors.js';
import type {
  HttpFailureOutput,
  HttpResponseOutput,
  HttpStepInput,
  HttpStepOptions,
} from './http-step.js';
import { decodeText, parseResponseBody, ResponseParseError } from './parse-response.js';
import type { BinaryBody } from './parse-response.js';
import {
  backoffDelay,
  isRetryableStatus,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  sleep,
} from './retry-policy.js';
import { sendRequest } from './send-request.js';
import {
  addedHeaders,
  applyConnection,
  awaitConnectionTurn,
  connectionDispatcher,
  connectionSecretFields,
  connectionSecrets,
  pauseConnection,
  renewConnection,
} from './with-connection.js';
import type { WaitTally } from './with-connection.js';
import type { ResponseHeaders, SendResult } from './send-request.js';

/** Default limit on a response body: 10 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Redirects an http step follows unless it says `max_redirects`. */
export const DEFAULT_MAX_REDIRECTS = 5;

export interface ExchangeOutcome extends StepOutcome {
  input: HttpStepInput;
  output: HttpResponseOutput | HttpFailureOutput;
  /** The URL sent (connection applied), for resolving a relative next-page URL. */
  sentUrl: string;
}

export async function runExchange(
  step: HttpStep,
  ctx: StepContext,
  built: BuiltRequest,
  options: HttpStepOptions = {},
  waits?: WaitTally,
): Promise<ExchangeOutcome> {
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxAttempts = Math.max(1, Math.floor(step.retry.attempts));
  let secrets = connectionSecrets(step, ctx);
  let input = recordInput(built.request, built, secrets, NO_FIELDS);
  let renewed = false;
  let tries = 0;

  for (let attempt = 1; ;) {
    tries++;
    const request = await applyConnection(step, ctx, built.request, input, tries);
    // Asked again after each apply: a connection may have refreshed its token.
    secrets = connectionSecrets(step, ctx);
    input = recordInput(request, built, secrets, connectionSecretFields(step, ctx));
    const target = `${request.method} ${input.url}`;
    checkUrl(request.url, step, input, tries);
    await awaitConnectionTurn(step, ctx, waits, input, tries);

    let retryAfterRefused: number | undefined;
    let retryDelay = 0;
    /** A 429/503 with Retry-After: how long the upstream wants the connection left alone. */
    let pauseMs: number | undefined;
    const result: SendResult = await sendRequest(request, {
      dispatcher: connectionDispatcher(step, ctx) ?? ctx.dispatcher,
      signal: ctx.signal,
      timeoutMs: step.timeoutMs,
      maxResponseBytes,
      redirects: {
        max: step.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
        credentialHeaders: addedHeaders(built.request.headers, request.headers),
      },
      keepBody(status, headers) {
        if (!isRetryableStatus(status)) return true;
        const retryAfter = parseRetryAfter(headers['retry-after']);
        if ((status === 429 || status === 503) && retryAfter !== undefined) pauseMs = retryAfter;
        if (attempt >= maxAttempts) return true;
        if (retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_MS) {
          retryAfterRefused = retryAfter;
          return true;
        }
        retryDelay = retryAfter ?? backoffDelay(step.retry, attempt);
        return false;
      },
    });
    if (pauseMs !== undefined && result.kind !== 'failure') {
      // The pause holds this job's next try like every other job's: no sleep of its own.
      if (await pauseConnection(step, ctx, pauseMs, result.status, input, tries)) retryDelay = 0;
    }

    if (result.kind === 'failure') {
      const retryable = result.code === 'network_error' || result.code === 'timeout';
      if (retryable && attempt < maxAttempts) {
        await wait(backoffDelay(step.retry, attempt), ctx, input, tries);
        attempt++;
        continue;
      }
      const message = redactSecretsInText(result.message, secrets);
      if (retryable && step.errors === 'continue') {
        const output: HttpFailureOutput = { status: 0, error: message, headers: {}, body: null };
        return { input, output, attempts: tries, sentUrl: request.url };
      }
      const times = tries > 1 ? ` (after ${tries} attempts)` : '';
      throw httpStepError(result.code, `${target} failed: ${message}${times}`, {
        input,
        attempts: tries,
      });
    }

    if (result.bytes === null) {
      await wait(retryDelay, ctx, input, tries);
      attempt++;
      continue;
    }

    // A 401 to a connection that can renew its credentials (OAuth2): renew once, send again.
    if (
      result.status === 401 &&
      !renewed &&
      (await renewConnection(step, ctx, request, input, tries))
    ) {
      renewed = true;
      continue;
    }

    const read = readOutput(step.response, { ...result, bytes: result.bytes });
    const output = redactSecrets(redactBinary(read.output, result.bytes, secrets), secrets);
    if (read.invalid !== undefined) {
      throw httpStepError(
        'invalid_response',
        `${target} answered ${result.status}, but ${redactSecretsInText(read.invalid, secrets)}`,
        { input, output, attempts: tries },
      );
    }
    if (step.errors === 'continue' || (result.status >= 200 && result.status < 300)) {
      return { input, output, attempts: tries, sentUrl: request.url };
    }
    const why =
      retryAfterRefused !== undefined
        ? ` (its Retry-After asks for ${Math.ceil(retryAfterRefused / 1000)} s, more than the ${MAX_RETRY_AFTER_MS / 1000} s Hookflow waits)`
        : '';
    throw httpStepError('http_status', `${target} answered ${result.status}${why}`, {
      input,
      output,
      attempts: tries,
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

/** A binary body is recorded as base64, where the text pass cannot see a secret. */
function redactBinary(
  output: HttpResponseOutput,
  bytes: Buffer,
  secrets: readonly string[],
): HttpResponseOutput {
  const body = output.body as Partial<BinaryBody> | null;
  if (secrets.length === 0 || typeof body?.base64 !== 'string') return output;
  const redacted = redactSecretsInBytes(bytes, secrets);
  if (!redacted) return output;
  return {
    ...output,
    body: { ...body, base64: redacted.toString('base64'), size: redacted.length },
  };
}

function checkUrl(url: string, step: HttpStep, input: HttpStepInput, tries: number): void {
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
  throw httpStepError('invalid_url', message, { input, attempts: tries - 1 });
}

const NO_FIELDS: SecretFields = { headers: [], query: [] };

/** The request as history shows it: credentials redacted by name, by place and by value. */
function recordInput(
  request: OutboundRequest,
  built: BuiltRequest,
  secrets: readonly string[],
  fields: SecretFields,
): HttpStepInput {
  const headers = redactNamedHeaders(request.headers, fields.headers);
  return redactSecrets(
    {
      method: request.method,
      url: redactQueryParams(request.url, fields.query),
      headers: redactHeaders(headers) as Record<string, string>,
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
