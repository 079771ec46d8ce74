/**
 * @module api/metrics-route
 * `GET /metrics`: Prometheus text format, behind the API token when one is set (workflow names
 * are in the labels). Prometheus sends it with `authorization: {credentials: <token>}`.
 */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics/index.js';
import { errorAnswer } from './schemas.js';
import { requireToken } from './token.js';

export function registerMetricsRoute(
  app: FastifyInstance,
  metrics: Metrics,
  apiToken: string | null,
): void {
  app.get(
    '/metrics',
    {
      ...(apiToken ? { onRequest: requireToken(apiToken) } : {}),
      schema: {
        summary: 'Prometheus metrics',
        response: {
          200: { type: 'string', description: 'Prometheus text exposition format' },
          401: errorAnswer,
        },
      },
    },
    async function prometheusMetrics(_request, reply) {
      return reply.type(metrics.contentType).send(await metrics.render());
    },
  );
}
