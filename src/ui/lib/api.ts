/**
 * The UI's client of the management API: same origin, JSON, and the bearer token the user
 * typed (kept in sessionStorage, so it is gone with the tab). A 401 tells the app to ask for
 * the token again.
 */

const TOKEN_KEY = 'hookflow.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

export const token = {
  get(): string | null {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  },
  set(value: string | null): void {
    if (value === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, value);
  },
  onUnauthorized(listener: Listener): () => void {
    unauthorizedListeners.add(listener);
    return () => unauthorizedListeners.delete(listener);
  },
};

export async function api<T>(
  path: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: unknown;
    signal?: AbortSignal;
  } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  // A body is always JSON (the API refuses other types on its JSON routes).
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    if (res.status === 401) for (const l of unauthorizedListeners) l();
    throw new ApiError(
      res.status,
      error?.code ?? `http_${res.status}`,
      error?.message ?? `${res.status} ${res.statusText}`,
      body,
    );
  }
  return body as T;
}

/** A route that another part of the server provides may be absent: 404 from the router. */
export function isMissingRoute(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && /^no route /.test(e.message);
}
