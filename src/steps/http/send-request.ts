/**
 * @module steps/http/send-request
 * One try of an outbound request over undici: the timeout covers the whole exchange (headers
 * and body), the job's signal cancels it, the body is read up to a size limit, redirects are
 * not followed. Failures come back as data so the caller can decide on a retry.
 *
 * @example
 *   const result = await sendRequest(req, { timeoutMs: 10_000, maxResponseBytes, keepBody: () => true });
 *   if (result.kind === 'response') console.log(result.status, result.bytes?.length);
 */
import { errors, request } from 'undici';
import type { Dispatcher } from 'undici';
import type { OutboundRequest } from '../types.js';

export type ResponseHeaders = Record<string, string | string[]>;

export type SendResult =
  | {
      kind: 'response';
      status: number;
      headers: ResponseHeaders;
      /** null when `keepBody` said the body is not wanted (it was discarded). */
      bytes: Buffer | null;
    }
  | {
      kind: 'failure';
      code: 'network_error' | 'timeout' | 'aborted' | 'invalid_request' | 'response_too_large';
      message: string;
    };

export interface SendOptions {
  dispatcher?: Dispatcher;
  /** The job's signal: cancels the request when it fires. */
  signal?: AbortSignal;
  /** Limit for the whole try, headers and body; 0 or less: none of our own. */
  timeoutMs: number;
  maxResponseBytes: number;
  /** Asked once status and headers are in: false → the body is discarded unread. */
  keepBody(status: number, headers: ResponseHeaders): boolean;
}

class ResponseTooLarge extends Error {}

export async function sendRequest(req: OutboundRequest, opts: SendOptions): Promise<SendResult> {
  if (opts.signal?.aborted) return cancelled();
  const controller = new AbortController();
  let timedOut = false;
  const timer =
    opts.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new Error(`timed out after ${opts.timeoutMs} ms`));
        }, opts.timeoutMs)
      : undefined;
  const onAbort = (): void => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const res = await request(req.url, {
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body ?? null,
      signal: controller.signal,
      dispatcher: opts.dispatcher,
    });
    const headers = normalizeHeaders(res.headers);
    if (!opts.keepBody(res.statusCode, headers)) {
      await res.body.dump().catch(() => undefined);
      return { kind: 'response', status: res.statusCode, headers, bytes: null };
    }
    const bytes = await readLimited(res.body, opts.maxResponseBytes, headers['content-length']);
    return { kind: 'response', status: res.statusCode, headers, bytes };
  } catch (e) {
    if (opts.signal?.aborted) return cancelled();
    if (timedOut) {
      return {
        kind: 'failure',
        code: 'timeout',
        message: `no complete response within ${opts.timeoutMs} ms`,
      };
    }
    if (e instanceof ResponseTooLarge) {
      return {
        kind: 'failure',
        code: 'response_too_large',
        message: `the response body is larger than ${opts.maxResponseBytes} bytes, the limit`,
      };
    }
    if (e instanceof errors.InvalidArgumentError) {
      return { kind: 'failure', code: 'invalid_request', message: e.message };
    }
    return { kind: 'failure', code: 'network_error', message: networkErrorMessage(e) };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

function cancelled(): SendResult {
  return { kind: 'failure', code: 'aborted', message: 'the request was cancelled with its job' };
}

async function readLimited(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  contentLength: string | string[] | undefined,
): Promise<Buffer> {
  const declared = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  if (Number.isFinite(declared) && declared > limit) {
    discard(body);
    throw new ResponseTooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      discard(body);
      throw new ResponseTooLarge();
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}

/** Drops a body unread; undici then emits 'Request aborted', which nothing else listens for. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Lower-cased names; absent values dropped; repeated headers stay lists. */
function normalizeHeaders(raw: Record<string, string | string[] | undefined>): ResponseHeaders {
  const out: ResponseHeaders = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? [...value] : value;
  }
  return out;
}

/** undici/node errors may carry an empty message (AggregateError from happy eyeballs). */
function networkErrorMessage(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) {
    const messages = e.errors.map((inner: unknown) => networkErrorMessage(inner));
    return [...new Set(messages)].join('; ');
  }
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    if (e.message) return e.message;
    if (typeof code === 'string') return code;
    return e.name;
  }
  return String(e);
}
