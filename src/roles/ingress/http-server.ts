/**
 * @module roles/ingress/http-server
 * The Fastify instance every role listens with: its socket limits, the drain on shutdown, the
 * error shape, the 404 handler, and request counting. The ingress adds webhooks, the API and the UI to it; a worker only
 * `/healthz` and `/metrics`.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerOpenApi } from '../../api/index.js';
import type { Config } from '../../config/index.js';
import { answerClientError } from '../../ingress/client-errors.js';
import { registerDrain } from '../../ingress/drain.js';
import type { Drain } from '../../ingress/drain.js';
import { errorBody, toHttpError } from '../../ingress/http-errors.js';
import type { Metrics } from '../../metrics/index.js';

export async function createHttpServer(
  config: Config,
  metrics: Metrics,
  log: Logger,
): Promise<{ server: FastifyInstance; drain: Drain }> {
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
    clientErrorHandler: answerClientError,
    // Shutdown is the drain's (ingress/drain): its 503 has the error shape and a Retry-After.
    return503OnClosing: false,
    forceCloseConnections: false,
  });
  server.server.maxConnections = limits.maxConnections;
  const drain = registerDrain(server);
  await registerOpenApi(server);
  server.addHook('onRoute', metrics.onRoute);
  server.setErrorHandler(function sendError(err, _request, reply) {
    const { status, body } = toHttpError(err);
    if (status >= 500) log.error({ err }, 'request failed');
    return reply.code(status).send(body);
  });
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
