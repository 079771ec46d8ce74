/**
 * @module steps/http/paginate
 * A paginated `http` step: one exchange per page, each page's items collected in order, until
 * there is no next page (the `next` URL or the parameter's `value` renders to null or ''),
 * `while` turns false, or `max_pages` is reached. Every page goes through the connection,
 * the retries and the SSRF guard like a single request. A page that does not advance (the
 * same URL or value again) or whose URL leaves the connection's origin fails the step.
 *
 * @example
 *   // paginate: {items: "{{ body.data }}", next: "{{ links.next }}", max_pages: 20}
 *   const { output } = await runPagination(step, step.paginate, ctx, built);
 *   // output: { status: 200, headers: {…}, items: [...all pages], pages: 3, complete: true }
 */
import type { HttpPagination, HttpStep, Scope } from '../../workflow/types.js';
import { StepError } from '../types.js';
import type { StepContext, StepOutcome } from '../types.js';
import type { BuiltRequest } from './build-request.js';
import { httpStepError } from './errors.js';
import { runExchange } from './exchange.js';
import type { WaitTally } from './with-connection.js';
import type { ExchangeOutcome } from './exchange.js';
import type { HttpPagesOutput, HttpStepInput, HttpStepOptions } from './http-step.js';
import type { ResponseHeaders } from './send-request.js';

export async function runPagination(
  step: HttpStep,
  p: HttpPagination,
  ctx: StepContext,
  first: BuiltRequest,
  options: HttpStepOptions,
  waits?: WaitTally,
): Promise<StepOutcome> {
  const items: unknown[] = [];
  const urls: string[] = [];
  let input: (HttpStepInput & { pages: string[] }) | null = null;
  let attempts = 0;
  let built = first;
  let firstOrigin: string | null = null;
  const visited = new Set<string>();
  const outcome = (output: HttpPagesOutput): StepOutcome => ({
    input: input ?? { pages: urls },
    output,
    attempts,
  });

  for (let number = 1; ; number++) {
    let page: ExchangeOutcome;
    try {
      page = await runExchange(step, ctx, built, options, waits);
    } catch (e) {
      if (!(e instanceof StepError) || number === 1) throw e;
      const failed = e.output as
        { status?: number; headers?: ResponseHeaders; body?: unknown } | undefined;
      throw new StepError(e.code, `page ${number}: ${e.message}`, {
        input: input ?? e.input,
        output: pagesOutput(failed?.status ?? 0, failed?.headers ?? {}, items, number - 1, false, {
          body: failed?.body ?? null,
        }),
        attempts: attempts + e.attempts,
      });
    }
    attempts += page.attempts;
    urls.push(page.input.url);
    input ??= { ...page.input, pages: urls };
    firstOrigin ??= originOf(page.sentUrl);
    visited.add(built.request.url);
    const out = page.output;
    if (out.status < 200 || out.status >= 300) {
      // errors: continue (with fail, runExchange threw): the page that failed, and what came before.
      const error = 'error' in out ? { error: out.error } : {};
      return outcome(
        pagesOutput(out.status, out.headers, items, number - 1, false, {
          body: out.body,
          ...error,
        }),
      );
    }
    const body = 'body' in out ? out.body : null;
    const scope: Scope = {
      ...ctx.scope,
      status: out.status,
      headers: out.headers,
      body,
      links: parseLinkHeader(out.headers.link),
      page: { number, items: [], total: items.length },
    };
    const pageItems = await readItems(p, scope, body, number, input);
    items.push(...pageItems);
    scope.page = { number, items: pageItems, total: items.length };
    const more = p.while ? isTruthy(await p.while.render(scope)) : true;
    const next = more ? await nextRequest(p, scope, built, page, input) : null;
    if (next === null) return outcome(pagesOutput(out.status, out.headers, items, number, true));
    if (number >= p.maxPages) {
      return outcome(pagesOutput(out.status, out.headers, items, number, false));
    }
    if (visited.has(next.request.url)) {
      throw failure(
        `the next page (${describeNext(p)}) is one already read; the pagination does not advance`,
        input,
        pagesOutput(out.status, out.headers, items, number, false),
        attempts,
      );
    }
    if (step.connection && firstOrigin !== null && isAbsolute(next.request.url)) {
      const origin = originOf(next.request.url);
      if (origin !== firstOrigin) {
        throw failure(
          `the next page is on ${origin}, not ${firstOrigin}; connection '${step.connection}' sends its credentials only to its own service`,
          input,
          pagesOutput(out.status, out.headers, items, number, false),
          attempts,
        );
      }
    }
    built = next;
  }
}

