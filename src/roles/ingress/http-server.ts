/**
 * @module roles/ingress/http-server
 * The Fastify instance every role listens with: its socket limits, the drain on shutdown, the
 * error shape, the 404 handler, and request counting. The ingress adds webhooks, the API and the UI to it; a worker only
 * `/healthz` and `/metrics`.
 */
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { guardBrowserRequests, registerOpenApi } from '../../api/index.js';
import type { Config } from '../../config/index.js';
import { answerClientError, answerUnmetExpectation } from '../../ingress/client-errors.js';
import { registerDrain } from '../../ingress/drain.js';
import { closeIfBodyUnread } from '../../ingress/unread-body.js';
import { lazyCompilers } from './lazy-compilers.js';
import type { Drain } from '../../ingress/drain.js';
import { STORE_RETRY_AFTER_S, errorBody, toHttpError } from '../../ingress/http-errors.js';
import type { Metrics } from '../../metrics/index.js';

export async function createHttpServer(
  config: Config,
  metrics: Metrics,
  log: Logger,
  /** The server's own URL once listening (the Host check compares with it). */
  boundUrl: () => string,
): Promise<{ server: FastifyInstance; drain: Drain }> {
  function sendError(err: unknown, _request: FastifyRequest, reply: FastifyReply) {
    const { status, body } = toHttpError(err);
    if (body.error.code === 'store_unavailable') {
      // An outage, not a bug: said once by whoever noticed it first (ingress/not-stored.ts).
      reply.header('retry-after', String(STORE_RETRY_AFTER_S));
    } else if (status >= 500) log.error({ err }, 'request failed');
    return reply.code(status).send(body);
  }
  const limits = config.http;
  const server = Fastify({
    logger: false,
    bodyLimit: config.maxBodyBytes,
    // Socket limits (SPEC §9). requestTimeout covers receiving the request only, never the
    // wait for a request_response reply; no inactivity timeout, which would cut that wait.
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // How often Node checks the two timeouts above (its default, 30 s, would add up to 30 s).
      connectionsCheckingInterval: Math.min(1000, Math.ceil(limits.headersTimeoutMs / 4)),
    },
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Shutdown is the drain's (ingress/drain): its 503 has the error shape and a Retry-After.
    return503OnClosing: false,
    forceCloseConnections: false,
    // Refusals made before a route runs, in the one error shape.
    clientErrorHandler: answerClientError,
    frameworkErrors: sendError,
    schemaController: { compilersFactory: lazyCompilers() },
  });
  server.server.maxConnections = limits.maxConnections;
  const drain = registerDrain(server);
  server.addHook('onSend', closeIfBodyUnread);
  await registerOpenApi(server);
  server.addHook('onRoute', metrics.onRoute);
  server.addHook(
    'onRequest',
    guardBrowserRequests({
      boundUrl,
      publicUrl: config.publicUrl,
      apiToken: config.apiToken,
    }),
  );
  server.setErrorHandler(sendError);
  server.server.on('checkExpectation', answerUnmetExpectation);
  server.setNotFoundHandler(function notFound(request, reply) {
    metrics.countUnmatched(404);
    return reply
      .code(404)
      .send(errorBody('not_found', `no route ${request.method} ${request.url}`));
  });
  return { server, drain };
}

/** Listens as configured; returns the server's URL (`http://host:port`). */
export async function listenOn(server: FastifyInstance, config: Config): Promise<string> {
  await server.listen({ host: config.host, port: config.port });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}`;
}
