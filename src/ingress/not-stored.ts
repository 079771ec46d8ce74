/**
 * @module ingress/not-stored
 * The answer when an event could not be committed. While the database is out of reach
 * (`store_unavailable`) the caller gets `503 store_unavailable` with a Retry-After — never a
 * 2xx the ingress could not keep — and the log says so once per outage, not once per request:
 * the outage is reported when the first commit fails and its end when one succeeds again.
 *
 * @example
 *   const accept = reportOutages(intake.acceptEvent, log);
 *   try { await accept(event) } catch (err) { return answerNotStored(reply, err, log, workflow) }
 */
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { StoreError } from '../store/index.js';
import { STORE_RETRY_AFTER_S, errorBody, statusForCode } from './http-errors.js';

function isUnavailable(err: unknown): boolean {
  return err instanceof StoreError && err.code === 'store_unavailable';
}

/** `accept`, logging the start and the end of each database outage once. */
export function reportOutages<A extends unknown[], R>(
  accept: (...args: A) => Promise<R>,
  log: Logger,
): (...args: A) => Promise<R> {
  let down = false;
  return async function acceptReportingOutages(...args) {
    try {
      const result = await accept(...args);
      if (down) log.info('the database is back: events are accepted again');
      down = false;
      return result;
    } catch (err) {
      if (isUnavailable(err) && !down) {
        down = true;
        log.error(
          { err },
          'the database is out of reach: webhooks are answered 503 until it is back',
        );
      }
      throw err;
    }
  };
}

export function answerNotStored(
  reply: FastifyReply,
  err: unknown,
  log: Logger,
  workflow: string,
): FastifyReply {
  if (isUnavailable(err)) {
    return reply
      .code(statusForCode('store_unavailable'))
      .header('retry-after', String(STORE_RETRY_AFTER_S))
      .send(
        errorBody(
          'store_unavailable',
          'the database is out of reach; nothing was stored, retry later',
        ),
      );
  }
  log.error({ err, workflow }, 'could not store event');
  return reply
    .code(statusForCode('storage_failed'))
    .send(errorBody('storage_failed', 'the event could not be stored; retry later'));
}