function pagesOutput(
  status: number,
  headers: ResponseHeaders,
  items: unknown[],
  pages: number,
  complete: boolean,
  extra: { body?: unknown; error?: string } = {},
): HttpPagesOutput {
  return { status, headers, items: [...items], pages, complete, ...extra };
}

async function readItems(
  p: HttpPagination,
  scope: Scope,
  body: unknown,
  number: number,
  input: HttpStepInput,
): Promise<unknown[]> {
  if (!p.items) {
    if (Array.isArray(body)) return body as unknown[];
    throw failure(
      `the body of page ${number} is not a list; set paginate.items to the list inside it (e.g. "{{ body.data }}")`,
      input,
      undefined,
      0,
    );
  }
  const value = await p.items.render(scope);
  if (value === null || value === undefined) return [];
  // JSONata gives a one-item list as the item itself.
  return Array.isArray(value) ? (value as unknown[]) : [value];
}

/** The request of the next page; null when there is none. */
async function nextRequest(
  p: HttpPagination,
  scope: Scope,
  built: BuiltRequest,
  page: ExchangeOutcome,
  input: HttpStepInput,
): Promise<BuiltRequest | null> {
  const rendered =
    p.next.kind === 'url' ? await p.next.url.render(scope) : await p.next.value.render(scope);
  if (rendered === null || rendered === undefined || rendered === '' || rendered === false) {
    return null;
  }
  if (p.next.kind === 'url') {
    if (typeof rendered !== 'string') {
      throw failure(
        `paginate.next rendered to ${typeof rendered}; it must be the next page's URL, or null when there is none`,
        input,
        undefined,
        0,
      );
    }
    // Relative to the page just read (its URL as sent): Link headers are often path-absolute.
    const url = new URL(rendered, page.sentUrl).toString();
    return { request: { ...built.request, url }, query: null, body: built.body };
  }
  if (typeof rendered === 'object') {
    throw failure(
      `paginate.value rendered to ${Array.isArray(rendered) ? 'a list' : 'an object'}; give the next ${p.next.param} as text or a number, or null when there is none`,
      input,
      undefined,
      0,
    );
  }
  const url = setQueryParam(built.request.url, p.next.param, String(rendered as string | number));
  return { request: { ...built.request, url }, query: built.query, body: built.body };
}

/** Sets one query parameter of an absolute or relative URL, keeping the others in order. */
export function setQueryParam(url: string, name: string, value: string): string {
  const hashAt = url.indexOf('#');
  const hash = hashAt === -1 ? '' : url.slice(hashAt);
  const rest = hashAt === -1 ? url : url.slice(0, hashAt);
  const qAt = rest.indexOf('?');
  const path = qAt === -1 ? rest : rest.slice(0, qAt);
  const params = new URLSearchParams(qAt === -1 ? '' : rest.slice(qAt + 1));
  params.set(name, value);
  return `${path}?${params.toString()}${hash}`;
}

/** `Link: <https://x/items?page=2>; rel="next", <…>; rel="last"` → `{next: '…', last: '…'}`. */
export function parseLinkHeader(value: string | string[] | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  const text = Array.isArray(value) ? value.join(', ') : (value ?? '');
  for (const m of text.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2] ?? '')?.[1];
    for (const name of rel?.trim().split(/\s+/) ?? []) {
      if (!(name in links)) links[name.toLowerCase()] = m[1] ?? '';
    }
  }
  return links;
}

function failure(
  message: string,
  input: HttpStepInput,
  output: HttpPagesOutput | undefined,
  attempts: number,
): StepError {
  return httpStepError('pagination_failed', message, { input, output, attempts });
}

function describeNext(p: HttpPagination): string {
  return p.next.kind === 'url' ? 'the same URL' : `the same ${p.next.param}`;
}

function isAbsolute(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** JSONata-style truthiness, as `when` and `filter`: false, null, 0, '' and [] are false. */
function isTruthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}
