/**
 * @module steps/http/send-request
 * One try of an outbound request over undici: the timeout covers the whole exchange (headers
 * and body, every redirect), the job's signal cancels it, the body is read up to a size limit.
 * Redirects are followed up to a count, each hop through the same dispatcher (so the SSRF
 * guard checks every one), and credentials are not carried to another origin: undici's own
 * redirect handler drops only Authorization and Cookie, not a connection's API-key header.
 * Failures come back as data so the caller can decide on a retry.
 *
 * @example
 *   const result = await sendRequest(req, { timeoutMs: 10_000, maxResponseBytes, keepBody: () => true });
 *   if (result.kind === 'response') console.log(result.status, result.bytes?.length);
 */
import { errors, request } from 'undici';
import type { Dispatcher } from 'undici';
import { AddressBlockedError } from '../types.js';
import type { OutboundRequest } from '../types.js';
import { traceRequest } from '../../tracing/index.js';

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
      code: SendFailureCode;
      message: string;
    };

export type SendFailureCode =
  | 'network_error'
  | 'timeout'
  | 'aborted'
  | 'invalid_request'
  | 'response_too_large'
  | 'address_blocked'
  | 'too_many_redirects';

/** Statuses whose Location is followed. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface RedirectPolicy {
  /** Hops followed; 0: a 3xx is the response. */
  max: number;
  /** Headers (any case) not sent once a redirect leaves the first request's origin. */
  credentialHeaders: readonly string[];
}

export interface SendOptions {
  dispatcher?: Dispatcher;
  /** The job's signal: cancels the request when it fires. */
  signal?: AbortSignal;
  /** Limit for the whole try, headers and body; 0 or less: none of our own. */
  timeoutMs: number;
  maxResponseBytes: number;
  /** Asked once status and headers are in: false → the body is discarded unread. */
  keepBody(status: number, headers: ResponseHeaders): boolean;
  redirects?: RedirectPolicy;
}

class ResponseTooLarge extends Error {}

/** One try, traced (a client span) when tracing is on: the request then carries `traceparent`. */
export function sendRequest(req: OutboundRequest, opts: SendOptions): Promise<SendResult> {
  return traceRequest(
    req,
    (traced) => exchange(traced, opts),
    (r) => (r.kind === 'response' ? { status: r.status } : { failure: r.code }),
  );
}

async function exchange(req: OutboundRequest, opts: SendOptions): Promise<SendResult> {
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
    let current = req;
    let res: Dispatcher.ResponseData;
    for (let hops = 0; ; hops++) {
      res = await request(current.url, {
        method: current.method as Dispatcher.HttpMethod,
        headers: current.headers,
        body: current.body ?? null,
        signal: controller.signal,
        dispatcher: opts.dispatcher,
      });
      const location = firstHeader(res.headers.location);
      const max = opts.redirects?.max ?? 0;
      if (!REDIRECTS.has(res.statusCode) || location === undefined || max === 0) break;
      await res.body.dump().catch(() => undefined);
      if (hops >= max) {
        return {
          kind: 'failure',
          code: 'too_many_redirects',
          message: `more than ${max} redirects (the last one to ${safeLocation(location, current.url)}); raise max_redirects, or call the final URL`,
        };
      }
      const next = redirectedRequest(current, res.statusCode, location, req.url, opts.redirects);
      if (typeof next === 'string')
        return { kind: 'failure', code: 'invalid_request', message: next };
      current = next;
    }
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
    const blocked = findBlocked(e);
    if (blocked) return { kind: 'failure', code: 'address_blocked', message: blocked.message };
    if (e instanceof errors.InvalidArgumentError) {
      return { kind: 'failure', code: 'invalid_request', message: e.message };
    }
    return { kind: 'failure', code: 'network_error', message: networkErrorMessage(e) };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The request a redirect asks for: 303 (and 301/302 after a POST) becomes a GET without a
 * body, as browsers do; leaving the first origin drops cookies and credentials. A string
 * when the Location cannot be followed.
 */
function redirectedRequest(
  from: OutboundRequest,
  status: number,
  location: string,
  firstUrl: string,
  policy: RedirectPolicy | undefined,
): OutboundRequest | string {
  let target: URL;
  try {
    target = new URL(location, from.url);
  } catch {
    return `the server redirected to '${location}', which is not a URL`;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return `the server redirected to a ${target.protocol} URL; only http and https are followed`;
  }
  const headers = { ...from.headers };
  let { method, body } = from;
  if (
    (status === 303 && method !== 'HEAD') ||
    ((status === 301 || status === 302) && method === 'POST')
  ) {
    method = 'GET';
    body = undefined;
    dropHeaders(headers, (name) => name.startsWith('content-'));
  }
  if (target.origin !== new URL(firstUrl).origin) {
    const drop = new Set(
      ['authorization', 'cookie', 'proxy-authorization', ...(policy?.credentialHeaders ?? [])].map(
        (h) => h.toLowerCase(),
      ),
    );
    dropHeaders(headers, (name) => drop.has(name));
  }
  dropHeaders(headers, (name) => name === 'host');
  const next: OutboundRequest = { method, url: target.toString(), headers };
  if (body !== undefined) next.body = body;
  return next;
}

function dropHeaders(headers: Record<string, string>, match: (lowerName: string) => boolean): void {
  for (const name of Object.keys(headers)) if (match(name.toLowerCase())) delete headers[name];
}

/** A Location for a message: without its query, which may carry a token. */
function safeLocation(location: string, base: string): string {
  try {
    const u = new URL(location, base);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The guard's refusal, wherever undici wrapped it. */
function findBlocked(e: unknown): AddressBlockedError | null {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    if (cur instanceof AddressBlockedError) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return null;
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
