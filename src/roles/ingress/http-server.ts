/**
 * @module roles/ingress/http-server
 * The Fastify instance every role listens with: its limits, the error shape, the 404 handler,
 * and request counting. The ingress adds webhooks, the API and the UI to it; a worker only
 * `/healthz` and `/metrics`.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerOpenApi } from '../../api/index.js';
import type { Config } from '../../config/index.js';
import { errorBody, toHttpError } from '../../ingress/http-errors.js';
import type { Metrics } from '../../metrics/index.js';

export async function createHttpServer(
  config: Config,
  metrics: Metrics,
  log: Logger,
): Promise<FastifyInstance> {
  const server = Fastify({
    logger: false,
    bodyLimit: config.maxBodyBytes,
    return503OnClosing: true,
    forceCloseConnections: true,
  });
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
  return server;
}

/** Listens as configured; returns the server's URL (`http://host:port`). */
export async function listenOn(server: FastifyInstance, config: Config): Promise<string> {
  await server.listen({ host: config.host, port: config.port });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}`;
}
