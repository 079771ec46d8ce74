/**
 * @module connectors/builtins/schemas
 * Param schemas the built-in triggers share, and the output every provider trigger gives:
 * `{event, eventId, body, headers, …}` (Hookflow adds `id` and `receivedAt`).
 */
import { z } from 'zod';
import { DURATION_HINT, parseDuration } from '../../workflow/units.js';
import type { HttpRequest } from '../sdk/types.js';

export const secret = z.string().min(1, 'must not be empty');

/** `5m`, `300s`, or milliseconds; the result is milliseconds. */
export const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `must be ${DURATION_HINT}` });
    return z.NEVER;
  }
});

export const tolerance = duration.default(300_000);

export interface ProviderOutput {
  /** The event's name or type: `push`, `payment_intent.succeeded`, `orders/create`… */
  event: string | null;
  /** The provider's id of this delivery or event (the dedupe key). */
  eventId: string | null;
  body: unknown;
  headers: Record<string, string | string[]>;
}

export function header(http: HttpRequest, name: string): string | null {
  const v = http.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? null;
}

/** A field of a JSON object body, as text, or null. */
export function field(body: unknown, name: string): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

/** Whether an event is among those asked for (all when no list, or a list with `*`). */
export function wanted(list: readonly string[] | undefined, event: string | null): boolean {
  return !list || list.includes('*') || (event !== null && list.includes(event));
}
