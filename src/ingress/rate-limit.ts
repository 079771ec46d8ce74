/**
 * @module ingress/rate-limit
 * A webhook trigger's `rate_limit`: each event that passed the filter is counted against
 * (workflow, key) before anything is stored; above the limit the sender gets `429` with
 * `Retry-After` (seconds until the window ends) and nothing is stored. Only workflows with a
 * `rate_limit` pay for the count: the others go straight to the commit.
 *
 * @example
 *   const refused = await checkRateLimit(store, 'orders', trigger.rateLimit, req);
 *   if (refused) return sendReply(reply, refused);
 */
import type { RateStore } from '../store/index.js';
import type { HttpReply, RateLimit, Scope } from '../workflow/types.js';
import { errorBody, statusForCode } from './http-errors.js';

/** The 429 to answer, or null when the event is within the limit. */
export async function checkRateLimit(
  store: RateStore,
  workflow: string,
  rate: RateLimit,
  scope: Scope,
): Promise<HttpReply | null> {
  const key = rate.key ? keyText(await rate.key.render(scope)) : '';
  const hit = await store.hitRateLimit(workflow, key, rate);
  if (hit.allowed) return null;
  const retryAfter = Math.max(1, Math.ceil(hit.retryAfterMs / 1000));
  const per = key === '' ? '' : ` for key '${key}'`;
  return {
    status: statusForCode('rate_limited'),
    headers: { 'retry-after': String(retryAfter) },
    body: errorBody(
      'rate_limited',
      `workflow '${workflow}' accepts ${rate.limit} events per ${rate.perMs} ms${per}; retry after ${retryAfter} s`,
    ),
  };
}

function keyText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
