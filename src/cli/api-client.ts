/**
 * @module cli/api-client
 * How the client commands (`apply`, `jobs`, `job`, `rerun`) talk to a running server: JSON over
 * HTTP to `--url` (else `HOOKFLOW_URL`, else `http://127.0.0.1:8080`) with the bearer token from
 * `HOOKFLOW_API_TOKEN`. An error answer becomes an {@link ApiError} carrying the server's
 * `{error: {code, message}}` and the exit code it maps to.
 *
 * @example
 *   const api = createApiClient({ url: 'http://127.0.0.1:8080', token: null });
 *   const { jobs } = await api.get<{ jobs: JobSummary[] }>('/api/jobs?limit=5');
 */
import { request } from 'undici';
import { HookflowError, errorMessage } from '../errors.js';
import { EXIT } from './exit-codes.js';
import type { ExitCode } from './exit-codes.js';
import { usageError } from './usage.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';
const TIMEOUT_MS = 30_000;

/** A failure talking to the server, with the exit code it means. */
export class ApiError extends HookflowError {
  constructor(
    code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly status: number | null = null,
    readonly body: unknown = null,
  ) {
    super(code, message);
    this.name = 'ApiError';
  }
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

export interface ApiClient {
  readonly url: string;
  get<T>(path: string): Promise<T>;
  /** With `body`, sent as JSON. */
  post<T>(path: string, body?: unknown): Promise<ApiAnswer<T>>;
  delete<T>(path: string): Promise<ApiAnswer<T>>;
  /** Sends a document as text; answers the status too (201 created, 200 updated). */
  put<T>(path: string, text: string, contentType: string): Promise<ApiAnswer<T>>;
}

export function createApiClient(opts: { url: string; token: string | null }): ApiClient {
  const base = opts.url.replace(/\/+$/, '');
  const auth: Record<string, string> = opts.token ? { authorization: `Bearer ${opts.token}` } : {};

  async function send<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: { text: string; type: string },
  ): Promise<ApiAnswer<T>> {
    let res;
    try {
      res = await request(`${base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...auth,
          ...(body ? { 'content-type': body.type } : {}),
        },
        ...(body ? { body: body.text } : {}),
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
      });
    } catch (e) {
      throw new ApiError(
        'server_unreachable',
        `cannot reach Hookflow at ${base}: ${errorMessage(e) || (e as { code?: string }).code}; is it running? (set --url or HOOKFLOW_URL)`,
        EXIT.unreachable,
      );
    }
    const text = await res.body.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ApiError(
          'bad_answer',
          `${method} ${path} answered ${res.statusCode} with something that is not JSON; is ${base} a Hookflow server?`,
          EXIT.refused,
          res.statusCode,
        );
      }
    }
    if (res.statusCode >= 400) throw answerError(method, path, res.statusCode, parsed);
    return { status: res.statusCode, body: parsed as T };
  }

  return {
    url: base,
    get: async (path) => (await send<never>('GET', path)).body,
    post: (path, body) =>
      send(
        'POST',
        path,
        body === undefined ? undefined : { text: JSON.stringify(body), type: 'application/json' },
      ),
    delete: (path) => send('DELETE', path),
    put: (path, text, type) => send('PUT', path, { text, type }),
  };
}

function answerError(method: string, path: string, status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
  const message = typeof error?.message === 'string' ? error.message : `${method} ${path}`;
  const exitCode =
    status === 401 || status === 403
      ? EXIT.unauthorized
      : status === 404
        ? EXIT.notFound
        : EXIT.refused;
  const hint = exitCode === EXIT.unauthorized ? ' (set HOOKFLOW_API_TOKEN)' : '';
  return new ApiError(code, `${status} ${code}: ${message}${hint}`, exitCode, status, body);
}

/** `--url`, else `HOOKFLOW_URL`, else the default; refused unless it is an http(s) URL. */
export function serverUrl(flag: string | undefined, env: Record<string, string | undefined>) {
  const url = flag ?? (env.HOOKFLOW_URL || DEFAULT_URL);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`--url '${url}' is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usageError(`--url '${url}' must start with http:// or https://`);
  }
  return url;
}
