/**
 * @module steps/http/build-request
 * Renders an `http` step's templates and encodes them into the request that will be sent:
 * query values appended to the URL, the body encoded by `bodyType`, a Content-Type added when
 * the step did not give one.
 *
 * @example
 *   const { request } = await buildRequest(step, ctx.scope);
 *   // { method: 'POST', url: 'https://api.example/items?tag=a&tag=b',
 *   //   headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' }
 */
import { bodyBytes, summarizeBytes } from '../../workflow/index.js';
import type { HttpStep, Scope } from '../../workflow/types.js';
import type { OutboundRequest } from '../types.js';
import { httpStepError } from './errors.js';

/** The request, plus the values as rendered, for the step's recorded input. */
export interface BuiltRequest {
  request: OutboundRequest;
  /** The rendered `query` (null when none). */
  query: unknown;
  /**
   * The body as rendered (objects stay objects); null when none. Bytes sent from a binary value
   * or base64 are `{contentType, size, sha256}`: they are stored where they came from.
   */
  body: unknown;
}

const METHODS_WITHOUT_BODY = new Set(['GET', 'HEAD']);

export async function buildRequest(step: HttpStep, scope: Scope): Promise<BuiltRequest> {
  const method = step.method.toUpperCase();
  const url = await step.url.render(scope);
  if (typeof url !== 'string' || url.trim() === '') {
    throw httpStepError(
      'invalid_url',
      `url rendered to ${describe(url)}; it must be a non-empty string (an absolute http(s) URL, or a path when the step has a connection with a base_url)`,
      { attempts: 0 },
    );
  }
  const headers = step.headers ? toHeaders(await step.headers.render(scope)) : {};
  const query = step.query ? await step.query.render(scope) : null;
  const request: OutboundRequest = {
    method,
    url: appendQuery(url.trim(), toParams(query, 'query')),
    headers,
  };

  let body: unknown = null;
  if (step.body && !METHODS_WITHOUT_BODY.has(method)) {
    const rendered = await step.body.render(scope);
    const bytes = renderedBytes(step, rendered);
    if (bytes) {
      setDefaultHeader(headers, 'content-type', bytes.contentType ?? 'application/octet-stream');
      request.body = bytes.bytes;
      return {
        request,
        query: query ?? null,
        body: summarizeBytes(bytes.bytes, bytes.contentType),
      };
    }
    const encoded = encodeBody(step.bodyType, rendered, headers);
    if (encoded !== undefined) {
      request.body = encoded;
      body = rendered instanceof Uint8Array ? describeBytes(Buffer.from(rendered)) : rendered;
    }
  }
  return { request, query: query ?? null, body };
}

/** The body's exact bytes: a binary value, or base64 text with `body_encoding: base64`. */
function renderedBytes(step: HttpStep, rendered: unknown): ReturnType<typeof bodyBytes> {
  try {
    return bodyBytes(rendered, step.bodyEncoding ?? 'auto', step.body?.where ?? 'body');
  } catch (e) {
    throw httpStepError('invalid_request', (e as Error).message, { attempts: 0 });
  }
}

/** Encodes a rendered body; undefined when there is nothing to send. May add a Content-Type. */
function encodeBody(
  bodyType: HttpStep['bodyType'],
  value: unknown,
  headers: Record<string, string>,
): string | Buffer | undefined {
  if (value === null || value === undefined) return undefined;
  switch (bodyType) {
    case 'form': {
      setDefaultHeader(headers, 'content-type', 'application/x-www-form-urlencoded');
      if (typeof value === 'string') return value; // already encoded
      return new URLSearchParams(toParams(value, 'body')).toString();
    }
    case 'raw': {
      if (typeof value === 'string') return value;
      if (Buffer.isBuffer(value)) return value;
      if (value instanceof Uint8Array) return Buffer.from(value);
      setDefaultHeader(headers, 'content-type', 'application/json');
      return JSON.stringify(value);
    }
    case 'json':
    default:
      setDefaultHeader(headers, 'content-type', 'application/json');
      return JSON.stringify(value);
  }
}

/** Rendered `headers` → name/value strings; null/undefined values are left out. */
function toHeaders(value: unknown): Record<string, string> {
  if (value === null || value === undefined) return {};
  if (!isRecord(value)) {
    throw httpStepError(
      'invalid_request',
      `headers rendered to ${describe(value)}; they must be an object of names and values`,
      { attempts: 0 },
    );
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    if (Array.isArray(v) && v.every(isScalar)) out[name] = v.map(String).join(', ');
    else if (isScalar(v)) out[name] = String(v);
    else {
      throw httpStepError(
        'invalid_request',
        `header '${name}' rendered to ${describe(v)}; give a string, number or boolean`,
        { attempts: 0 },
      );
    }
  }
  return out;
}

/**
 * Rendered query or form fields → ordered pairs. A list gives the key once per item; null and
 * undefined are left out; a string is taken as already encoded (`a=1&b=2`).
 */
function toParams(value: unknown, where: 'query' | 'body'): [string, string][] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return [...new URLSearchParams(value)];
  if (!isRecord(value)) {
    throw httpStepError(
      'invalid_request',
      `${where} rendered to ${describe(value)}; give an object of names and values`,
      { attempts: 0 },
    );
  }
  const pairs: [string, string][] = [];
  for (const [key, v] of Object.entries(value)) {
    const items = Array.isArray(v) ? (v as unknown[]) : [v];
    for (const item of items) {
      if (item === null || item === undefined) continue;
      if (!isScalar(item)) {
        throw httpStepError(
          'invalid_request',
          `${where}.${key} rendered to ${describe(item)}; give a string, number, boolean or a list of them`,
          { attempts: 0 },
        );
      }
      pairs.push([key, String(item)]);
    }
  }
  return pairs;
}

/** Appends pairs to a URL (absolute or relative), after any query it has, before a fragment. */
export function appendQuery(url: string, pairs: readonly [string, string][]): string {
  if (pairs.length === 0) return url;
  const hashAt = url.indexOf('#');
  const base = hashAt === -1 ? url : url.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : url.slice(hashAt);
  const qs = new URLSearchParams(pairs as [string, string][]).toString();
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${sep}${qs}${hash}`;
}

function setDefaultHeader(headers: Record<string, string>, name: string, value: string): void {
  const present = Object.keys(headers).some((key) => key.toLowerCase() === name);
  if (!present) headers[name] = value;
}

function describeBytes(bytes: Buffer): { base64: string; size: number } {
  return { base64: bytes.toString('base64'), size: bytes.length };
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return `a ${typeof value}`;
}
