/**
 * @module api/health
 * `/healthz`: 200 `{"ok":true}` while the process can do its work; 503 with `store_unavailable`
 * and a Retry-After while its database does not answer, so a load balancer sends webhooks to
 * an ingress that can commit them. The store is asked at most once a second, however often
 * the health check comes.
 *
 * @example
 *   registerHealthRoute(server, store);
 */
import type { FastifyInstance } from 'fastify';
import { errorMessage } from '../errors.js';
import { STORE_RETRY_AFTER_S, errorBody } from '../ingress/http-errors.js';
import type { Store } from '../store/types.js';

const CHECK_EVERY_MS = 1_000;

export function registerHealthRoute(app: FastifyInstance, store?: Pick<Store, 'ping'>): void {
  let checkedAt = 0;
  let last: Promise<string | null> = Promise.resolve(null);
  /** null when the store answered; else why not. */
  function storeProblem(): Promise<string | null> {
    if (!store) return last;
    const now = Date.now();
    if (now - checkedAt >= CHECK_EVERY_MS) {
      checkedAt = now;
      last = store.ping().then(
        () => null,
        (e: unknown) => errorMessage(e),
      );
    }
    return last;
  }

  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness and the reach of the database',
        description:
          '200 while the process can do its work; 503 `store_unavailable` (with Retry-After) while its database does not answer.',
        security: [],
        response: {
          200: { type: 'object', properties: { ok: { type: 'boolean' } } },
          503: {
            type: 'object',
            properties: {
              ok: { type: 'boolean' },
              error: {
                type: 'object',
                properties: { code: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    async function healthz(_request, reply) {
      const problem = await storeProblem();
      if (problem === null) return { ok: true };
      return reply
        .code(503)
        .header('retry-after', String(STORE_RETRY_AFTER_S))
        .send({ ok: false, ...errorBody('store_unavailable', problem) });
    },
  );
}
