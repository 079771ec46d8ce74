/**
 * @module errors
 * The one error type Hookflow throws across folders. Each concern declares its codes in its own
 * `errors.ts`; the HTTP layer maps a code to a status once (see `ingress/http-errors.ts`).
 *
 * @example
 *   throw new HookflowError('invalid_body', 'request body is not valid JSON: Unexpected token }');
 */
export class HookflowError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'HookflowError';
    this.code = code;
    this.details = details;
  }
}

/** Turns anything thrown into an Error with a readable message. */
export function coerceError(e: unknown): Error {
  if (e instanceof Error) return e;
  if (typeof e === 'string') return new Error(e);
  try {
    return new Error(JSON.stringify(e));
  } catch {
    return new Error(String(e));
  }
}

export function errorMessage(e: unknown): string {
  return coerceError(e).message;
}
