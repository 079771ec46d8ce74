/**
 * @module steps/http/retry-policy
 * When an `http` step tries again and how long it waits: network errors, time-outs, 429 and
 * 5xx are retried; the wait doubles from `backoffMs` up to 30 s, and a `Retry-After` header
 * wins — unless it asks for more than 60 s, in which case the response is taken as the answer.
 *
 * @example
 *   backoffDelay({ attempts: 5, backoffMs: 1000 }, 3); // → 4000 (the wait after the 3rd try)
 *   parseRetryAfter('2');                              // → 2000
 */
import type { RetryPolicy } from '../../workflow/types.js';

/** The longest wait between two tries computed from the backoff. */
export const MAX_BACKOFF_MS = 30_000;
/** The longest `Retry-After` Hookflow waits for; a longer one ends the retries. */
export const MAX_RETRY_AFTER_MS = 60_000;

export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** The wait after try number `failedTry` (1-based): `backoffMs`, doubled each time, capped. */
export function backoffDelay(policy: RetryPolicy, failedTry: number): number {
  const base = Math.max(0, policy.backoffMs);
  return Math.min(base * 2 ** Math.max(0, failedTry - 1), MAX_BACKOFF_MS);
}

/**
 * A `Retry-After` value (delay in seconds, or an HTTP date) in milliseconds from `now`;
 * undefined when absent or unreadable. A date in the past gives 0.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP dates (IMF-fixdate, RFC 850, asctime) all open with the day's name.
  const at = /^[A-Za-z]/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Waits `ms`; rejects with the signal's reason when it fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
