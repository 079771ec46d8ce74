/**
 * @module ingress/drain
 * Closing the HTTP face without cutting off answered work (SPEC §9 Shutdown). On close: stop
 * accepting connections; answer `503 shutting_down` with `Retry-After` (and close) to requests
 * that arrive on connections already open; let requests in flight get their answer, closing
 * connections as they fall idle; when the grace period ends, let the caller answer what still
 * waits (request_response callers), then close every connection left.
 *
 * @example
 *   const drain = registerDrain(server);   // before the routes, so its hooks cover them
 *   await drain.close({ graceMs: 10_000, onGraceExpired: () => replies.interruptAll() });
 */
import type { FastifyInstance } from 'fastify';
import { errorBody } from './http-errors.js';

/** Seconds a sender refused during shutdown is told to wait (a restart, or another instance). */
export const SHUTDOWN_RETRY_AFTER_S = 5;

/**
 * How often idle connections are closed during the drain: an answered request leaves its
 * connection open for the sender's next request, which then gets the 503 (answers in flight
 * do not say `Connection: close`: a request pipelined behind one would be dropped unanswered).
 */
const SWEEP_MS = 100;
/** After the grace period: time for the answers given to waiting callers to be written. */
const LAST_ANSWERS_MS = 500;

export interface Drain {
  readonly draining: boolean;
  close(opts: { graceMs: number; onGraceExpired?: () => void }): Promise<void>;
}

export function registerDrain(server: FastifyInstance): Drain {
  let draining = false;
  server.addHook('onRequest', function refuseWhileDraining(_request, reply, done) {
    if (!draining) return done();
    void reply
      .code(503)
      .header('retry-after', String(SHUTDOWN_RETRY_AFTER_S))
      .header('connection', 'close')
      .send(errorBody('shutting_down', 'Hookflow is shutting down; send this request again later'));
  });
  return {
    get draining() {
      return draining;
    },
    async close({ graceMs, onGraceExpired }) {
      draining = true;
      // Fastify stops accepting, closes idle connections and resolves once every one is closed.
      const closed = server.close();
      const sweep = setInterval(() => server.server.closeIdleConnections(), SWEEP_MS);
      let graceTimer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace'>((resolve) => {
        graceTimer = setTimeout(() => resolve('grace'), graceMs);
      });
      try {
        if ((await Promise.race([closed, graceOver])) === 'grace') {
          onGraceExpired?.();
          await Promise.race([closed, sleep(LAST_ANSWERS_MS)]);
          server.server.closeAllConnections();
          await closed;
        }
      } finally {
        clearTimeout(graceTimer);
        clearInterval(sweep);
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
